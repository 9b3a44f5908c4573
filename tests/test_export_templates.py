"""A user's `--template`: rendered sandboxed with the documented context, refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_fixtures import TODAY, add_full_session, add_hostile_session

from workshop.errors import ExportError
from workshop.export import render
from workshop.storage.store import Store


@pytest.fixture
def full(store: Store) -> int:
    session = add_full_session(store)
    assert session.id is not None
    return session.id


def render_template(store: Store, session_id: int, folder: Path, source: str) -> str:
    path = folder / "mine.md.j2"
    path.write_text(source, encoding="utf-8")
    return render(store, session_id, "md", template=path, today=TODAY)


def test_a_user_template_gets_the_context_and_the_filters(
    store: Store, full: int, tmp_path: Path
) -> None:
    source = (
        "# {{ session.title|md_inline }}\n"
        "{% for group in actions.by_owner %}{{ group.owner }}: {{ group.actions|length }}\n"
        "{% endfor %}"
        "Deals: {{ revenue.deals|number }}; target {{ revenue.goal.target|money('USD') }}\n"
        "{% for item in actions.all if item.overdue %}Late: {{ item.title|cell }}\n{% endfor %}"
    )
    text = render_template(store, full, tmp_path, source)
    assert text == (
        "# Q3 revenue alignment\n"
        "Mia Marketer: 2\nSam Seller: 2\nUnassigned: 1\n"
        "Deals: 48; target USD 1,200,000\n"
        "Late: Agree the ICP\n"
    )


def test_a_user_template_can_include_the_shipped_partials(
    store: Store, full: int, tmp_path: Path
) -> None:
    text = render_template(store, full, tmp_path, '{% include "partials/cadence.md.j2" %}')
    assert "| Weekly pipeline review | Every Tuesday at 09:30 |" in text


def test_user_text_stays_data_in_a_user_template(store: Store, tmp_path: Path) -> None:
    session = add_hostile_session(store)
    assert session.id is not None
    text = render_template(store, session.id, tmp_path, "{{ session.title }}")
    assert text == "{{ 7*7 }} | <b>Q3</b> *plan* 🚀"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ session.__class__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ self._TemplateReference__context }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ actions.all.__len__() }}",
        "{% set x = actions.all.append(1) %}",
        "{{ '{0.__class__}'.format(session) }}",
        "{{ actions.counts.update({'open': 0}) }}",
    ],
)
def test_reaching_for_python_internals_is_refused(
    store: Store, full: int, tmp_path: Path, source: str
) -> None:
    with pytest.raises(ExportError) as refused:
        render_template(store, full, tmp_path, source)
    message = str(refused.value)
    assert "mine.md.j2" in message
    assert "was refused" in message
    assert "cannot reach Python internals" in message
    assert "\n" not in message


def test_a_huge_range_is_refused(store: Store, full: int, tmp_path: Path) -> None:
    with pytest.raises(
        ExportError, match=r"mine\.md\.j2, line 2 was stopped: it would make a range"
    ):
        render_template(store, full, tmp_path, "ok\n{{ range(10**9)|list|length }}")


def test_a_misspelt_variable_names_the_line_and_the_docs(
    store: Store, full: int, tmp_path: Path
) -> None:
    with pytest.raises(ExportError) as refused:
        render_template(store, full, tmp_path, "line 1\n{{ sesion.title }}\n")
    message = str(refused.value)
    assert ", line 2: 'sesion' is undefined" in message
    assert "docs/templates.md" in message


def test_a_syntax_error_names_the_line(store: Store, full: int, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"mine\.md\.j2, line 3: .*'endfor'"):
        render_template(store, full, tmp_path, "a\nb\n{% for x in kpis %}\n")


def test_a_missing_or_unreadable_template_is_one_line(
    store: Store, full: int, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        render(store, full, "md", template=tmp_path / "nope.j2")
    with pytest.raises(ExportError, match="is a folder"):
        render(store, full, "md", template=tmp_path)
    binary = tmp_path / "binary.j2"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ExportError, match="not UTF-8"):
        render(store, full, "md", template=binary)
    with pytest.raises(ExportError, match=r"line 1 may not load 'missing\.j2': a template loads"):
        render_template(store, full, tmp_path, '{% include "missing.j2" %}')
