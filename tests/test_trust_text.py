"""Control characters in user text: refused on the way in, never raw on the way out.

A title holding `ESC ] 52` sets the clipboard of the terminal that prints it, `ESC [ 2 J`
clears the screen and a newline prints a fake row. Every text field refuses them (only
multi-line fields take a newline and a tab), and every output (the CLI, the exports, the
TUI's display helpers) neutralises what a hand-edited database may still hold.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from click.testing import CliRunner, Result
from pydantic import TypeAdapter, ValidationError
from test_export_fixtures import TODAY, add_full_session

from workshop import models as m
from workshop.cli import main
from workshop.errors import ValidationFailed
from workshop.export import build_context
from workshop.export.ics import render_ics
from workshop.export.markdown import render_action_plan
from workshop.export.tabular import defuse, render_csv
from workshop.resources import sample_session
from workshop.storage.store import Store

ESC_OSC_52 = "\x1b]52;c;aGVsbG8=\x07"
"""Sets the clipboard to 'hello' in terminals that allow it."""
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
"""A control character an output must not hold: all but the newline that ends its lines."""

MULTI_LINE_FIELDS = {
    "sessions.notes",
    "terms.definition",
    "terms.entry_criteria",
    "terms.exit_criteria",
    "terms.example",
    "stages.exit_criteria",
    "action_items.description",
    "kpi_readings.note",
    "review_notes.text",
}
"""The text fields meant to span lines; every other text field is one line."""


def raw_controls(text: str) -> list[str]:
    """The control characters in `text` but line endings (LF, and the CR LF of CSV and ICS)."""
    return RAW.findall(text.replace("\r\n", "\n"))


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def assert_one_clean_line(result: Result, *words: str) -> None:
    """Exit 2, one `workshop:` line on stderr naming `words`, no raw control anywhere."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("workshop: "), lines
    assert raw_controls(result.stdout + result.stderr) == []
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- the models: every text field, one rule per kind -----------------------------------------


def text_fields() -> list[tuple[str, TypeAdapter[Any], str]]:
    """Every field of every model that takes text: its name, a validator of it alone, a sample."""
    found = []
    for kind in m.MODELS_BY_TABLE.values():
        for name, info in kind.model_fields.items():
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated.__class_getitem__((annotation, *info.metadata))  # type: ignore[attr-defined]
            adapter = TypeAdapter(annotation)
            sample = info.default if isinstance(info.default, str) and info.default else "abc"
            try:
                taken = adapter.validate_python(sample)
            except ValidationError:
                continue  # not text: a number, a date, a choice
            if isinstance(taken, str):
                found.append((f"{kind.table}.{name}", adapter, sample))
    return found


def test_every_text_field_of_every_model_refuses_control_characters() -> None:
    fields = text_fields()
    assert len(fields) >= 30  # the walk found the text fields, it did not skip them all
    for _where, adapter, sample in fields:
        for control in ("\x1b", "\x00", "\x7f", "\x9b", "\x08"):
            with pytest.raises(ValidationError):  # a currency or a model by its pattern
                adapter.validate_python(sample[:1] + control + sample[1:])
    multi_line = set()
    for where, adapter, sample in fields:
        try:
            adapter.validate_python(f"{sample}\nsecond line\tafter a tab")
        except ValidationError:
            continue
        multi_line.add(where)
    assert multi_line == MULTI_LINE_FIELDS


def test_the_error_names_the_field_and_the_character() -> None:
    with pytest.raises(ValidationFailed) as refused:
        m.build(m.Session, {"title": f"Q3 {ESC_OSC_52}"})
    assert str(refused.value) == "title: must not contain a control character (U+001B ESC)"


def test_a_multi_line_field_keeps_its_lines_with_windows_endings_normalised(
    store: Store, session: m.Session
) -> None:
    typed = {"title": "Agree the ICP", "description": "First line\r\nsecond\tline\rthird"}
    saved = store.add(m.build(m.ActionItem, typed), session.id)
    [stored] = store.rows(m.ActionItem, session.id or 0)
    assert saved.description == stored.description == "First line\nsecond\tline\nthird"


def test_a_sign_off_name_with_a_control_character_is_refused() -> None:
    term = m.Term(name="MQL")
    with pytest.raises(ValidationFailed, match="control character"):
        term.sign_off(m.Team.SALES, f"Ann{ESC_OSC_52}", dt.datetime(2026, 11, 17, tzinfo=dt.UTC))


# -- the command line -------------------------------------------------------------------------


def test_a_newline_in_a_title_is_refused_in_one_line(db_path: Path) -> None:
    assert_one_clean_line(run(db_path, "new", "--title", "a\nb"), "title", "line break")


@pytest.mark.parametrize("option", ["--title", "--organisation", "--facilitator"])
def test_an_escape_sequence_in_a_new_session_is_refused(db_path: Path, option: str) -> None:
    values = {"--title": "Q3", option: f"Q3 {ESC_OSC_52}"}
    args = [part for pair in values.items() for part in pair]
    assert_one_clean_line(run(db_path, "new", *args), option[2:], "U+001B ESC")
    with Store(db_path) as check:
        assert check.sessions() == []


def session_file(tmp_path: Path, change: Any) -> Path:
    data = json.loads(sample_session("demo").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "colleague.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


IMPORTS: dict[str, tuple[Any, str]] = {
    "ESC in the title": (lambda d: d["session"].update(title=f"Q3{ESC_OSC_52}"), "session.title"),
    "newline in a term name": (lambda d: d["terms"][0].update(name="MQL\nSQL"), "terms[0].name"),
    "ESC in an action title": (
        lambda d: d["action_items"][0].update(title="x\x1b[2J"),
        "action_items[0].title",
    ),
    "NUL in the notes": (lambda d: d["session"].update(notes="a\x00b"), "session.notes"),
    "C1 CSI in the facilitator": (
        lambda d: d["session"].update(facilitator="Fay\u009b2J"),
        "session.facilitator",
    ),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_a_control_character_in_a_session_file_is_refused(
    tmp_path: Path, db_path: Path, name: str
) -> None:
    change, field = IMPORTS[name]
    result = run(db_path, "import", str(session_file(tmp_path, change)))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert raw_controls(result.stdout + result.stderr) == []
    [problem] = [line for line in result.stderr.splitlines() if field in line]
    assert "must not contain" in problem
    with Store(db_path) as check:
        assert check.sessions() == []


def hand_edit(db_path: Path, sql: str, *params: object) -> None:
    """Change the file the way sqlite-utils would: past every check of the app."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(sql, params)
    conn.close()


@pytest.fixture
def edited(store: Store, session: m.Session, db_path: Path) -> Path:
    """A database whose session title holds escape sequences and a newline, written by hand."""
    store.add(m.ActionItem(title="Agree the ICP", due=dt.date(2026, 12, 1)), session.id)
    hand_edit(db_path, "UPDATE sessions SET title = ?", f"Q3{ESC_OSC_52}\x1b[2J\x00\nfake row")
    hand_edit(db_path, "UPDATE action_items SET title = ?", "ICP\x1b[2J\x9b\nfake")
    return db_path


@pytest.mark.parametrize("command", [["list"], ["status", "1"]])
def test_a_hand_edited_title_never_reaches_the_terminal_raw(
    edited: Path, command: list[str]
) -> None:
    result = run(edited, *command)
    assert "Traceback" not in result.output + result.stderr
    assert raw_controls(result.stdout + result.stderr) == []
    assert "fake row" not in result.stdout.splitlines()[-1:]  # no line of its own


@pytest.mark.parametrize("fmt", ["md", "csv", "ics"])
def test_an_export_of_a_hand_edited_database_holds_no_raw_control(edited: Path, fmt: str) -> None:
    result = run(edited, "export", "1", "--format", fmt, "-o", "-")
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert raw_controls(result.stdout + result.stderr) == []
    if result.exit_code:  # refused as damaged: said in one line
        assert_one_clean_line(result)


HOSTILE = f"{ESC_OSC_52}\x00\x9b2J\x7f\nnext line"
USER_KEYS = {"title", "organisation", "facilitator", "notes", "name", "role", "statement"}
USER_KEYS |= {"theme", "definition", "entry_criteria", "exit_criteria", "example", "by", "sla"}
USER_KEYS |= {"description", "owner", "note", "reason", "reviewer", "author", "text", "unit"}
USER_KEYS |= {"period", "serves", "term", "agreed", "proposed", "disputed"}


def poisoned(value: Any, user: bool = False) -> Any:
    """The context with control characters appended to every piece of user text."""
    if isinstance(value, dict):
        return {key: poisoned(item, key in USER_KEYS) for key, item in value.items()}
    if isinstance(value, list):
        return [poisoned(item, user) for item in value]
    return value + HOSTILE if user and isinstance(value, str) else value


@pytest.mark.parametrize(
    "fmt, render",
    [("md", render_action_plan), ("csv", render_csv), ("ics", render_ics)],
)
def test_each_exporter_neutralises_control_characters_it_is_given(
    store: Store, fmt: str, render: Any
) -> None:
    session = add_full_session(store)
    context = poisoned(build_context(store, session.id or 0, today=TODAY, tables=fmt == "md"))
    assert context["session"]["title"].endswith(HOSTILE)
    text = render(context)
    assert raw_controls(text) == []
    assert "␛" in text and "␀" in text  # shown, by their stand-ins


@pytest.mark.parametrize(
    "text",
    [
        *("＝1+1", "＋1", "－1", "＠SUM(A1)", "\u200b=1+1", "\u200c+1", "\u200d-1", "\u2060@A1"),
        *("\ufeff=HYPERLINK(1)", "  =1+1", "\t=1+1", "\u200b \ufeff=1"),
    ],
)
def test_the_csv_formula_guard_sees_through_blanks_and_full_width_signs(text: str) -> None:
    assert defuse(text) == "'" + text


def test_a_closed_pipe_ends_the_command_quietly(edited: Path, store: Store) -> None:
    hand_edit(edited, "UPDATE sessions SET title = 'Q3 alignment'")
    hand_edit(edited, "UPDATE action_items SET title = 'Agree the ICP'")
    for number in range(50):
        store.create_session(m.Session(title=f"Workshop {number}"))
    child = subprocess.Popen(
        [sys.executable, "-c", "from workshop.cli import main; main()", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "WORKSHOP_DB": str(edited)},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line is written (`| head -0`)
    errors = child.stderr.read()
    assert child.wait(timeout=30) == 141  # the status of a program stopped by SIGPIPE
    assert errors == b""


@pytest.mark.parametrize(
    "args",
    [
        ["import", "missing\nfolder/session.json"],
        ["export", "1", "-o", "missing\nfolder/plan.md"],
    ],
)
def test_an_error_about_a_path_with_a_newline_stays_one_line(
    db_path: Path, session: m.Session, tmp_path: Path, args: list[str]
) -> None:
    args = [str(tmp_path / arg) if "\n" in arg else arg for arg in args]
    assert_one_clean_line(run(db_path, *args), "folder")


# -- the TUI ----------------------------------------------------------------------------------


def test_the_tui_display_helpers_never_show_a_control_character() -> None:
    from tui.steps.action_forms import cell
    from tui.steps.terms_widgets import excerpt
    from tui.widgets.tables import fit

    typed = f"MQL{ESC_OSC_52}\x1b[2J\x00\x9b"
    for shown in (excerpt(typed, 80), cell(typed).plain, fit(typed, 80)):
        assert raw_controls(shown) == [], repr(shown)
        assert "␛" in shown


def test_safe_text_keeps_lines_and_styles_and_turns_tabs_into_spaces() -> None:
    from rich.text import Text

    from tui.safe_text import safe_text

    shown = safe_text(Text.assemble(("a\tb", "bold"), "\nc\x1bd"))
    assert shown.plain == "a b\nc␛d"  # one character for one: the styles stay in place
    assert shown.spans[0].end == 3


async def test_a_pasted_escape_sequence_is_refused_inline_by_the_form(
    make_tui: Any, store: Store, session: m.Session, db_path: Path
) -> None:
    from textual.widgets import Input, Static

    from tui.widgets.forms import FormModal

    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#field-name", Input).value = f"MQL{ESC_OSC_52}"  # a paste
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)  # still open, the typed text kept
        error = str(app.screen.query_one("#form-error", Static).render())
        assert "name: must not contain a control character (U+001B ESC)" in error
    with Store(db_path) as check:
        assert check.rows(m.Term, session.id or 0) == []
