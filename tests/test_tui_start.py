"""Opening a session at start-up (`workshop open ID`): the screen comes before the database.

The session screen draws its header and step bar first; the session is read in the
background with the module of the step it opens on, and the other steps' panes are made
when they are first shown. The session list under it waits until it is shown.
"""

from __future__ import annotations

import threading
from pathlib import Path

from workshop import models as m
from workshop.storage.store import Store


async def test_the_session_screen_is_drawn_before_the_store_is_open(
    make_tui, store: Store, session: m.Session, db_path: Path, monkeypatch
) -> None:
    from tui.screens.session import SessionScreen

    store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    release = threading.Event()
    real_init = Store.__init__

    def slow_open(self: Store, *args: object, **kwargs: object) -> None:
        release.wait(10)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "__init__", slow_open)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert app._store is None  # nothing read yet, and the screen is there
        assert "Participants" in str(screen.query_one("#step-bar").render())
        assert not screen.query(".step")  # no pane before the session is known
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.step == 1
        assert screen.pane(1).table.row_count == 1
        assert [pane.id for pane in screen.query(".step")] == ["step-1"]  # only the one shown


async def test_keys_pressed_before_the_session_is_read_do_not_act_on_an_unknown_step(
    make_tui, store: Store, session: m.Session, monkeypatch
) -> None:
    """Keys wait for the read (at most tui.context.HOLD_LIMIT); past that, a step key, the
    timer, undo or export does nothing until the session is known, and escape goes back."""
    from tui.screens.session import SessionScreen
    from tui.screens.session_list import SessionListScreen

    release = threading.Event()
    real_get = Store.get_session

    def slow_get(self: Store, session_id: int) -> m.Session:
        release.wait(10)
        return real_get(self, session_id)

    monkeypatch.setattr(Store, "get_session", slow_get)
    monkeypatch.setattr("tui.context.HOLD_LIMIT", 0.0)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, SessionScreen) and screen.step == 0
        for key in ("3", "t", "ctrl+z", "x", "ctrl+right"):
            await pilot.press(key)
        await pilot.pause()
        assert app.screen is screen and screen.step == 0  # nothing acted, nothing crashed
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.step == 1  # the step reached, not the 3 typed while it was unknown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)


async def test_a_step_pane_is_made_when_its_step_is_first_shown(
    make_tui, store: Store, session: m.Session
) -> None:
    store.add(m.Term(name="MQL"), session.id)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert [pane.id for pane in screen.query(".step")] == ["step-1"]
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.step == 3
        assert screen.pane(3).table.row_count == 1
        assert sorted(pane.id for pane in screen.query(".step")) == ["step-1", "step-3"]
        await pilot.press("1")
        await pilot.pause()
        shown = [pane.id for pane in screen.query(".step")]
        assert shown.count("step-1") == 1  # kept, not made again


async def test_a_session_that_cannot_be_read_at_start_goes_back_to_the_list(
    make_tui, store: Store, session: m.Session
) -> None:
    from tui.screens.session_list import SessionListScreen

    app = make_tui(session_id=999)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
        assert any("999" in str(n.message) for n in app._notifications)


async def test_the_list_under_a_session_opened_at_start_reads_once_shown(
    make_tui, store: Store, session: m.Session, monkeypatch
) -> None:
    """Covered at once by the session, the list reads nothing; escape shows it with its rows
    and no error (two reads landing together once mounted the table twice)."""
    from tui.screens.session_list import SessionListScreen

    store.create_session(m.Session(title="Second workshop"))
    reads: list[int] = []
    real = Store.sessions

    def counted(self: Store) -> list:  # type: ignore[type-arg]
        reads.append(1)
        return real(self)

    monkeypatch.setattr(Store, "sessions", counted)
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert reads == []
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionListScreen)
        assert reads and screen.table.row_count == 2
        assert not [n for n in app._notifications if n.severity == "error"]
