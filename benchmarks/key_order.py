"""What keeping keys in order costs: `uv run python -m benchmarks.key_order`.

The app hands typed keys on one at a time, each once it has settled from the one before
(tui/keys.py). This prints, for the demo session and for a large session (5,000 action
items on step 5):

- how many nodes the settled check looks at and how long one check takes;
- from idle on each step, how long until the app counts as settled (it must be quick, or
  every key would wait);
- for a burst of 200 characters sent at once into a form field, 100 characters typed as a
  fast typist (one every 30 ms), and 50 down-arrows sent at once to a table: the time until
  all of them have taken effect ("done") and the event loop's longest block meanwhile
  (watchdog), with the keys kept in order and, for comparison, with Textual's own routing
  (every key handed on at once).

It asserts nothing but that every character arrived, in order; it prints figures.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from benchmarks.data import ACTIONS, large_session
from benchmarks.inside import SIZE, Watchdog, open_app, step_ready, until
from benchmarks.large_session import send

TEXT = "".join(chr(ord("a") + (i * 7) % 26) for i in range(200))
"""Two hundred characters, none repeated next to its neighbour."""
KEY_GAP = 0.03
"""Seconds between keys: a fast typist."""
CHECKS = 200
"""Settled checks timed for the per-check figure."""
TABLE_KEYS = 50
"""Down-arrows sent at once to a table."""
ROUNDS = 3
"""Each burst is repeated; the median counts (a block can be another process's doing)."""


async def check_cost(app: Any) -> tuple[int, float]:
    """The nodes the settled check looks at, and one check's median time in microseconds."""
    from tui.keys import settled

    times = []
    for _ in range(CHECKS):
        start = time.perf_counter()
        settled(app)
        times.append(time.perf_counter() - start)
        await asyncio.sleep(0)
    return len(app._registry), statistics.median(times) * 1_000_000


async def time_to_settle(app: Any) -> float:
    """From now, the milliseconds until the app counts as settled."""
    from tui.keys import settled

    start = time.perf_counter()
    while not settled(app):
        await asyncio.sleep(0)
    return (time.perf_counter() - start) * 1000


async def field_text(pilot: Pilot[Any], wanted: int, timeout: float = 60) -> tuple[str, float]:
    """Wait until the focused field holds `wanted` characters; its text and when."""
    app: Any = pilot.app
    seen = await until(pilot, lambda: len(getattr(app.focused, "value", "")) >= wanted, timeout)
    return app.focused.value, seen


@contextmanager
def routing(app: Any, in_order: bool) -> Iterator[None]:
    """Keys kept in order (the app as it is), or handed on at once as Textual does."""
    original = app.key_order.handle
    if not in_order:
        app.key_order.handle = app.key_order.route
    try:
        yield
    finally:
        app.key_order.handle = original


async def into_form(
    pilot: Pilot[Any], watchdog: Watchdog, text: str, gap: float
) -> tuple[float, float]:
    """Open the add form and send `text` into its first field, `gap` seconds apart (0: all at
    once); ms until it is all in the field, and the longest block meanwhile."""
    app: Any = pilot.app
    await pilot.press("a")
    await pilot.pause()
    watchdog.start()
    start = time.perf_counter()
    for character in text:
        send(app, character)
        if gap:
            await asyncio.sleep(gap)
    typed, seen = await field_text(pilot, len(text))
    block = watchdog.stop()
    assert typed.endswith(text), f"characters lost or reordered: {typed!r}"
    await pilot.press("escape")
    await pilot.pause()
    return (seen - start) * 1000, block


async def table_keys(pilot: Pilot[Any], watchdog: Watchdog) -> tuple[float, float]:
    """Send TABLE_KEYS down-arrows at once to the step's table (fewer if it has fewer rows); ms
    until the cursor has moved that far, and the longest block meanwhile. Every one of them
    waits for the app to settle."""
    app: Any = pilot.app
    table = app.screen.pane(app.screen.step).table
    table.focus()
    table.move_cursor(row=0)
    await pilot.pause()
    count = min(TABLE_KEYS, table.row_count - 1)
    watchdog.start()
    start = time.perf_counter()
    for _ in range(count):
        send(app, "down")
    seen = await until(pilot, lambda: table.cursor_row >= count)
    return (seen - start) * 1000, watchdog.stop()


def medians(rounds: list[tuple[float, float]]) -> tuple[float, float]:
    """The median of each figure over the rounds."""
    return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


async def measure(db: Path, session_id: int, label: str, ready_rows: int) -> None:
    """Print every figure for one session."""
    app: Any = open_app(db, session_id)
    watchdog = Watchdog()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: step_ready(5, ready_rows)(app) or ready_rows == 0)
        await app.workers.wait_for_complete()
        await pilot.pause()
        nodes, micro = await check_cost(app)
        print(f"{label}: the settled check looks at {nodes} nodes, {micro:.0f} µs each (median)")
        idle = []
        for step in range(1, 7):
            app.screen.step = step  # as a number key does, without the 'continue anyway?'
            await app.workers.wait_for_complete()
            await pilot.pause()
            idle.append(f"{step}: {await time_to_settle(app):.1f}")
        print(f"  from idle to settled on each step (ms): {', '.join(idle)}")
        app.screen.step = 5
        await app.workers.wait_for_complete()
        await pilot.pause()
        print(f"  median of {ROUNDS}, ms{'':27}keys in order           Textual's own routing")
        cases: list[tuple[str, Callable[[], Awaitable[tuple[float, float]]]]] = [
            ("200 characters at once", lambda: into_form(pilot, watchdog, TEXT, 0)),
            (
                "100 characters, every 30 ms",
                lambda: into_form(pilot, watchdog, TEXT[:100], KEY_GAP),
            ),
            (f"{TABLE_KEYS} down-arrows at once (at most)", lambda: table_keys(pilot, watchdog)),
        ]
        for name, case in cases:
            figures = []
            for in_order in (True, False):
                with routing(app, in_order):
                    done, block = medians([await case() for _ in range(ROUNDS)])
                figures.append(f"done {done:5.0f}, block {block:5.1f}")
            print(f"  {name:<36}{figures[0]:<24}{figures[1]}")


def main() -> None:
    """Build the databases in a temporary folder and measure."""
    from workshop.storage.session_file import import_json
    from workshop.storage.store import Store

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        with Store(db) as store:
            demo = import_json(store, (root / "sample_sessions" / "demo.json").read_bytes())
            large = large_session(store, 5)
        asyncio.run(measure(db, demo.id or 0, "demo session", 0))
        asyncio.run(measure(db, large, f"large session ({ACTIONS:,} action items)", ACTIONS))


if __name__ == "__main__":
    main()
    sys.exit(0)
