"""The choices of a form (team, status, priority…) pick by typing, and read as the tables do."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from tui.screens.help import HelpScreen
from tui.widgets.forms import FormModal
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop.storage.store import Store


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def focus_select(pilot: Pilot[None], name: str) -> Select[object]:
    """Tab to the form's select of field `name` (as a facilitator does)."""
    for _ in range(16):
        focused = pilot.app.focused
        if isinstance(focused, Select) and focused.id == f"field-{name}":
            return focused
        await pilot.press("tab")
    raise AssertionError(f"tab never reached the {name} select")


def label_of(select: Select[object]) -> str:
    """The option the closed select shows."""
    return str(select.query_one("SelectCurrent #label").render())


async def test_typing_m_picks_marketing_and_the_table_says_it_the_same_way(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"Mia Chen")
        team = await focus_select(pilot, "team")
        assert team.value is m.Team.SALES
        await pilot.press("m")
        assert team.value is m.Team.MARKETING and not team.expanded
        shown = label_of(team)
        await pilot.press("question_mark")  # no option starts with it: nothing, not the help
        assert team.value is m.Team.MARKETING
        assert isinstance(app.screen, FormModal) and not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        with Store(db_path) as check:
            [person] = check.rows(m.Participant, session.id or 0)
        assert (person.name, person.team) == ("Mia Chen", m.Team.MARKETING)
        table = app.screen.query_one("#participants-table", RecordTable)
        assert [str(cell) for cell in table.get_row_at(0)][:2] == ["Mia Chen", shown]

        await pilot.press("enter")  # the edit form shows the team as the table does
        await settle(pilot)
        assert label_of(app.screen.query_one("#field-team", Select)) == shown == "marketing"


async def test_every_choice_of_the_action_form_picks_by_typing(
    make_tui, store: Store, session: m.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.widgets import choice

    monkeypatch.setattr(choice, "SEARCH_RESET", 60.0)  # a loaded machine types slowly
    store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    store.add(m.Participant(name="Bo Berg", team=m.Team.MARKETING), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        owner = await focus_select(pilot, "owner_id")
        await pilot.press("b")
        assert label_of(owner) == "Bo Berg (marketing)"
        priority = await focus_select(pilot, "priority")
        await pilot.press("h")
        assert priority.value is m.Priority.HIGH
        status = await focus_select(pilot, "status")
        await pilot.press("b")
        assert status.value is m.ActionStatus.BLOCKED
        category = await focus_select(pilot, "category")
        await pilot.press(*"cr")  # a word: the first option that starts with it
        assert category.value is m.Category.CROSS_FUNCTIONAL
        await pilot.press("c")  # no option starts with "crc": "c" starts again, after this one
        assert category.value is m.Category.COMMUNICATION
        await pilot.press("c")  # the same letter again: the next option with it
        assert category.value is m.Category.CONSULTATION
        await pilot.press("x", "t")  # no option starts with "x" or "xt": "t" starts again
        assert category.value is m.Category.TRAINING
