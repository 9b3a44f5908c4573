"""Pilot tests of step 5: action items, cadence and KPIs; keys in, database checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from tui.steps.action_forms import SHORT_WORDS
from tui.steps.action_table import ActionTable
from workshop import models as m
from workshop.storage.store import Store

SIZE = (120, 36)


@pytest.fixture
def people(store: Store, session: m.Session) -> dict[str, m.Participant]:
    ann = store.add(m.Participant(name="Ann Lee", team=m.Team.MARKETING), session.id)
    bob = store.add(m.Participant(name="Bob Stone", team=m.Team.SALES), session.id)
    return {"ann": ann, "bob": bob}


def add_items(store: Store, session: m.Session, *items: dict[str, Any]) -> list[m.ActionItem]:
    with store.transaction():
        return [store.add(m.ActionItem(**fields), session.id) for fields in items]


def stored(db_path: Path, session: m.Session, kind: type[Any] = m.ActionItem) -> list[Any]:
    with Store(db_path) as check:
        return check.rows(kind, session.id or 0)


async def open_step_five(app: Any, pilot: Any) -> ActionTable:
    await pilot.pause()
    await pilot.press("5")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(ActionTable)


def shown_ids(table: ActionTable) -> list[int]:
    return [
        int(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)
    ]


def text_of(widget: Any) -> str:
    return str(widget.render())


def screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_add_action_with_owner_and_due_then_reopen(
    make_tui, session: m.Session, people: dict[str, m.Participant], db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        await pilot.press("a", *"Call MQLs", "tab")
        await pilot.press("enter", *"bob", "enter")  # owner, picked by typing part of the name
        await pilot.press("tab", "tab", *"2026-12-01", "ctrl+s")  # team left blank
        await pilot.pause()
        [item] = stored(db_path, session)
        assert (item.title, item.owner_id, item.team, item.due, item.status) == (
            "Call MQLs",
            people["bob"].id,
            m.Team.SALES,  # the owner's team
            dt.date(2026, 12, 1),
            m.ActionStatus.OPEN,
        )
        assert table.row_count == 1
        assert "saved" in text_of(app.screen.query_one("#save-status"))

        await pilot.press("enter", "end", *" now", "ctrl+s")  # edit the selected item
        await pilot.pause()
        [item] = stored(db_path, session)
        assert (item.title, item.owner_id, item.version) == ("Call MQLs now", people["bob"].id, 2)

    reopened = make_tui(session_id=session.id)
    async with reopened.run_test(size=SIZE) as pilot:
        table = await open_step_five(reopened, pilot)
        cells = [cell.plain for cell in table.get_row(str(item.id))]
        assert cells[:3] == ["Call MQLs now", "Bob Stone", "sales"]
        assert "2026-12-01" in cells and "⚠" not in cells[5]


async def test_invalid_due_date_is_refused_inline_and_text_kept(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        await open_step_five(app, pilot)
        await pilot.press("a", *"Fix scoring")
        due = app.screen.query_one("#field-due")
        for typed in ("2026-13-45", "soon"):
            due.focus()
            await pilot.press("ctrl+u", *typed, "ctrl+s")
            await pilot.pause()
            error = text_of(app.screen.query_one("#form-error"))
            assert error.startswith("due:") and "YYYY-MM-DD" in error and typed in error
            assert due.has_class("-invalid")
            assert due.value == typed
            assert app.screen.query_one("#field-title").value == "Fix scoring"
            assert stored(db_path, session) == []


async def test_past_due_date_is_saved_and_flagged(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)  # the clock says 2026-11-23
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        await pilot.press("a", *"Share notes")
        app.screen.query_one("#field-due").focus()
        await pilot.press(*"2026-11-01")
        await pilot.pause()
        assert "due date is in the past" in text_of(app.screen.query_one("#due-warning"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        [item] = stored(db_path, session)
        assert item.due == dt.date(2026, 11, 1)
        assert "due date is in the past" in text_of(app.screen.query_one("#save-status"))
        due_cell = table.get_cell(str(item.id), "Due")
        assert due_cell.plain == "⚠ 2026-11-01"  # the marker reads on a monochrome projector
        assert "⚠ 1 overdue" in text_of(app.screen.query_one("#actions-view"))


async def test_space_picks_a_status_with_one_key_then_delete_asks_first(
    make_tui, session: m.Session, store: Store, db_path: Path
) -> None:
    add_items(store, session, {"title": "Weekly SLA report"})
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        for keys, expected in (
            (("space", "enter"), "in progress"),  # enter takes the next status
            (("space", "d"), "done"),
            (("space", "b"), "blocked"),
            (("space", "o"), "open"),
            (("space", "p"), "in progress"),
        ):
            await pilot.press(*keys)
            await pilot.pause()
            [item] = stored(db_path, session)
            assert item.status.value == expected
            narrow = table.layout_in_use is not None and table.layout_in_use.narrow
            shown = SHORT_WORDS.get(expected, expected) if narrow else expected
            assert table.get_cell(str(item.id), "Status").plain == shown

        logged = len(store.changes(session.id or 0))
        await pilot.press("space", "p")  # the status it has: said, not saved
        await pilot.pause()
        assert len(store.changes(session.id or 0)) == logged
        assert any("already in progress" in str(n.message) for n in app._notifications)

        await pilot.press("ctrl+z")  # undo reloads the step from the database
        await app.workers.wait_for_complete()
        await pilot.pause()
        [item] = stored(db_path, session)
        assert item.status is m.ActionStatus.OPEN
        assert table.get_cell(str(item.id), "Status").plain == "open"

        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert len(stored(db_path, session)) == 1 and table.row_count == 1
        await pilot.press("delete", "y")
        await pilot.pause()
        assert stored(db_path, session) == [] and table.row_count == 0


async def test_filter_by_team_and_status_hides_others(
    make_tui, session: m.Session, store: Store
) -> None:
    sales, _marketing, blocked = add_items(
        store,
        session,
        {"title": "S", "team": m.Team.SALES},
        {"title": "M", "team": m.Team.MARKETING},
        {"title": "B", "team": m.Team.SALES, "status": m.ActionStatus.BLOCKED},
    )
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        assert len(shown_ids(table)) == 3
        await pilot.press("f")  # team: sales
        await pilot.pause()
        assert sorted(shown_ids(table)) == [sales.id, blocked.id]
        assert "team: sales" in text_of(app.screen.query_one("#actions-view"))
        await pilot.press("g", "g", "g", "g")  # status: not done, open, in progress, blocked
        await pilot.pause()
        assert shown_ids(table) == [blocked.id]
        await pilot.press("f")  # team: marketing, status still blocked
        await pilot.pause()
        assert shown_ids(table) == []
        assert "0 of 3 shown" in text_of(app.screen.query_one("#actions-view"))


async def test_sort_by_due_then_priority_with_overdue_marked(
    make_tui, session: m.Session, store: Store
) -> None:
    late, done, critical, undated = add_items(
        store,
        session,
        {"title": "Late", "due": dt.date(2026, 11, 9), "priority": m.Priority.LOW},
        {"title": "Done", "due": dt.date(2026, 11, 10), "status": m.ActionStatus.DONE},
        {"title": "Critical", "due": dt.date(2026, 12, 20), "priority": m.Priority.CRITICAL},
        {"title": "No date", "priority": m.Priority.HIGH},
    )
    app = make_tui(session_id=session.id)  # the clock says 2026-11-23
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_step_five(app, pilot)
        assert shown_ids(table) == [late.id, done.id, critical.id, undated.id]  # blanks last
        text = screen_text(app)  # at 80 columns every column and the filter line still fit
        for heading in ("Title", "Owner", "Team", "Category", "Pri.", "Due", "Status"):
            assert heading in text
        assert "⚠ 2026-11-09" in text and "o sort: due" in text and "g status: all" in text
        assert table.get_cell(str(late.id), "Due").plain == "⚠ 2026-11-09"
        assert "bold" in str(table.get_cell(str(late.id), "Due").style)
        assert table.get_cell(str(done.id), "Due").plain == "2026-11-10"  # done: not overdue
        assert table.get_cell(str(critical.id), "Due").plain == "2026-12-20"

        await pilot.press("o")
        await pilot.pause()
        assert shown_ids(table) == [critical.id, undated.id, done.id, late.id]
        assert "sort: priority" in text_of(app.screen.query_one("#actions-view"))
        await pilot.press("o", "o", "o", "o")  # status, owner, team, back to due
        await pilot.pause()
        assert shown_ids(table) == [late.id, done.id, critical.id, undated.id]


async def test_add_cadence_and_kpi(make_tui, session: m.Session, db_path: Path) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        await open_step_five(app, pilot)
        await pilot.press("c", "a", *"Weekly pipeline review", "tab", "tab")
        await pilot.press("enter", *"wed", "enter", "tab", *"09:30", "ctrl+s")
        await pilot.pause()
        [meeting] = stored(db_path, session, m.Cadence)
        assert (meeting.name, meeting.weekday, meeting.time) == (
            "Weekly pipeline review",
            2,
            dt.time(9, 30),
        )
        assert meeting.attendees == [m.Team.SALES, m.Team.MARKETING]
        cadence = app.screen.query_one("#cadence-table")
        assert cadence.get_cell(str(meeting.id), "When").plain == "Wed 09:30"

        await pilot.press("c", "a", *"Win rate", "tab", "%", "tab", *"abc", "tab", *"20")
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app.screen.query_one("#form-error"))
        assert error.startswith("baseline:") and "number" in error
        assert app.screen.query_one("#field-baseline").value == "abc"
        assert stored(db_path, session, m.Kpi) == []

        app.screen.query_one("#field-baseline").focus()
        await pilot.press(*"12", "ctrl+s")
        await pilot.pause()
        [kpi] = stored(db_path, session, m.Kpi)
        assert (kpi.name, kpi.unit, kpi.baseline, kpi.target, kpi.direction) == (
            "Win rate",
            "%",
            Decimal(12),
            Decimal(20),
            m.Direction.UP,
        )


async def test_two_thousand_items_load_in_a_worker(
    make_tui, session: m.Session, store: Store
) -> None:
    with store.transaction():
        for number in range(2000):
            store.add(m.ActionItem(title=f"Item {number}", due=dt.date(2026, 12, 1)), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        assert table.row_count == 2000
        assert "2,000 of 2,000 shown" in text_of(app.screen.query_one("#actions-view"))
        await pilot.press("f")  # a filter works on the loaded models
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 0


async def test_rows_appended_in_chunks_leave_the_drawn_rows_cached_and_all_reachable(
    make_tui, session: m.Session, store: Store, monkeypatch
) -> None:
    """A chunk goes below the rows on screen: their cells are not rendered again (each chunk
    re-rendered the whole screen, about 40 ms on 5,000 rows), and the last row is reachable."""
    from textual.widgets import DataTable

    with store.transaction():
        for number in range(1200):
            store.add(m.ActionItem(title=f"Item {number:04}"), session.id)
    renders: list[object] = []
    real = DataTable._render_cell

    def counted(self: DataTable[object], row_index: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        renders.append(self._row_locations.get_key(row_index))
        return real(self, row_index, *args, **kwargs)  # type: ignore[arg-type]

    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        assert table.row_count == 1200
        table.clear()
        await pilot.pause()
        monkeypatch.setattr(DataTable, "_render_cell", counted)
        table._append_rows((str(n), (Text(f"row {n}"),) * 7) for n in range(1, 501))
        await pilot.pause()
        drawn_first = len(renders)
        assert drawn_first  # the first chunk is drawn
        table._append_rows((str(n), (Text(f"row {n}"),) * 7) for n in range(501, 1001))
        await pilot.pause()
        assert len(renders) == drawn_first  # nothing on screen changed: nothing re-rendered
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 999
        assert table.get_row_at(999)[0].plain == "row 1000"
        assert "row&#160;1000" in app.export_screenshot()  # drawn where it is scrolled to
