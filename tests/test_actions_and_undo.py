"""Issue 11 frictions: one key per action status, the sorted action list, and what undo takes back.

Keys in (Pilot) or the library API, the database checked.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tui.steps.action_table import ActionTable
from workshop import models as m
from workshop.errors import StaleEdit
from workshop.glossary import dispute_term, toggle_sign_off
from workshop.storage.store import Store

SIZE = (120, 36)


def statuses_logged(db_path: Path, session: m.Session) -> list[str]:
    """The status each logged change of an action item left it in, oldest first."""
    with Store(db_path) as check:
        return [
            str(change.after["status"])
            for change in check.changes(session.id or 0)
            if change.entity == "action_items" and change.after and change.action != "undo"
        ]


def stored_items(db_path: Path, session: m.Session) -> list[m.ActionItem]:
    with Store(db_path) as check:
        return check.rows(m.ActionItem, session.id or 0)


def reach_step(store: Store, session: m.Session, step: int) -> None:
    """What the session screen saves when a step is first shown: how far the workshop got."""
    current = store.get_session(session.id or 0)
    store.update(current.model_copy(update={"step_reached": step}))


def ids_in_order(table: ActionTable) -> list[int]:
    return [int(str(row.key.value)) for row in table.ordered_rows]


async def settle(app: Any, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_step_five(app: Any, pilot: Any) -> ActionTable:
    await settle(app, pilot)
    await pilot.press("5")
    await settle(app, pilot)
    return app.screen.query_one(ActionTable)


# -- status: one key each, only the chosen status logged -------------------------------------


async def test_done_is_one_choice_and_the_log_holds_no_status_passed_through(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.ActionItem(title="Weekly SLA report"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_step_five(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        assert "d  done" in str(app.screen.query_one("#status-options").render_line(3).text)
        await pilot.press("d")
        await pilot.pause()
        [item] = stored_items(db_path, session)
        assert item.status is m.ActionStatus.DONE
        assert table.get_cell(str(item.id), "Status").plain == "done"
        assert statuses_logged(db_path, session) == ["open", "done"]  # created, then done

        await pilot.press("space", "escape")  # changing one's mind saves nothing
        await pilot.press("space", "d")  # nor does picking the status it has
        await pilot.pause()
        assert statuses_logged(db_path, session) == ["open", "done"]

        await pilot.press("ctrl+z")  # one press takes the one change back
        await settle(app, pilot)
        assert stored_items(db_path, session)[0].status is m.ActionStatus.OPEN


async def test_review_screen_sets_a_status_with_one_key(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.ActionItem(title="Fix the CRM sync", due=dt.date(2026, 12, 1)), session.id)
    app = make_tui(session_id=session.id, review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "d")
        await settle(app, pilot)
        assert "done" in str(app.screen.query_one("#review-status").render())
    assert stored_items(db_path, session)[0].status is m.ActionStatus.DONE
    assert statuses_logged(db_path, session) == ["open", "done"]


# -- the action list keeps its order -----------------------------------------------------------


async def test_edited_and_new_rows_take_their_sorted_place_with_the_cursor_on_them(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    with store.transaction():
        first, middle, last = (
            store.add(m.ActionItem(title=title, due=due), session.id)
            for title, due in (
                ("First", dt.date(2026, 12, 1)),
                ("Middle", dt.date(2026, 12, 10)),
                ("Last", dt.date(2026, 12, 20)),
            )
        )
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_step_five(app, pilot)
        assert ids_in_order(table) == [first.id, middle.id, last.id]
        table.move_cursor(row=2)  # the cursor on "Last"
        await pilot.pause()
        assert table.selected_id == last.id
        await pilot.press("enter")
        app.screen.query_one("#field-due").focus()
        await pilot.press("ctrl+u", *"2026-11-30", "ctrl+s")  # due before the others
        await pilot.pause()
        assert ids_in_order(table) == [last.id, first.id, middle.id]  # sort: due
        assert table.selected_id == last.id and table.cursor_row == 0

        await pilot.press("a", *"New")
        app.screen.query_one("#field-due").focus()
        await pilot.press(*"2026-12-05", "ctrl+s")
        await pilot.pause()
        [new] = [i for i in stored_items(db_path, session) if i.title == "New"]
        assert ids_in_order(table) == [last.id, first.id, new.id, middle.id]
        assert table.selected_id == new.id

        await pilot.press("o", "o")  # sort: status (open first, done last)
        await pilot.pause()
        assert "sort: status" in str(app.screen.query_one("#actions-view").render())
        table.move_cursor(row=0)
        await pilot.press("space", "d")  # "Last" is done: it goes to the end
        await pilot.pause()
        assert ids_in_order(table) == [first.id, new.id, middle.id, last.id]
        assert table.selected_id == last.id


# -- undo: bookkeeping is passed over, a dispute and its action are one step -----------------


def test_undo_passes_over_the_step_reached_and_leaves_it(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="MQL"), sid)
    reach_step(store, session, 3)
    undone = store.undo(sid)
    assert undone is not None and (undone.entity, undone.action) == ("terms", "create")
    assert store.rows(m.Term, sid) == []
    assert store.get_session(sid).step_reached == 3
    assert store.undo(sid) is None  # the step reached is never what is undone
    assert store.get_session(sid).step_reached == 3
    assert term.id is not None


def test_undo_of_an_older_session_edit_keeps_the_step_reached(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    store.update(session.model_copy(update={"title": "Q4 alignment"}))
    reach_step(store, session, 4)
    undone = store.undo(sid)
    assert undone is not None and undone.after is not None
    assert undone.after["title"] == "Q4 alignment"
    restored = store.get_session(sid)
    assert (restored.title, restored.step_reached) == (session.title, 4)


def test_stale_checks_still_hold_past_the_step_reached(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="MQL", definition="old"), sid)
    reach_step(store, session, 3)
    raw = sqlite3.connect(store.path, isolation_level=None)
    try:
        raw.execute(
            "UPDATE terms SET definition = 'elsewhere', version = version + 1 WHERE id = ?",
            (term.id,),
        )
    finally:
        raw.close()
    log = store.changes(sid)
    with pytest.raises(StaleEdit, match="changed elsewhere"):
        store.undo(sid)
    assert store.changes(sid) == log
    assert store.get(m.Term, term.id or 0).definition == "elsewhere"


def test_a_dispute_and_the_action_it_opened_undo_in_one_press(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="ICP", definition="Who we sell to"), sid)
    signed = toggle_sign_off(store, term, m.Team.SALES, "Sam")
    dispute_term(store, signed)
    reach_step(store, session, 5)

    undone = store.undo(sid)
    assert undone is not None and (undone.entity, undone.action) == ("terms", "update")
    assert store.get(m.Term, term.id or 0).model_dump(exclude={"version"}) == signed.model_dump(
        exclude={"version"}
    )
    assert store.rows(m.ActionItem, sid) == []
    undone = store.undo(sid)  # walking back goes on: the sign-off, then the term
    assert undone is not None and undone.id == store.changes(sid)[2].id
    assert not store.get(m.Term, term.id or 0).is_signed_off_by(m.Team.SALES)
    undone = store.undo(sid)
    assert undone is not None and undone.action == "create"
    assert store.undo(sid) is None
    assert store.get_session(sid).step_reached == 5


def test_the_undo_message_says_what_was_undone_with_it(store: Store, session: m.Session) -> None:
    from workshop.undo import undo_last

    sid = session.id or 0
    term = store.add(m.Term(name="ICP"), sid)
    dispute_term(store, term)
    reach_step(store, session, 4)
    assert undo_last(store, sid) == (
        "ICP marked disputed; with it: Action 'Agree a definition of 'ICP'' added"
    )
    assert undo_last(store, sid) == "Term 'ICP' added"
    assert undo_last(store, sid) is None


async def test_ctrl_z_after_moving_on_undoes_the_last_edit_not_the_step(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    ann = store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")  # step 3 reached: saved, but not an edit to undo
        await settle(app, pilot)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        status = str(app.screen.query_one("#save-status").render())
        assert status == "✓ undone: Participant 'Ann Lee' added", status
    with Store(db_path) as check:
        assert check.rows(m.Participant, session.id or 0) == []
        assert check.get_session(session.id or 0).step_reached == 3
    assert ann.id is not None


def test_changes_made_together_undo_in_one_press(store: Store, session: m.Session) -> None:
    """The statement bank, the default stages and a stage swap are each one step of undo."""
    from workshop.blind_round import seed_statements
    from workshop.cycle import create_default_stages, move_stage
    from workshop.undo import undo_last

    sid = session.id or 0
    statements = seed_statements(store, sid)
    stages = create_default_stages(store, sid, "bowtie")
    before = [s.name for s in store.rows(m.Stage, sid)]
    move_stage(store, sid, stages[0].id or 0, +1)
    assert [s.name for s in store.rows(m.Stage, sid)] == [before[1], before[0], *before[2:]]

    assert "Stage" in (undo_last(store, sid) or "")  # the swap, both rows at once
    assert [s.name for s in store.rows(m.Stage, sid)] == before
    words = undo_last(store, sid) or ""
    assert f"{len(stages) - 1} more changes made together" in words
    assert store.rows(m.Stage, sid) == []
    assert len(statements) > 1
    undo_last(store, sid)
    assert store.rows(m.Statement, sid) == []
