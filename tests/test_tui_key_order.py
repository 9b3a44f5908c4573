"""Keys typed in one burst apply in order: each to what is on screen after the keys before it.

A terminal delivers fast typing (or tmux send-keys) as one read: every key reaches the app
before the first has been handled. `burst` sends keys that way, with no pause between them,
unlike `pilot.press`, which waits for the app to go idle after every key.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot

from tui.screens.session import SessionScreen
from tui.widgets.forms import FormModal
from workshop import models as m
from workshop.storage.store import Store

CHARACTERS = {"space": " ", "tab": "\t", "enter": "\r", "escape": "\x1b"}


async def burst(pilot: Pilot[None], *keys: str | events.Paste) -> None:
    """Send `keys` (and pastes) all at once, as a terminal does with fast typing, then let the
    app settle."""
    app = pilot.app
    for key in keys:
        if isinstance(key, str):
            key = events.Key(key, key if len(key) == 1 else CHARACTERS.get(key))
        key.set_sender(app)
        app.post_message(key)
    for _ in range(3):
        await pilot.pause()


def add_terms(store: Store, session: m.Session, *names: str) -> None:
    """Terms nobody has signed off yet: leaving step 3 asks 'continue anyway?'."""
    for name in names:
        store.add(m.Term(name=name, definition=f"{name} means this"), session.id)


def stored(
    db_path: Path, model: type[m.SessionRecord], session: m.Session
) -> list[m.SessionRecord]:
    """The session's rows of `model` as a fresh connection reads them."""
    with Store(db_path) as check:
        return check.rows(model, session.id or 0)


async def open_step(app, pilot: Pilot[None], number: int) -> SessionScreen:  # type: ignore[no-untyped-def]
    """The session screen showing step `number`, loaded."""
    await pilot.pause()
    await pilot.press(str(number))
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SessionScreen) and screen.step == number
    return screen


async def test_keys_after_yes_on_a_gate_act_on_the_next_step(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    add_terms(store, session, "MQL", "SQL")
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_step(app, pilot, 3)
        await burst(pilot, "ctrl+right", "y", "a")
        assert screen.step == 4
        [gate] = stored(db_path, m.Gate, session)  # the question was asked, and answered yes
        assert (gate.step, gate.continued) == (3, True)
        assert isinstance(app.screen, FormModal)
        assert app.screen.form_title == "Add stage"
        await burst(pilot, *"Nurture", "ctrl+s")
        assert [s.name for s in stored(db_path, m.Stage, session)] == ["Nurture"]
        assert [t.name for t in stored(db_path, m.Term, session)] == ["MQL", "SQL"]


async def test_a_key_after_yes_never_disputes_a_term_left_behind(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    add_terms(store, session, "MQL")
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_step(app, pilot, 3)
        await burst(pilot, "ctrl+right", "y", "d")
        assert screen.step == 4
        [gate] = stored(db_path, m.Gate, session)
        assert (gate.step, gate.continued) == (3, True)
        [term] = stored(db_path, m.Term, session)
        assert term.status is m.TermStatus.PROPOSED
        assert stored(db_path, m.ActionItem, session) == []


async def test_text_typed_right_after_tab_lands_in_the_next_field(
    make_tui, store: Store, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, FormModal)
        await burst(pilot, *"Q1 revenue alignment", "tab", *"Acme Corp", "tab", *"Fay")
        values = app.screen.collected()
        assert (values["title"], values["organisation"], values["facilitator"]) == (
            "Q1 revenue alignment",
            "Acme Corp",
            "Fay",
        )
        await burst(pilot, "ctrl+s")
        with Store(db_path) as check:
            [created] = [summary.session for summary in check.sessions()]
        assert (created.title, created.organisation) == ("Q1 revenue alignment", "Acme Corp")


async def test_keys_typed_right_after_the_key_that_opens_a_form_land_in_it(
    make_tui, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await burst(pilot, "n", *"Q1", "tab", *"Acme", "ctrl+s", "2")
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.step == 2
        with Store(db_path) as check:
            [created] = [summary.session for summary in check.sessions()]
        assert (created.title, created.organisation) == ("Q1", "Acme")


async def test_participant_form_typed_in_one_burst(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_step(app, pilot, 1)
        await burst(pilot, "a", *"Ann Lee", "tab", "tab", *"VP Sales", "ctrl+s", "a", *"Bo")
        people = stored(db_path, m.Participant, session)
        assert [(p.name, p.role) for p in people] == [("Ann Lee", "VP Sales")]
        assert isinstance(app.screen, FormModal)
        assert app.screen.collected()["name"] == "Bo"


async def test_a_key_after_escape_acts_on_the_screen_under_the_modal(
    make_tui, session: m.Session, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_step(app, pilot, 1)
        await pilot.press("a", *"Ann")
        assert isinstance(app.screen, FormModal)
        await burst(pilot, "escape", "2")
        assert app.screen is screen
        assert screen.step == 2
        assert stored(db_path, m.Participant, session) == []


async def test_keys_after_a_delete_confirmation_act_on_the_list(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    store.add(m.Participant(name="Bo Berg", team=m.Team.MARKETING), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_step(app, pilot, 1)
        await burst(pilot, "delete", "y", "enter", "end", *" Jr", "ctrl+s")
        assert app.screen is screen
        people = stored(db_path, m.Participant, session)
        assert [p.name for p in people] == ["Bo Berg Jr"]
        await burst(pilot, "delete", "n", "delete", "escape", "a", *"Cy", "ctrl+s")
        assert app.screen is screen
        people = stored(db_path, m.Participant, session)
        assert sorted(p.name for p in people) == ["Bo Berg Jr", "Cy"]


async def test_two_hundred_characters_and_a_paste_arrive_whole_and_in_order(
    make_tui, session: m.Session
) -> None:
    text = "".join(chr(ord("a") + (i * 7) % 26) for i in range(200))
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_step(app, pilot, 1)
        pasted = events.Paste(" pasted ")
        await burst(pilot, "a", *text[:100], pasted, *text[100:], "tab", "tab", *"Lead")
        assert isinstance(app.screen, FormModal)
        values = app.screen.collected()
        assert values["name"] == text[:100] + " pasted " + text[100:]
        assert values["role"] == "Lead"


async def test_keys_are_never_held_for_ever_by_an_app_that_does_not_settle(
    make_tui, store: Store, session: m.Session, monkeypatch
) -> None:
    """A guard of the mechanism (tui/keys.py), not a regression case: if the app never
    counted as settled, each key would still be handed on after SETTLE_LIMIT."""
    from tui import keys

    for name in ("Ann", "Bo", "Cy", "Di"):
        store.add(m.Participant(name=name, team=m.Team.SALES), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_step(app, pilot, 1)
        table = screen.pane(1).table
        monkeypatch.setattr(keys, "settled", lambda app: False)
        monkeypatch.setattr(keys, "SETTLE_LIMIT", 0.02)
        await burst(pilot, "down", "down", "down")
        assert table.cursor_row == 3
