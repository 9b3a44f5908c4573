"""In front of the room: what `workshop status` prints, the timer over time, the gates asking
once per set of open items, planned vs actual without a timer, the export folder remembered."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input

from tests.conftest import FakeClock
from tui.settings import load_settings
from tui.widgets.dialogs import ConfirmModal
from workshop import models as m
from workshop.cli import main
from workshop.export import render
from workshop.storage.store import Store


def _status(db_path: Path, session: m.Session, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["--db", str(db_path), "status", str(session.id), "--as-of", "2026-12-20", *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def noted(store: Store, session: m.Session) -> m.Session:
    """A reviewed session with a KPI never measured and two review notes, one about an item."""
    sid = session.id or 0
    item = store.add(m.ActionItem(title="Fix the sync", due=dt.date(2027, 1, 8)), sid)
    store.add(m.Kpi(name="SLA compliance", unit="%", baseline=42, target=95), sid)
    store.add(m.Review(date=dt.date(2026, 12, 5), reviewer="Fay"), sid)
    store.add(m.ReviewNote(date=dt.date(2026, 12, 5), author="Sam", text="Kick-off done"), sid)
    store.add(
        m.ReviewNote(
            date=dt.date(2026, 12, 12),
            author="Ann",
            text="Blocked by IT\nasked for an exception",
            action_item_id=item.id,
        ),
        sid,
    )
    return session


def test_status_text_lists_the_review_notes_and_says_no_reading_once(
    noted: m.Session, db_path: Path
) -> None:
    text = _status(db_path, noted)
    assert (
        "Notes since 2026-12-05 (2)\n"
        '  - 2026-12-12, Ann, on "Fix the sync": Blocked by IT\n'
        "    asked for an exception\n"
        "  - 2026-12-05, Sam: Kick-off done\n"
    ) in text
    assert "  - SLA compliance: baseline 42%, target 95%; no reading yet\n" in text
    assert text.count("no reading yet") == 1


def test_status_json_carries_the_review_notes(noted: m.Session, db_path: Path) -> None:
    report = json.loads(_status(db_path, noted, "--json"))
    assert report["notes"] == [
        {"date": "2026-12-05", "author": "Sam", "text": "Kick-off done", "action": None},
        {
            "date": "2026-12-12",
            "author": "Ann",
            "text": "Blocked by IT\nasked for an exception",
            "action": "Fix the sync",
        },
    ]


async def test_the_timer_says_over_time_without_a_minus(
    make_tui, session: m.Session, clock: FakeClock
) -> None:
    app = make_tui(session_id=session.id)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        clock.advance(minutes=13, seconds=30)  # step 1 plans 10 minutes
        app.screen.timer.tick()
        await pilot.pause()
        timer = app.screen.timer
        assert str(timer.query_one("#timer-text").render()) == "▶ 3:30 over"
        assert timer.query_one("#timer-digits").value == "+3:30"


async def test_the_terms_gate_asks_once_per_set_and_never_going_back(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    store.add(m.Term(name="SAL"), sid)
    store.add(m.Stage(name="Lead", position=0), sid)  # no owner: the step-4 gate is open too
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "1 term is not signed off by both teams: SAL" in app.screen.question
        await pilot.press("n")  # stay, then continue: one row, the latest answer
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.step == 4
        for key in ("3", "4", "ctrl+left", "ctrl+right"):  # back never asks; SAL was answered
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmModal), key
        assert screen.step == 4

        store.add(m.Term(name="ICP"), sid)  # another open term: a new set, asked again
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "2 terms are not signed off by both teams: ICP, SAL" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert screen.step == 4
    with Store(db_path) as check:
        gates = check.rows(m.Gate, sid)
        plan = render(check, sid, "md", today=dt.date(2026, 11, 23))
    assert [(g.step, g.reason, g.continued) for g in gates] == [
        (3, "1 term is not signed off by both teams: SAL", True),
        (3, "2 terms are not signed off by both teams: ICP, SAL", True),
    ]
    assert plan.count("continued anyway") == 2


async def test_the_owner_gate_asks_once_and_not_going_back(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    store.add(m.Stage(name="Lead", position=0), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
        for key in ("4", "5", "4", "3"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmModal), key
        assert screen.step == 3
    with Store(db_path) as check:
        gates = check.rows(m.Gate, sid)
    assert [(g.step, g.reason, g.continued) for g in gates] == [
        (4, "1 stage has no owner: Lead", True)
    ]


def test_a_plan_written_before_lists_a_repeated_gate_once(
    store: Store, session: m.Session, clock: FakeClock
) -> None:
    sid = session.id or 0
    for _ in range(3):  # what the old gate wrote on every exit
        store.add(m.Gate(step=3, reason="1 term unsigned", continued=True, at=clock()), sid)
    plan = render(store, sid, "md", today=dt.date(2026, 11, 23))
    assert plan.count("1 term unsigned") == 1


async def test_planned_vs_actual_says_not_timed_when_the_timer_never_ran(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    store.add(m.Timebox(step=2, planned_minutes=30, actual_seconds=33 * 60 + 30), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("6")  # step 1 was shown but never timed
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#timebox-table")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    assert rows[:2] == [
        ["1 Participants", "10 min", "not timed", "—"],
        ["2 Assess", "30 min", "33:30", "3:30 over"],
    ]
    with Store(db_path) as check:
        plan = render(check, sid, "md", today=dt.date(2026, 11, 23))
    assert "| 1 Participants | 10:00 | not timed | — |" in plan
    assert "| 2 Assess | 30:00 | 33:30 | +3:30 |" in plan


async def test_the_export_screen_suggests_the_last_folder_used(
    make_tui, session: m.Session, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:

        async def suggested() -> Path:
            await pilot.press("x")
            await pilot.pause()
            return Path(app.screen.query_one("#export-path", Input).value)

        assert (await suggested()).parent == Path.cwd()
        app.screen.query_one("#export-path", Input).value = str(exports / "plan.md")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert (exports / "plan.md").is_file()
        assert (await suggested()).parent == exports
        await pilot.press("escape")
        shutil.rmtree(exports)
        assert (await suggested()).parent == Path.cwd()  # gone: the current folder again
    # Kept in the settings file, so the next run suggests it too.
    assert str(exports) in load_settings(tmp_path / "settings.json").values()
