"""Pilot tests of review mode, the change view and the search across sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tui.screens.review import ReviewScreen
from tui.screens.review_changes import ChangesScreen
from tui.screens.search import SearchScreen
from tui.screens.session import SessionScreen
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop.storage.store import Store


@pytest.fixture
def plan(store: Store, session: m.Session) -> dict[str, int]:
    """Three action items (one overdue and blocked, one in progress, one open) and a KPI."""
    sid = session.id or 0
    owner = store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), sid).id

    def item(title: str, due: str, status: str) -> int:
        data = {"title": title, "due": due, "status": status, "owner_id": owner}
        return store.add(m.build(m.ActionItem, data), sid).id or 0

    kpi = store.add(
        m.Kpi(name="Speed to lead", unit="hours", baseline=31, target=4, direction="down"), sid
    )
    return {
        "late": item("Fix the CRM sync", "2026-11-20", "blocked"),
        "scoring": item("Shared lead-scoring model", "2026-12-30", "in progress"),
        "training": item("Joint ICP training", "2027-01-10", "open"),
        "kpi": kpi.id or 0,
    }


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _table(app) -> RecordTable:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#review-table", RecordTable)


def _row_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    table = _table(app)
    return [int(str(key.value)) for key in table.rows]


async def test_review_pass_is_saved_and_seen_after_reopening(
    make_tui, session: m.Session, plan: dict[str, int], db_path: Path
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid, review=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert _row_ids(app) == [plan["late"], plan["scoring"], plan["training"]]
        assert "since the workshop on 2026-11-23" in str(
            app.screen.query_one("#review-since").render()
        )

        await pilot.press("space", "d")  # blocked → done, picked with one key
        await _settle(app, pilot)
        assert _table(app).selected_id == plan["late"]  # the cursor follows the item
        await pilot.press("up", "up")
        assert _table(app).selected_id == plan["scoring"]
        await pilot.press("space", "d")  # in progress → done: only "done" is saved
        await _settle(app, pilot)

        await pilot.press("k", "tab", *"19.5", "tab", "tab", *"SLA", "ctrl+s")
        await _settle(app, pilot)
        assert "saved" in str(app.screen.query_one("#review-status").render())

    with Store(db_path) as check:
        done = [i.id for i in check.rows(m.ActionItem, sid) if i.status is m.ActionStatus.DONE]
        assert done == [plan["late"], plan["scoring"]]
        [reading] = check.rows(m.KpiReading, sid)
        assert (reading.value, reading.date, reading.note) == (
            Decimal("19.5"),
            dt.date(2026, 11, 23),
            "SLA",
        )
        [review] = check.rows(m.Review, sid)
        assert (review.date, review.reviewer) == (dt.date(2026, 11, 23), "Fay")
        logged = [(c.entity, c.action) for c in check.changes(sid)]
        assert logged.count(("action_items", "update")) == 2
        assert logged[-1] == ("kpi_readings", "create")

    app = make_tui(session_id=sid, review=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        table = _table(app)
        assert _row_ids(app) == [plan["training"], plan["late"], plan["scoring"]]
        done_marks = [str(table.get_row(str(plan[k]))[0]) for k in ("late", "scoring")]
        assert all(mark.startswith("✓") for mark in done_marks)
        kpis = app.screen.query_one("#review-kpis")
        assert "now 19.5 hours" in " ".join(str(w.render()) for w in kpis.query(".kpi-numbers"))
    with Store(db_path) as check:
        assert len(check.rows(m.Review, sid)) == 1  # the same reviewer, the same day


async def test_notes_reschedule_and_what_changed(
    make_tui, session: m.Session, plan: dict[str, int], db_path: Path, clock: FakeClock
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid, review=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await pilot.press("n", *"Call Fri", "ctrl+s")
        await _settle(app, pilot)
        assert "Call Fri" in str(app.screen.query_one("#review-detail").render())
        await pilot.press("N", *"VPs in", "ctrl+s")
        await pilot.press("d", "ctrl+u", *"2026-11-01", "enter")
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        assert isinstance(app.screen, ChangesScreen)
        table = app.screen.query_one("#changes-table", RecordTable)
        what = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert what[:3] == [
            "Action 'Fix the CRM sync' rescheduled to 2026-11-01 (was 2026-11-20)",
            "Review note: VPs in",
            "Note on action 'Fix the CRM sync': Call Fri",
        ]
        await pilot.press("f", "f")  # every kind → terms → actions
        await _settle(app, pilot)
        kinds = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert kinds == {"actions"}
        await pilot.press("escape")
        await _settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("o")
        await _settle(app, pilot)
        compared = str(app.screen.query_one("#compare-text").render())
        assert "no other session of 'Acme'" in compared
        await pilot.press("escape")
    with Store(db_path) as check:
        notes = check.rows(m.ReviewNote, sid)
        assert [(n.text, n.action_item_id) for n in notes] == [
            ("Call Fri", plan["late"]),
            ("VPs in", None),
        ]
        assert check.get(m.ActionItem, plan["late"]).due == dt.date(2026, 11, 1)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_review_fits_the_screen(
    make_tui, session: m.Session, plan: dict[str, int], store: Store, size: tuple[int, int]
) -> None:
    long_title = "Replace marketing's lead-count OKR with a pipeline-contribution goal " * 2
    store.add(m.ActionItem(title=long_title), session.id)
    app = make_tui(session_id=session.id, review=True)
    async with app.run_test(size=size) as pilot:
        await _settle(app, pilot)
        table = _table(app)
        assert table.virtual_size.width <= table.size.width  # nothing scrolls off to the right
        for selector in ("#review-since", "#review-table", "#review-kpis", "#review-progress"):
            region = app.screen.query_one(selector).region
            assert region.height > 0 and region.right <= size[0] and region.bottom <= size[1]


async def test_session_list_review_key_and_search_across_sessions(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="SAL", definition="An MQL an SDR accepted"), sid)
    other = store.create_session(m.Session(title="Other org", organisation="Globex"))
    store.add(m.Term(name="Pipeline", definition="Every SDR-sourced deal"), other.id)
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*'"AND ( *')  # FTS syntax as typed words: no crash, no match
        await _settle(app, pilot)
        assert "Nothing matches" in str(app.screen.query_one("#search-hint").render())
        await pilot.press(*(["backspace"] * 7), *"sdr")
        await _settle(app, pilot)
        table = app.screen.query_one("#search-table", RecordTable)
        assert table.row_count == 2
        hits = app.screen.hits
        row = next(i for i, hit in enumerate(hits) if hit.entity_id == term.id)
        await pilot.press("enter", *(["down"] * row), "enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        assert (app.screen.session_id, app.screen.step) == (sid, 3)
        await pilot.press("escape", "escape")
        await _settle(app, pilot)

        sessions = app.screen.query_one("#sessions-table", RecordTable)
        sessions.select_id(sid)
        await pilot.press("r")
        await _settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.session_id == sid
    with Store(db_path) as check:
        assert len(check.rows(m.Review, sid)) == 1
