"""User text in the Markdown plan is data: printed as typed, never markup, tables keep columns."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_fixtures import (
    HOSTILE,
    LONG_DEFINITION,
    TODAY,
    add_full_session,
    add_hostile_session,
    inline_text,
    markdown_parser,
    table_problems,
)

from workshop.export import build_context, render
from workshop.export.escape import cell, md, md_inline
from workshop.storage.store import Store

# Printable text with every Markdown-significant character, line breaks, tabs, emoji,
# right-to-left scripts and bidi controls.
ALPHABET = st.sampled_from(
    [
        *"abc XYZ 0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\n\r",
        *("é", "ß", "€", "🚀", "👍🏽", "م", "ر", "ע", "\u202e", "\u200f", "\u00a0", "{{", "}}"),
    ]
)
USER_TEXT = st.lists(ALPHABET, max_size=60).map("".join)


def lines_of(text: str) -> list[str]:
    """What the plan keeps of a text: its lines, trimmed, without blank ones, tabs as spaces."""
    stripped = (line.strip().replace("\t", " ") for line in re.split(r"\r\n|\r|\n", text))
    return [line for line in stripped if line]


def inline_tokens(document: str) -> list[object]:
    return [token for token in markdown_parser().parse(document) if token.type == "inline"]


@settings(max_examples=200, deadline=None)
@given(USER_TEXT)
def test_a_cell_keeps_its_row_and_reads_as_typed(text: str) -> None:
    document = f"| before | text | after |\n|---|---|---|\n| 1 | {cell(text)} | 2 |\n"
    tables, problems = table_problems(document)
    assert (tables, problems) == (1, [])
    cells = [token for token in inline_tokens(document)]
    assert [inline_text(token) for token in cells[3:]] == ["1", "\n".join(lines_of(text)), "2"]


@settings(max_examples=200, deadline=None)
@given(USER_TEXT)
def test_paragraph_text_reads_as_typed(text: str) -> None:
    document = f"- Label: {md(text)}\n\nafter\n"
    tokens = markdown_parser().parse(document)
    assert [t.type for t in tokens if t.type.endswith("_open")] == [
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
        "paragraph_open",
    ]
    assert inline_text(tokens[3]) == ("Label: " + "\n".join(lines_of(text))).rstrip()


@settings(max_examples=200, deadline=None)
@given(USER_TEXT)
def test_heading_text_reads_as_typed_on_one_line(text: str) -> None:
    document = f"### {md_inline(text)}\n\nafter\n"
    tokens = markdown_parser().parse(document)
    assert [t.type for t in tokens if t.type.endswith("_open")] == [
        "heading_open",
        "paragraph_open",
    ]
    assert inline_text(tokens[1]) == " ".join(lines_of(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_text_survives_every_filter(text: str) -> None:
    expected = "\n".join(lines_of(text))
    document = f"| x |\n|---|\n| {cell(text)} |\n\n{md(text)}\n\n# {md_inline(text)}\n"
    tables, problems = table_problems(document)
    assert (tables, problems) == (1, [])
    shown = [inline_text(token) for token in inline_tokens(document)]
    assert shown == ["x", expected, expected, " ".join(lines_of(text))]


@pytest.fixture
def hostile_plan(store: Store) -> str:
    session = add_hostile_session(store)
    assert session.id is not None
    return render(store, session.id, "md", today=TODAY)


def test_hostile_text_keeps_every_table_row_whole(hostile_plan: str) -> None:
    tables, problems = table_problems(hostile_plan)
    assert tables >= 10
    assert problems == []


def test_hostile_text_never_becomes_html_or_template_code(hostile_plan: str) -> None:
    tokens = markdown_parser().parse(hostile_plan)
    assert not [t for t in tokens if t.type in ("html_block", "fence", "code_block", "hr")]
    inline_html = {
        child.content
        for token in tokens
        for child in token.children or []
        if child.type == "html_inline"
    }
    assert inline_html == {"<br>"}
    html = markdown_parser().render(hostile_plan)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert "{{ 7*7 }} | &lt;b&gt;Q3&lt;/b&gt; *plan* 🚀" in html  # the title, as typed
    assert "{% raw %}{% include 'x' %}{% endraw %} {# comment #}" in html
    assert "49" not in hostile_plan


def test_hostile_headings_and_labels_read_as_typed(hostile_plan: str) -> None:
    tokens = markdown_parser().parse(hostile_plan)
    headings = [
        inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings[0] == "Action plan: {{ 7*7 }} | <b>Q3</b> *plan* 🚀"
    assert "0. pipes | in | the | middle | (disputed)" in headings
    assert "15. [ref]: http://example.com <http://autolink.example> (disputed)" in headings
    assert "مرحبا بالعالم — עברית — \u202eright-to-left override\u202c" in hostile_plan
    assert "emoji 🚀👍🏽 and flags 🇳🇴 and zwj 👩‍💻" in hostile_plan


def test_a_ten_thousand_character_definition_is_printed_whole(hostile_plan: str) -> None:
    tokens = markdown_parser().parse(hostile_plan)
    ours = ("strong_open", "strong_close")
    texts = [
        inline_text(t, ours) for t in tokens if t.type == "inline" and "very long" in t.content
    ]
    expected = "\n".join(lines_of(LONG_DEFINITION))
    assert expected in texts  # the term's definition paragraph
    assert any(expected in text for text in texts if text != expected)  # the action's cell


# The action tables' rows are written in Python for speed; they must be what this template
# loop (the shipped partial's loop before) writes, for hostile text as for plain.
BY_OWNER_ROW = (
    '| {{ item.due or "" }} | **{{ item.title|cell }}**{% if item.description %}<br>'
    "{{ item.description|cell }}{% endif %} | {{ item.status }}{% if item.overdue %}, "
    "**overdue**{% endif %} | {{ item.priority }} | {{ item.category }} | {% if item.serves %}"
    '{{ item.serves|join("; ")|cell }}{% endif %} |'
)
BY_MONTH_ROW = (
    '| {{ item.due or "" }} | {{ item.title|cell }} | {{ item.owner|cell }} | {{ item.status }}'
    "{% if item.overdue %}, **overdue**{% endif %} | {{ item.priority }} |"
)


@pytest.mark.parametrize("make", [add_hostile_session, add_full_session])
def test_the_action_table_rows_are_what_the_template_loop_wrote(store: Store, make: Any) -> None:
    import jinja2

    from workshop.export.escape import FILTERS

    session = make(store)
    assert session.id is not None
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters.update(FILTERS)
    actions = build_context(store, session.id, today=TODAY)["actions"]
    for groups, row in ((actions["by_owner"], BY_OWNER_ROW), (actions["by_month"], BY_MONTH_ROW)):
        template = environment.from_string(row)
        for group in groups:
            expected = "\n".join(template.render(item=item) for item in group["actions"])
            assert group["table_rows"] == expected
    assert sum(len(group["actions"]) for group in actions["by_owner"]) == actions["total"]
