"""A step runs in any app that provides `WorkshopContext`: here a small test app, not WorkshopApp.

The pane reaches the store, the clock and the app's failure report only through the context
(tui/context.py), so a fake app with a real store on a temporary file drives it with Pilot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget

from tests.conftest import FakeClock
from tui.steps.participants import ParticipantsStep
from tui.widgets.forms import FormModal
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop.errors import WorkshopError
from workshop.storage.store import Store


class RoomApp(App[None]):
    """Gives the participants pane what `WorkshopContext` names, and nothing of WorkshopApp."""

    def __init__(self, store: Store, session_id: int, clock: FakeClock, config: Path) -> None:
        super().__init__()
        self.store = store
        self.clock: Callable[[], dt.datetime] = clock
        self.settings: dict[str, str] = {}
        self.config_path = config
        self.db_path: Path | None = store.path
        self.session_id = session_id
        self.opened: list[int] = []
        self.failures: list[tuple[Widget, Exception]] = []

    def compose(self) -> ComposeResult:
        yield ParticipantsStep(self.session_id)

    def on_mount(self) -> None:
        self.query_one(ParticipantsStep).reload()

    def open_session(self, session_id: int, *, review: bool | None = None) -> None:
        self.opened.append(session_id)

    def worker_failed(self, node: Widget, error: Exception) -> None:
        self.failures.append((node, error))


@pytest.fixture
def room(store: Store, session: m.Session, clock: FakeClock, tmp_path: Path) -> RoomApp:
    return RoomApp(store, session.id or 0, clock, tmp_path / "settings.json")


async def _until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    """Let the app run until `done()` (a read lands off the UI thread), for 10 s at most."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never got there")


async def test_the_participants_step_runs_without_the_workshop_app(
    room: RoomApp, store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    store.add(m.Participant(name="Bo Chen", team=m.Team.SALES, role="AE"), sid)
    async with room.run_test(size=(100, 24)) as pilot:
        table = room.query_one(RecordTable)
        await _until(pilot, lambda: table.row_count == 1)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(room.screen, FormModal))
        await pilot.press(*"Ann Lee", "tab", "tab", *"CMO", "ctrl+s")
        await _until(pilot, lambda: table.row_count == 2)
    assert [(p.name, p.role) for p in store.rows(m.Participant, sid)] == [
        ("Bo Chen", "AE"),
        ("Ann Lee", "CMO"),
    ]
    assert room.failures == []


async def test_a_failed_read_is_reported_to_the_context(
    room: RoomApp, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*args: object) -> list[m.Participant]:
        raise WorkshopError("The database file was replaced.")

    monkeypatch.setattr(store, "rows", unreadable)
    async with room.run_test(size=(100, 24)) as pilot:
        await _until(pilot, lambda: bool(room.failures))
    [(node, error)] = room.failures
    assert isinstance(node, ParticipantsStep)
    assert str(error) == "The database file was replaced."
