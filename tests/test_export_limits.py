"""A user's `--template` that would hang, exhaust memory or recurse is stopped with one line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_export_fixtures import TODAY, add_full_session

from workshop.errors import ExportError
from workshop.export import render, sandbox
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


def stopped(store: Store, session_id: int, folder: Path, source: str) -> str:
    """The one-line message a runaway template is stopped with (it must stop within a second)."""
    start = time.perf_counter()
    with pytest.raises(ExportError) as refused:
        render_template(store, session_id, folder, source)
    assert time.perf_counter() - start < 1.0
    message = str(refused.value)
    assert "\n" not in message and "mine.md.j2" in message
    return message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'x' * 999999999 }}", "would build a text of 999,999,999 characters"),
        ("{{ 999999999 * 'x' }}", "would build a text of 999,999,999 characters"),
        ("{{ session.title|center(999999999) }}", "would build a text of 999,999,999"),
        ("{{ 'x'|indent(999999999, true) }}", "would build a text"),
        ("{{ 'x'.ljust(999999999) }}", "would build a text of 999,999,999"),
        ("{{ 'x\ty'.expandtabs(999999999) }}", "would build a text"),
        ("{{ '%999999999d' % 1 }}", "would build a text"),
        ("{{ '%*d' % (999999999, 1) }}", "would build a text"),
        ("{{ '%999999999d'|format(1) }}", "would build a text"),
        ("{{ '{:>999999999}'.format(1) }}", "would build a text"),
        ("{{ '{:{}}'.format(1, 999999999) }}", "would build a text"),
        ("{{ 'ab'|replace('', 'y' * 10000000) }}", "would build a text"),
        ("{{ session.title|wordwrap(1, wrapstring='z' * 1000000) }}", "would build a text"),
        ("{{ session.title|wordwrap(1, true, 'z' * 1000000) }}", "would build a text"),
        ("{{ [1] * 999999999 }}", "would build a list"),
        ("{{ (['x' * 10000000] * 1000)|join }}", "would build a list"),
        ("{{ ['x' * 10000000] * 1000 ~ '' }}", "would build a list"),
        ("{{ range(10)|batch(999999999, 'x')|list }}", "would build a list"),
        ("{{ range(1)|map('center', 999999999)|list }}", "would build a text"),
        ("{{ 10 ** 100000000 }}", "would build a number of more than 100,000 bits"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "would build a text of 33,554,432 characters",
        ),
        (
            "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
            "{% set ns.n = ns.n * ns.n %}{% endfor %}",
            "would build a number",
        ),
        ("{% for i in range(10000) %}{{ 'y' * 10000 }}{% endfor %}", "writes more than 20,000,000"),
        ("{{ range(10**20)|list }}", "would make a range of more than 10,000 numbers"),
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
            "would make a range of more than 10,000 numbers",
        ),
        (
            "{% set xs = range(10000)|list %}"
            "{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}",
            "ran more than 2,000,000 loop iterations",
        ),
    ],
)
def test_a_template_that_would_build_too_much_is_stopped_before_it_does(
    store: Store, full: int, tmp_path: Path, source: str, expected: str
) -> None:
    message = stopped(store, full, tmp_path, source)
    assert ", line 1 was stopped: it " in message or " was stopped: it writes" in message
    assert expected in message


@pytest.mark.parametrize(
    "source",
    [
        "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}{{ again(1) }}",
        "{% include 'mine.md.j2' %}",
        "{% for i in [1] recursive %}{{ loop([i]) }}{% endfor %}",
    ],
)
def test_a_template_that_calls_itself_is_stopped(
    store: Store, full: int, tmp_path: Path, source: str
) -> None:
    message = stopped(store, full, tmp_path, source)
    assert "was stopped: it nests too deeply" in message


def test_a_slow_template_is_stopped_by_the_time_limit(
    store: Store, full: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.05)
    monkeypatch.setattr(sandbox, "SECONDS_PER_ITEM", 0.0)
    source = "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"
    message = stopped(store, full, tmp_path, source)
    assert "was stopped: it took longer than 0.05 seconds" in message


def test_the_limits_do_not_change_what_a_template_prints(
    store: Store, full: int, tmp_path: Path
) -> None:
    shipped = render(store, full, "md", today=TODAY)
    assert render_template(store, full, tmp_path, '{% include "action_plan.md.j2" %}') == shipped
    source = (
        "{% for x in actions.all %}{{ loop.index }}/{{ loop.length }}{{ loop.last }} "
        "{% else %}none{% endfor %}|{% for x in [] %}a{% else %}none{% endfor %}|"
        "{{ 'ab' * 2 }}{{ 2 ** 10 }}{{ '%05d'|format(42) }}{{ '{:>4}'.format(7) }}"
        "{{ 'a' ~ [1, 2] }}{{ (1, 2) + (3,) }}"
    )
    assert render_template(store, full, tmp_path, source) == (
        "1/5False 2/5False 3/5False 4/5False 5/5True |none|abab102400042   7a[1, 2](1, 2, 3)"
    )


def test_the_output_limit_grows_with_the_session_data(
    store: Store, full: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large session may print its data several times over, but not without end."""
    monkeypatch.setattr(sandbox, "MIN_OUTPUT", 100)
    assert render_template(store, full, tmp_path, '{% include "action_plan.md.j2" %}')
    message = stopped(
        store,
        full,
        tmp_path,
        '{% for i in range(100) %}{% include "action_plan.md.j2" %}{% endfor %}',
    )
    assert "was stopped: it writes more than" in message
