"""Pilot tests of step 3 (terms): keys in, the database checked through a fresh store."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import FROZEN_NOW
from tui.screens.signer import SignerModal
from tui.steps.terms import CLEARED, TermsStep
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormModal
from workshop import models as m
from workshop.storage.store import Store


def stored_terms(db_path: Path, session: m.Session) -> list[m.Term]:
    """The session's terms as a fresh connection reads them."""
    with Store(db_path) as check:
        return check.rows(m.Term, session.id or 0)


async def show_terms(app, pilot: Pilot) -> TermsStep:  # type: ignore[no-untyped-def]
    """Go to step 3 and wait until the terms are loaded."""
    await pilot.pause()
    await pilot.press("3")
    await app.workers.wait_for_complete()
    await pilot.pause()
    pane = app.screen.query_one(TermsStep)
    assert app.screen.step == 3
    return pane


def row_text(pane: TermsStep, index: int) -> list[str]:
    """The cells of the table's row at `index`, as plain text."""
    return [str(cell) for cell in pane.table.get_row_at(index)]


def notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every notification shown so far."""
    return [str(n.message) for n in app._notifications]


async def test_add_sign_off_by_both_teams_then_edit_clears_sign_offs(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    store.add(m.Participant(name="Sam Seller", team=m.Team.SALES), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await show_terms(app, pilot)
        await pilot.press("a", *"MQL", "tab", *"Ready", "tab", *"60")
        await pilot.press("ctrl+s")
        await pilot.pause()
        [term] = stored_terms(db_path, session)
        assert (term.name, term.definition, term.entry_criteria) == ("MQL", "Ready", "60")
        assert term.status is m.TermStatus.PROPOSED
        assert "0 of 1 term agreed" in str(pane.query_one("#terms-count").render())

        await pilot.press("s")  # two sales participants: pick the second
        await pilot.pause()
        assert isinstance(app.screen, SignerModal)
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("m")  # nobody from marketing in the room: the team signs
        await pilot.pause()
        [term] = stored_terms(db_path, session)
        assert term.status is m.TermStatus.AGREED
        assert (term.sales_signoff_by, term.sales_signoff_at) == ("Sam Seller", FROZEN_NOW)
        assert (term.marketing_signoff_by, term.marketing_signoff_at) == ("marketing", FROZEN_NOW)
        assert row_text(pane, 0)[1] == "✔ agreed"
        assert "1 of 1 term agreed" in str(pane.query_one("#terms-count").render())
        assert "Sam Seller" in str(pane.query_one("#terms-detail-text").render())

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press("tab", "end", *" now", "ctrl+s")
        await pilot.pause()
        [term] = stored_terms(db_path, session)
        assert term.definition == "Ready now"
        assert term.sales_signoff_at is None and term.marketing_signoff_at is None
        assert term.status is m.TermStatus.PROPOSED
        assert CLEARED in notices(app)
        assert row_text(pane, 0)[1] == "○ proposed"


async def test_duplicate_name_refused_inline_text_kept(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.Term(name="MQL", definition="Ready for sales"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await show_terms(app, pilot)
        await pilot.press("a", "space", *"mql", "tab", *"Other", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert "already exists" in str(app.screen.query_one("#form-error").render())
        assert app.screen.query_one("#field-name").value == " mql"
        assert app.screen.query_one("#field-definition").text == "Other"
        assert [(t.name, t.definition) for t in stored_terms(db_path, session)] == [
            ("MQL", "Ready for sales")
        ]


async def test_undo_sign_off_then_dispute_then_delete(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    term = store.add(m.Term(name="ICP", definition="Who we sell to"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await show_terms(app, pilot)
        await pilot.press("s")  # nobody from sales in the room: the team signs
        await pilot.pause()
        assert stored_terms(db_path, session)[0].sales_signoff_by == "sales"
        assert row_text(pane, 0)[1] == "◐ sales only"
        await pilot.press("ctrl+z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [undone] = stored_terms(db_path, session)
        assert undone.sales_signoff_at is None and undone.sales_signoff_by is None
        assert row_text(pane, 0)[1:3] == ["○ proposed", "—"]

        await pilot.press("d")
        await pilot.pause()
        [disputed] = stored_terms(db_path, session)
        assert disputed.status is m.TermStatus.DISPUTED
        with Store(db_path) as check:
            [action] = check.rows(m.ActionItem, session.id or 0)
        assert action.term_id == term.id
        assert any(action.title in text for text in notices(app))
        assert row_text(pane, 0)[1] == "✖ disputed"
        await pilot.press("d")  # a second press does not open a second action item
        await pilot.pause()
        with Store(db_path) as check:
            assert len(check.rows(m.ActionItem, session.id or 0)) == 1

        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert len(stored_terms(db_path, session)) == 1
        await pilot.press("delete", "y")
        await pilot.pause()
        assert stored_terms(db_path, session) == []
        assert pane.table.row_count == 0
        with Store(db_path) as check:  # the action item stays, no longer linked
            assert check.rows(m.ActionItem, session.id or 0)[0].term_id is None


async def test_leaving_with_unsigned_term_asks_and_logs_the_answer(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.Term(name="SAL"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await show_terms(app, pilot)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "1 term is not signed off by both teams" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.step == 3
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen.step == 4
    with Store(db_path) as check:
        gates = check.rows(m.Gate, session.id or 0)
    # One row per step and set of open items, holding the latest answer.
    assert [(g.step, g.continued) for g in gates] == [(3, True)]


async def test_reopen_shows_saved_terms(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.Term(name="Lead"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await show_terms(app, pilot)
        await pilot.press("a", *"Opp", "tab", *"opp", "ctrl+s")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
    reopened = make_tui(session_id=session.id)
    async with reopened.run_test(size=(120, 36)) as pilot:
        pane = await show_terms(reopened, pilot)
        assert pane.table.row_count == 2
        assert row_text(pane, 0)[0] == "Lead"
        assert row_text(pane, 1)[:2] == ["Opp", "◑ marketing only"]
        assert "0 of 2 terms agreed" in str(pane.query_one("#terms-count").render())


async def test_table_fits_80_columns(make_tui, store: Store, session: m.Session) -> None:
    long = "A lead that marketing judges ready for sales follow-up, by fit and engagement. " * 3
    term = store.add(m.Term(name="Marketing qualified lead", definition=long), session.id)
    store.update(term.sign_off(m.Team.SALES, "Alexandra Longname", FROZEN_NOW))
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await show_terms(app, pilot)
        table = pane.table
        assert table.virtual_size.width <= table.size.width
        assert "Definition" in str(pane.query_one("#terms-detail-text").render())
