"""Edit to durable save, on the app's own clock: 1,000 edits through the app's key handlers.

`python -m benchmarks.save_latency DB SESSION_ID` opens the large session (left on step 5),
then runs 500 status changes of action items (the space key's handler) and, on step 3,
500 sign-off toggles of terms (the s key's handler). Each latency runs from the handler's
first line to `Store.update` returning, i.e. to the change being committed with
`synchronous=FULL`; the handlers are called directly, not through `pilot.press`, which
would add the wait for the screen to go idle. Prints one JSON line of milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.inside import SIZE, open_app, step_ready, until

EDITS_PER_STEP = 500
BURST = 25
"""Edits made back to back before the screen is let repaint (a repaint of a full table costs
tens of ms and is not part of the save; repainting after each edit would make this run
minutes long without changing a latency)."""


def _next_status(pane: Any) -> None:
    """What `space` then `enter` does on step 5: save the selected item's next status."""
    item = pane.table.selected_item
    pane.save_status(item, item.next_status())


async def measure(db: Path, session_id: int) -> dict[str, list[float]]:
    """Latency and whole-handler time of each edit, in ms."""
    app = open_app(db, session_id)
    latencies: list[float] = []
    handlers: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: step_ready(5, 1)(app))
        screen: Any = app.screen
        store: Any = app.store  # type: ignore[attr-defined]
        committed: list[float] = []
        update = store.update

        def timed_update(record: Any) -> Any:
            saved = update(record)
            committed.append(time.perf_counter())
            return saved

        store.update = timed_update

        async def edit(step: int, handler: Any, count: int) -> None:
            pane = screen.pane(step)
            for index in range(count):
                pane.table.move_cursor(row=index)
                before = len(committed)
                start = time.perf_counter()
                handler(pane)
                done = time.perf_counter()
                if len(committed) != before + 1:
                    raise RuntimeError(f"edit {index} on step {step} was not saved")
                latencies.append((committed[-1] - start) * 1000)
                handlers.append((done - start) * 1000)
                if index % BURST == BURST - 1:  # the screen catches up: messages, one repaint
                    await pilot.pause()

        await edit(5, _next_status, EDITS_PER_STEP)
        screen.action_goto(3)
        await until(pilot, lambda: step_ready(3, EDITS_PER_STEP)(app))
        await edit(3, lambda pane: pane.action_sign_sales(), EDITS_PER_STEP)
        await pilot.pause()
    return {"latency": latencies, "handler": handlers}


def main(argv: list[str]) -> None:
    """Print the measured milliseconds as JSON."""
    print(json.dumps(asyncio.run(measure(Path(argv[0]), int(argv[1])))))


if __name__ == "__main__":
    main(sys.argv[1:])
