"""Issue 11: nothing shows a team's scores or index before the reveal, and the reveal is saved.

Before the reveal the plan, its preview, `workshop status`, search and comparisons show only
how far each team has got; the reveal is saved with the session (so a reopen or a crash does
not hide a round the room has seen) and undone by ctrl+z. Also: the cursor goes to the
largest gap on the reveal, home/end work in tables, and an esc right after the score panel
closed itself does not leave the session.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Digits, MarkdownViewer

from tests.conftest import FROZEN_NOW
from tui.screens.session import SessionScreen
from tui.screens.session_list import SessionListScreen
from tui.steps import assess
from tui.steps.assess import AssessStep
from tui.steps.assess_widgets import HIDDEN
from tui.widgets.tables import RecordTable
from workshop import blind_round as br
from workshop import models as m
from workshop.cli import main
from workshop.errors import ValidationFailed
from workshop.resources import sample_session
from workshop.review.search import compare_sessions, search
from workshop.storage.schema import APPLICATION_ID, MIGRATIONS
from workshop.storage.session_file import export_json, import_json
from workshop.storage.store import Store
from workshop.undo import undo_last

# Sales never gives a 2, 3 or 4, marketing never a 5 or 1: a score on show gives itself away.
SALES = [5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1]
MARKETING = [2, 3, 2, 4, 2, 3, 4, 3, 4, 2, 4, 3, 4, 2]


def _run(db_path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db_path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _score(store: Store, session_id: int, *, marketing: bool = True) -> list[m.Statement]:
    statements = br.seed_statements(store, session_id)
    for statement, sales, other in zip(statements, SALES, MARKETING, strict=True):
        br.record_score(store, statement, "sales", sales)
        if marketing:
            br.record_score(store, statement, "marketing", other)
    return statements


def _pane(app) -> AssessStep:  # type: ignore[no-untyped-def]
    screen = next(s for s in app.screen_stack if isinstance(s, SessionScreen))
    return screen.query_one(AssessStep)


def _column(app, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    table = _pane(app).query_one("#assess-table", RecordTable)
    return [str(table.get_cell(key, name)) for key in table.rows]


# -- the plan, status, search and comparisons before and after the reveal ------------------


def test_the_plan_says_in_progress_and_shows_no_score_before_the_reveal(
    store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    _score(store, sid, marketing=False)
    plan = _run(db_path, "export", str(sid), "--format", "md", "-o", "-")
    assert (
        "The assessment is in progress: 14 of 14 statements scored by sales, "
        "0 of 14 by marketing." in plan
    )
    assert "Alignment index" not in plan and "| Sales |" not in plan
    assert "rated 14 statements blind" not in plan

    br.set_revealed(store, sid, True)
    plan = _run(db_path, "export", str(sid), "--format", "md", "-o", "-")
    assert "Sales rated 14 of 14 statements blind, marketing 0 of 14." in plan
    assert "| Sales | 0 |" in plan


def test_a_user_template_gets_no_score_before_the_reveal(
    store: Store, session: m.Session, db_path: Path, tmp_path: Path
) -> None:
    sid = session.id or 0
    _score(store, sid)
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "{% for row in assessment.indices %}[{{ row.index }}]{% endfor %}"
        "{% for gap in assessment.statements %}[{{ gap.sales }}/{{ gap.marketing }}]{% endfor %}"
        "{% for gap in assessment.largest_gaps %}[{{ gap.gap }}]{% endfor %}",
        encoding="utf-8",
    )
    shown = _run(
        db_path, "export", str(sid), "--format", "md", "-o", "-", "--template", str(template)
    )
    assert shown.strip() == ""
    br.set_revealed(store, sid, True)
    shown = _run(
        db_path, "export", str(sid), "--format", "md", "-o", "-", "--template", str(template)
    )
    assert shown.startswith("[0][")


def test_status_shows_progress_before_the_reveal_and_the_index_after(
    store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    _score(store, sid, marketing=False)
    text = _run(db_path, "status", str(sid))
    assert "The assessment is in progress: 14 of 14 statements scored by sales" in text
    assert "Alignment index" not in text
    report = json.loads(_run(db_path, "status", str(sid), "--json"))["assessment"]
    assert report["revealed"] is False
    assert report["scored"] == {"sales": 14, "marketing": 0}
    assert report["indices"] is None and report["largest_gaps"] == []

    br.set_revealed(store, sid, True)
    text = _run(db_path, "status", str(sid))
    assert "Alignment index (0–100): sales 0, marketing —" in text
    report = json.loads(_run(db_path, "status", str(sid), "--json"))["assessment"]
    assert report["revealed"] is True
    assert report["indices"] == {"sales": "0", "marketing": None}


def test_no_gap_action_search_hit_or_comparison_shows_a_score_before_the_reveal(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    _score(store, sid)
    earlier = store.create_session(
        m.Session(title="Last year", organisation="Acme", date=dt.date(2025, 11, 20))
    )
    _score(store, earlier.id or 0)
    row = br.read_round(store, sid)[0]
    with pytest.raises(ValidationFailed, match="Reveal the round first"):
        br.gap_action(store, row)
    assert search(store, "scored") == []
    comparison = compare_sessions(store, sid, earlier.id or 0)
    assert (comparison.sales_now, comparison.marketing_now) == (None, None)
    assert (comparison.sales_then, comparison.marketing_then) == (None, None)

    br.set_revealed(store, sid, True)
    item, _ = br.gap_action(store, row)
    assert [hit.entity_id for hit in search(store, "scored")] == [item.id]
    comparison = compare_sessions(store, sid, earlier.id or 0)
    assert comparison.then.id == earlier.id
    assert comparison.sales_now is not None and comparison.sales_then is None


# -- the reveal is saved: session files, the database, undo ---------------------------------


def test_the_reveal_is_saved_logged_and_undone(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    _score(store, sid)
    revealed = br.set_revealed(store, sid, True)
    assert revealed.revealed_at == FROZEN_NOW
    assert br.set_revealed(store, sid, True) == revealed  # asked again: nothing changes
    change = store.changes(sid)[-1]
    assert (change.entity, change.action, change.after["revealed_at"]) == (  # type: ignore[index]
        "sessions",
        "update",
        "2026-11-23T09:30:00Z",
    )
    assert br.disclose(store, sid).result is not None
    assert undo_last(store, sid) == "Assessment revealed to the room"  # what was undone
    assert store.get_session(sid).revealed_at is None
    assert br.disclose(store, sid).result is None


def test_session_files_carry_the_reveal_and_old_files_import_blind(store: Store) -> None:
    demo = sample_session("demo").read_bytes()
    imported = import_json(store, demo)
    assert imported.revealed_at is not None  # the demo was revealed at the workshop
    assert export_json(store, imported.id or 0).encode() == demo
    old = json.loads(demo)
    del old["session"]["revealed_at"]
    blind = import_json(store, json.dumps(old).encode())
    assert blind.revealed_at is None
    assert '"revealed_at"' not in export_json(store, blind.id or 0)
    assert br.disclose(store, blind.id or 0).result is None


def test_an_older_database_gains_the_reveal_and_reads_as_blind(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:4]:
        conn.executescript(migration)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO sessions (id, title, date) VALUES (1, 'Q3', '2026-11-23')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        columns = [row["name"] for row in store.database.query("PRAGMA table_info(sessions)")]
        assert "revealed_at" in columns
        assert store.get_session(1).revealed_at is None
        assert br.set_revealed(store, 1, True).revealed_at is not None


# -- the app ---------------------------------------------------------------------------------


async def test_export_preview_during_the_blind_round_shows_no_score(
    make_tui, session: m.Session
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "enter", "5", "5", "5", "escape", "m", "x")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        source = app.screen.query_one(MarkdownViewer).document.source
        assert "The assessment is in progress: 3 of 14 statements scored by sales" in source
        assert "Alignment index" not in source and "| Sales |" not in source


async def test_the_reveal_survives_a_reopen_and_ctrl_z_hides_it(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    _score(store, sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "r")
        await pilot.pause()
    with Store(db_path) as check:
        assert check.get_session(sid).revealed_at is not None

    app = make_tui(session_id=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert _pane(app).view.revealed
        assert app.screen.query_one("#sales-index", Digits).value != "--"
        assert HIDDEN not in _column(app, "Sales")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert not _pane(app).view.revealed
        assert set(_column(app, "Marketing")) == {HIDDEN}
        assert app.screen.query_one("#sales-index", Digits).value == "--"
    with Store(db_path) as check:
        assert check.get_session(sid).revealed_at is None


async def test_the_reveal_puts_the_cursor_on_the_largest_gap(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    _score(store, sid)
    largest = br.score_round(br.read_round(store, sid)).gaps[0].statement_id
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "down", "down", "down", "r")
        await pilot.pause()
        assert _pane(app).table.selected_id == largest
        await pilot.press("g")
        await pilot.pause()
    with Store(db_path) as check:
        [item] = check.rows(m.ActionItem, sid)
    assert item.statement_id == largest


async def test_home_and_end_go_to_the_first_and_last_row(
    make_tui, store: Store, session: m.Session
) -> None:
    for title in ("Second", "Third"):
        store.create_session(m.Session(title=title))
    br.seed_statements(store, session.id or 0)
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sessions = app.screen.query_one("#sessions-table", RecordTable)
        await pilot.press("end")
        assert sessions.cursor_row == 2
        await pilot.press("home")
        assert sessions.cursor_row == 0
        await pilot.press("end", "enter", "2", "end")
        await pilot.pause()
        table = _pane(app).table
        assert table.cursor_row == table.row_count - 1 == 13
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_an_esc_right_after_the_panel_closed_itself_stays_in_the_session(
    make_tui, store: Store, session: m.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = session.id or 0
    for statement in br.seed_statements(store, sid)[:-1]:  # all but the last for both teams
        br.record_score(store, statement, "sales", 3)
        br.record_score(store, statement, "marketing", 3)
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "s", "enter", "5")  # statement 14: the panel closes itself
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("escape")  # the reflexive one
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("escape")  # meant: back to the sessions
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)

        # Some time after the panel closed, esc goes back at once.
        monkeypatch.setattr(assess, "ESCAPE_GRACE_SECONDS", 0.0)
        await pilot.press("enter", "2", "m", "enter", "4")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
    with Store(store.path) as check:
        assert {a.team.value: a.score for a in check.rows(m.Answer, sid) if a.score != 3} == {
            "sales": 5,
            "marketing": 4,
        }
