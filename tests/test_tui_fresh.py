"""One way to keep a step fresh: each step reads what it shows in the background when it is
shown, a read overtaken by a save is never shown, and moving the cursor reads nothing.

The `store` fixture is a second connection to the app's database file, as another process
would be: what it writes shows once the step is shown again.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tui.app import WorkshopApp
from tui.screens.session import SessionScreen
from tui.steps.base import StepPane
from workshop import blind_round as br
from workshop import models as m
from workshop.gates import record_gate
from workshop.storage.store import Store

SIZE = (120, 36)
SESSION_READ = re.compile(r"\bfrom\s+[\"\[]?sessions\b", re.IGNORECASE)
"""A statement that reads the sessions table (sqlite-utils quotes the name, raw SQL need not)."""


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers and the messages they post finish."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def pane_of(app: WorkshopApp, number: int) -> StepPane:
    """The pane of step `number` on the session screen."""
    screen = app.screen
    assert isinstance(screen, SessionScreen)
    return screen.pane(number)


def cells(app: WorkshopApp, number: int) -> str:
    """Every cell of every table of step `number`, as plain text."""
    pane = pane_of(app, number)
    return "\n".join(
        " | ".join(str(cell) for cell in table.get_row_at(row))
        for table in pane.query(DataTable)
        for row in range(table.row_count)
    )


def shown_text(app: WorkshopApp, selector: str) -> str:
    """What the Static `selector` on the session screen renders."""
    return str(app.screen.query_one(selector).render())


def progress(app: WorkshopApp) -> str:
    """The assess step's line of how many statements each team has scored."""
    return shown_text(app, "#assess-progress")


async def go(app: WorkshopApp, pilot: Pilot[None], number: int) -> None:
    """Press the key of step `number` (from step 1 or back: never a gate question) and let
    the step read what it shows."""
    await pilot.press(str(number))
    await settle(pilot)
    assert isinstance(app.screen, SessionScreen) and app.screen.step == number


def away_from(number: int) -> int:
    """A step to leave `number` for and come back from without a gate question."""
    return 2 if number == 1 else 1


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Wait until `condition` holds (a few seconds at most), without waiting for workers."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(what)


# -- an edit made by another process shows when the step is shown again ------------------------

Edit = Callable[[Store, int], None]
Probe = Callable[[WorkshopApp], bool]


def add_participant(store: Store, sid: int) -> None:
    store.add(m.Participant(name="Zoe Elsewhere", team=m.Team.MARKETING), sid)


def score_first_statement(store: Store, sid: int) -> None:
    first = store.rows(m.Statement, sid)[0]
    br.record_score(store, first, "sales", 4)


def add_term(store: Store, sid: int) -> None:
    store.add(m.Term(name="Far MQL"), sid)


def add_stage(store: Store, sid: int) -> None:
    store.add(m.Stage(name="Elsewhere stage", owner_team=m.Team.SALES), sid)


def add_action(store: Store, sid: int) -> None:
    store.add(m.build(m.ActionItem, {"title": "Call back elsewhere"}), sid)


def add_gate(store: Store, sid: int) -> None:
    record_gate(store, sid, 3, "2 terms decided elsewhere", True)


ELSEWHERE: dict[str, tuple[int, Edit, Probe]] = {
    "participants": (1, add_participant, lambda app: "Zoe Elsewhere" in cells(app, 1)),
    "assess": (
        2,
        score_first_statement,
        lambda app: "sales 1/" in progress(app),
    ),
    "terms": (3, add_term, lambda app: "Far MQL" in cells(app, 3)),
    "revenue": (4, add_stage, lambda app: "Elsewhere stage" in cells(app, 4)),
    "actions": (5, add_action, lambda app: "Call back elsewhere" in cells(app, 5)),
    "wrap-up": (6, add_gate, lambda app: "decided elsewhere" in shown_text(app, "#gates-summary")),
}


async def test_an_edit_from_another_process_shows_when_its_step_is_shown_again(
    make_tui, store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    br.seed_statements(store, sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for step, (number, edit, probe) in ELSEWHERE.items():
            await go(app, pilot, 1)  # forwards from step 1 only: no gate question
            await go(app, pilot, number)
            assert not probe(app), step
            edit(store, sid)
            await go(app, pilot, away_from(number))
            await go(app, pilot, number)
            assert probe(app), f"{step} still shows what it read before the edit"


# -- a slow read followed by a quick save never shows the rows it read -------------------------


class SlowRead:
    """Holds the next read of `kind` made off the UI thread, after it has read its rows, until
    released: what it read is older than a save made meanwhile."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kind: type[m.SessionRecord] | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        original = Store.rows

        def rows(store: Store, kind: type[Any], *args: Any, **kwargs: Any) -> list[Any]:
            found = original(store, kind, *args, **kwargs)
            off_ui_thread = threading.current_thread() is not threading.main_thread()
            if kind is self.kind and off_ui_thread:
                self.kind = None
                self.holding.set()
                self.release.wait(10)
            return found

        monkeypatch.setattr(Store, "rows", rows)

    def arm(self, kind: type[m.SessionRecord]) -> None:
        """Hold the next read of `kind`."""
        self.holding.clear()
        self.release.clear()
        self.kind = kind

    async def wait_until_holding(self) -> None:
        """Wait until the slow read has read its rows and is being held."""
        for _ in range(2000):
            if self.holding.is_set():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("the step did not read again")


# (step, the kind its read is slowed after, the keys of a quick save, what shows it)
QUICK_SAVES: dict[str, tuple[int, type[m.SessionRecord], tuple[str, ...], Probe]] = {
    "participants": (
        1,
        m.Participant,
        ("a", *"Bo Quick", "ctrl+s"),
        lambda app: "Bo Quick" in cells(app, 1),
    ),
    "assess": (
        2,
        m.Answer,
        ("plus",),
        lambda app: "sales 1/" in progress(app),
    ),
    "terms": (3, m.Term, ("a", *"SQL", "ctrl+s"), lambda app: "SQL" in cells(app, 3)),
    "revenue": (
        4,
        m.Stage,
        ("a", *"Quick stage", "ctrl+s"),
        lambda app: "Quick stage" in cells(app, 4),
    ),
    # Action items take no key while they are read: the cadence beside them does.
    "cadence": (
        5,
        m.Kpi,
        ("c", "a", *"Quick sync", "ctrl+s"),
        lambda app: "Quick sync" in cells(app, 5),
    ),
}


async def test_a_slow_read_overtaken_by_a_quick_save_is_never_shown(
    make_tui, store: Store, session: m.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = session.id or 0
    br.seed_statements(store, sid)
    slow = SlowRead(monkeypatch)
    # Keys need not wait for the held read (they would, for a few seconds at most).
    monkeypatch.setattr("tui.context.HOLD_LIMIT", 0.0)
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for step, (number, kind, keys, probe) in QUICK_SAVES.items():
            await go(app, pilot, 1)  # forwards from step 1 only: no gate question
            await go(app, pilot, number)
            await go(app, pilot, away_from(number))
            slow.arm(kind)
            await pilot.press(str(number))
            await slow.wait_until_holding()
            await pilot.press(*keys)
            await until(pilot, partial(probe, app), f"{step}: the quick save does not show")
            slow.release.set()
            await settle(pilot)
            assert probe(app), f"{step}: the slow read, older than the save, was shown over it"


# -- the session is read with the rows, and moving the cursor reads nothing --------------------


def traced(app: WorkshopApp) -> list[str]:
    """Collect every SQL statement the app's store runs from now on (in any thread)."""
    statements: list[str] = []
    app.store.database.conn.set_trace_callback(statements.append)
    return statements


async def test_moving_the_cursor_runs_no_query_and_the_session_is_read_with_the_rows(
    make_tui, store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    br.seed_statements(store, sid)
    add_participant(store, sid)
    add_participant(store, sid)
    for index in range(3):
        store.add(m.Term(name=f"Term {index}"), sid)
        store.add(m.Stage(name=f"Stage {index}", owner_team=m.Team.SALES), sid)
        store.add(m.build(m.ActionItem, {"title": f"Action {index}"}), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        statements = traced(app)
        for number in range(1, 7):
            await go(app, pilot, 1)  # forwards from step 1 only: no gate question
            await go(app, pilot, number)
            pane = pane_of(app, number)
            statements.clear()
            pane.reload()
            await settle(pilot)
            reads = [sql for sql in statements if SESSION_READ.search(sql)]
            # The wrap-up summary (workshop/wrap_up.py) reads the session once more for itself.
            expected = 2 if number == 6 else 1
            assert len(reads) == expected, f"step {number} read the session {len(reads)} times"

            statements.clear()
            assert pane.session.id == sid
            await pilot.press("down", "down", "up", "end", "home")
            await settle(pilot)
            assert pane.session.id == sid
            assert statements == [], f"moving the cursor on step {number} ran {statements}"
