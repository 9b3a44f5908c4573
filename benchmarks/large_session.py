"""The large session inside a running app: opening it from the list, and typing while it is open.

`python -m benchmarks.large_session DB STEP3_ID STEP5_ID ROUNDS` starts the app on the session
list, then, ROUNDS times for each session (one left on step 3, one on step 5), opens it as
the enter key does and notes when its first frame and its last table row appeared. Then,
on the step 5 session, it opens an action item's form and types into its title, and presses
the table's keys, with a watchdog measuring the event loop's longest block. Prints one JSON
line of milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot

from benchmarks.data import ACTIONS, TERMS
from benchmarks.inside import SIZE, Frames, Watchdog, open_app, step_ready, until

TYPED = "Call every MQL within 24 hours then log the outcome"
KEY_GAP = 0.03
"""Seconds between typed keys: a fast typist."""
TYPING_ROUNDS = 3
"""The typing and the table keys are repeated; the median round counts."""
SETTLE = 0.3
"""Seconds given to each table key's work before its block is read."""
TABLE_KEYS = ("down", "pagedown", "space", "d", "o", "f", "f", "f", "f", "g", "end", "home")


async def open_from_list(
    pilot: Pilot[Any], frames: Frames, session_id: int, step: int
) -> dict[str, float]:
    """Open a session from the list; ms to its first frame and to all its rows."""
    app: Any = pilot.app
    rows = TERMS if step == 3 else ACTIONS
    await until(pilot, lambda: bool(getattr(app.screen, "summaries", None)))
    await pilot.pause()
    app.screen.table.select_id(session_id)
    frames.expect("SessionScreen")
    start = time.perf_counter()
    app.screen.action_open()
    ready = await until(pilot, lambda: frames.seen is not None and step_ready(step, rows)(app))
    assert frames.seen is not None
    result = {"frame": (frames.seen - start) * 1000, "rows": (ready - start) * 1000}
    await app.workers.wait_for_complete()
    app.screen.action_back()
    await pilot.pause()
    return result


def send(app: Any, key: str) -> None:
    """Hand the app one key as the terminal driver does (no waiting for idle, unlike Pilot)."""
    character = {"space": " "}.get(key, key if len(key) == 1 else None)
    event = events.Key(key, character)
    event.set_sender(app)
    app._driver.send_message(event)


async def typing(pilot: Pilot[Any], watchdog: Watchdog) -> dict[str, float]:
    """The longest event-loop block while typing into the edit form, and after each table key.

    Each is the median of TYPING_ROUNDS rounds: a block can also be another process taking
    the CPU (the watchdog measures wall time), and one round's outlier should not decide.

    Keys go in as a fast typist's (one every 30 ms) straight into the driver, because
    `pilot.press` waits for the process to go idle, which the watchdog itself prevents.
    """
    app: Any = pilot.app
    await until(pilot, lambda: step_ready(5, ACTIONS)(app))
    await app.workers.wait_for_complete()
    await pilot.pause()
    rounds: dict[str, list[float]] = {}
    for _ in range(TYPING_ROUNDS):
        await pilot.press("enter")  # the selected action item's form
        await pilot.pause()
        watchdog.start()
        for character in TYPED:
            send(app, "space" if character == " " else character)
            await asyncio.sleep(KEY_GAP)
        rounds.setdefault("typing", []).append(watchdog.stop())
        await pilot.pause()
        typed = app.screen.query_one("#field-title").value
        assert TYPED in typed, f"the keys did not reach the title field: {typed!r}"
        await pilot.press("escape")
        await pilot.pause()
    table = app.screen.pane(5).table
    for _ in range(TYPING_ROUNDS):
        table.focus()
        await pilot.pause()
        assert app.screen.focused is table, f"the keys would go to {app.screen.focused}"
        longest_after: dict[str, float] = {}
        for key in TABLE_KEYS:
            watchdog.start()
            send(app, key)
            await asyncio.sleep(SETTLE)
            await app.workers.wait_for_complete()
            await asyncio.sleep(KEY_GAP)
            longest_after[key] = max(longest_after.get(key, 0.0), watchdog.stop())
        for key, longest in longest_after.items():
            rounds.setdefault(key, []).append(longest)
    return {key: statistics.median(values) for key, values in rounds.items()}


async def measure(db: Path, sessions: dict[int, int], rounds: int) -> dict[str, Any]:
    """Every figure of this module."""
    frames = Frames()
    watchdog = Watchdog()
    opened: dict[str, list[dict[str, float]]] = {"3": [], "5": []}
    app = open_app(db)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(rounds):
            for step, session_id in sessions.items():
                opened[str(step)].append(await open_from_list(pilot, frames, session_id, step))
        await until(pilot, lambda: bool(getattr(app.screen, "summaries", None)))
        app.screen.table.select_id(sessions[5])
        app.screen.action_open()
        blocks = await typing(pilot, watchdog)
    return {"open": opened, "blocks": blocks}


def main(argv: list[str]) -> None:
    """Print the measured milliseconds as JSON."""
    sessions = {3: int(argv[1]), 5: int(argv[2])}
    print(json.dumps(asyncio.run(measure(Path(argv[0]), sessions, int(argv[3])))))


if __name__ == "__main__":
    main(sys.argv[1:])
