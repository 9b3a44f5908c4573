"""Pilot tests of step 1 (participants) and of the session frame: keys in, database checked."""

from __future__ import annotations

from pathlib import Path

from workshop import models as m
from workshop.storage.store import Store


async def test_add_edit_delete_participant(make_tui, session: m.Session, db_path: Path) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("1", "a")
        await pilot.press(*"Ann Lee", "tab", "down", "down", "enter", "tab", *"VP Sales")
        await pilot.press("ctrl+s")
        await pilot.pause()
        with Store(db_path) as check:
            people = check.rows(m.Participant, session.id or 0)
        assert [(p.name, p.team, p.role) for p in people] == [
            ("Ann Lee", m.Team.MARKETING, "VP Sales")
        ]
        status = str(app.screen.query_one("#save-status").render())
        assert status.startswith("✓ saved ") and status.endswith(" · Added Ann Lee"), status

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("end", *" Jr", "ctrl+s")
        await pilot.pause()
        with Store(db_path) as check:
            assert check.rows(m.Participant, session.id or 0)[0].name == "Ann Lee Jr"

        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("n")  # cancelling keeps the row
        await pilot.pause()
        with Store(db_path) as check:
            assert len(check.rows(m.Participant, session.id or 0)) == 1
        await pilot.press("delete", "y")
        await pilot.pause()
        with Store(db_path) as check:
            assert check.rows(m.Participant, session.id or 0) == []


async def test_empty_name_is_refused_inline_and_text_kept(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("1", "a", "tab", "tab", *"Analyst", "ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#form-error").render())
        assert "name" in error and "empty" in error
        assert app.screen.query_one("#field-role").value == "Analyst"
        with Store(db_path) as check:
            assert check.rows(m.Participant, session.id or 0) == []


async def test_steps_reachable_by_number_and_ctrl_arrows(make_tui, session: m.Session) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        for number in (2, 4, 6, 1):
            await pilot.press(str(number))
            await pilot.pause()
            assert screen.step == number
        await pilot.press("ctrl+right")
        await pilot.pause()
        assert screen.step == 2
        await pilot.press("ctrl+left")
        await pilot.pause()
        assert screen.step == 1
