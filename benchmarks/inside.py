"""Measuring inside a running app: frames, rows, event-loop blocks, and waiting without sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from benchmarks.startup import SIZE, step_ready

__all__ = ["SIZE", "Frames", "Watchdog", "open_app", "step_ready", "until"]


class Frames:
    """Notes when a screen of a given class is next handed to the terminal."""

    def __init__(self) -> None:
        self.wanted = ""
        self.seen: float | None = None
        original = App._display
        frames = self

        def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
            original(app, screen, renderable)
            if frames.wanted and renderable is not None and type(screen).__name__ == frames.wanted:
                render = getattr(renderable, "render_segments", None)
                if render is not None:  # headless skips this; do it so the frame is complete
                    render(app.console)
                frames.seen = time.perf_counter()
                frames.wanted = ""

        App._display = display  # type: ignore[method-assign]

    def expect(self, screen_name: str) -> None:
        """Catch the next frame of the screen class `screen_name`."""
        self.wanted, self.seen = screen_name, None


class Watchdog:
    """Measures how long the event loop goes without running a 1 ms timer: its longest block."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - before - 0.001)

    def start(self) -> None:
        """Begin a new measurement."""
        self.worst = 0.0
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> float:
        """End the measurement; the longest block seen, in ms."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        return self.worst * 1000


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 60) -> float:
    """Let the app run until `condition` holds; the perf_counter() time it was first seen."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app never reached the expected state")
        await asyncio.sleep(0.001)
    return time.perf_counter()


def open_app(db: Path, session_id: int | None = None) -> App[Any]:
    """The workshop app on `db`, with its settings kept beside the database."""
    from tui.app import make_app

    return make_app(db, session_id=session_id, config_path=db.with_suffix(".settings.json"))
