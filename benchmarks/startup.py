"""Start an app headless in this process and report when its first frame (and its rows) appeared.

Every start-up figure of the benchmark comes from this one driver, so the hello-world app and
the workshop app are started the same way: `python -m benchmarks.startup MODE [ARGS]` in a new
process, headless at 120x36. The parent notes `time.perf_counter()` just before it spawns the
process; this driver prints, as one JSON line after the app has exited, the `perf_counter()`
values (the same system-wide monotonic clock on Linux) at which:

- `frame`: the first frame of the target screen was composed and handed to the terminal
  (the first `App._display` of that screen, with its update rendered to terminal bytes);
- `rows`: every row was in its table (the session list, the terms or the action items).

Modes: `hello`; `app-list DB` and `app-session DB SESSION_ID STEP ROWS` (the app built by
`make_app`, as the CLI builds it); `cli-list DB` and `cli-session DB SESSION_ID STEP ROWS`
(the `workshop` command itself, only its final `app.run()` made headless).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.css.query import NoMatches
from textual.screen import Screen

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 36)
TIMEOUT = 60.0
"""Seconds after which a run that never showed its rows gives up (and says so)."""


class Probe:
    """Catches the first frame of one kind of screen, then waits for a condition on the app."""

    def __init__(self, screen_name: str, ready: Callable[[App[Any]], bool]) -> None:
        self.screen_name = screen_name
        """The class name of the screen to catch ("" for any), so nothing is imported early."""
        self.ready = ready
        self.marks: dict[str, float] = {}
        self.app: App[Any] | None = None

    def install(self) -> None:
        """Wrap `App._display`, the one place a composed frame is handed to the terminal."""
        original = App._display
        probe = self

        def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
            original(app, screen, renderable)
            if (
                "frame" not in probe.marks
                and renderable is not None
                and probe.screen_name in ("", type(screen).__name__)
            ):
                render = getattr(renderable, "render_segments", None)
                if render is not None:  # headless skips this; do it so the frame is complete
                    render(app.console)
                probe.marks["frame"] = time.perf_counter()
                probe.check(app)

        App._display = display  # type: ignore[method-assign]

    def watch(self, app: App[Any]) -> None:
        """Poll for the condition every 2 ms once the app runs; give up after TIMEOUT."""
        self.app = app
        started = time.perf_counter()

        def tick() -> None:
            if time.perf_counter() - started > TIMEOUT:
                self.marks["timeout"] = time.perf_counter()
                app.exit()
            else:
                self.check(app)

        app.call_later(lambda: app.set_interval(0.002, tick))

    def check(self, app: App[Any]) -> None:
        """Record the rows mark and quit once both marks are in."""
        if "frame" in self.marks and "rows" not in self.marks and self.ready(app):
            self.marks["rows"] = time.perf_counter()
        if "frame" in self.marks and "rows" in self.marks:
            app.exit()


def hello() -> App[Any]:
    """The bare hello-world app."""
    from benchmarks.hello_app import HelloApp

    return HelloApp()


def list_ready(app: App[Any]) -> bool:
    """The session list shows its sessions."""
    from tui.screens.session_list import SessionListScreen

    screen = app.screen
    return isinstance(screen, SessionListScreen) and bool(screen.summaries)


def step_ready(step: int, rows: int) -> Callable[[App[Any]], bool]:
    """The session's step `step` has all `rows` rows in its table."""

    def ready(app: App[Any]) -> bool:
        from tui.screens.session import SessionScreen

        screen = app.screen
        if not isinstance(screen, SessionScreen) or not screen.query(f"#step-{step}"):
            return False
        try:
            table: Any = screen.pane(step).table  # type: ignore[attr-defined]
        except NoMatches:  # the pane is still being composed
            return False
        if table.row_count < rows:
            return False
        return not getattr(table, "filling", False)

    return ready


def workshop_app(db: Path, config: Path, session_id: int | None) -> App[Any]:
    """The workshop app built as the CLI builds it."""
    from tui.app import make_app

    return make_app(db, session_id=session_id, config_path=config)


def run(app: App[Any], probe: Probe) -> None:
    """Run `app` headless with `probe` watching it."""
    probe.watch(app)
    app.run(headless=True, size=SIZE)


def through_cli(argv: list[str], probe: Probe, config: Path) -> None:
    """Run the `workshop` command itself; only its last step, `app.run()`, is made headless."""
    from workshop import cli
    from workshop.cli import common

    def launch_tui(db: Path, *, session_id: int | None = None, review: bool = False) -> None:
        run(workshop_app(db, config, session_id), probe)

    common.launch_tui = launch_tui
    cli.main(argv)


def main(argv: list[str]) -> None:
    """Run one start-up and print its marks as JSON."""
    mode, args = argv[0], argv[1:]
    db = Path(args[0]) if args else Path("none.db")
    config = db.with_suffix(".settings.json")
    session_id = int(args[1]) if len(args) > 1 else None
    probe = Probe("", lambda app: True)
    if mode.endswith("list"):
        probe = Probe("SessionListScreen", list_ready)
    elif mode.endswith("session"):
        probe = Probe("SessionScreen", step_ready(int(args[2]), int(args[3])))
    probe.install()
    if mode == "hello":
        run(hello(), probe)
    elif mode.startswith("app-"):
        run(workshop_app(db, config, session_id), probe)
    elif mode.startswith("cli-"):
        command = ["open", str(session_id)] if session_id is not None else []
        through_cli(["--db", str(db), *command], probe, config)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(probe.marks))


def spawn(*args: str) -> dict[str, float]:
    """Start `python -m benchmarks.startup ARGS`; the marks in ms after the spawn."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"startup {args} failed:\n{done.stdout}\n{done.stderr}")
    marks: dict[str, float] = json.loads(lines[-1])
    if "timeout" in marks:
        raise RuntimeError(f"startup {args} never showed its rows")
    return {name: (value - start) * 1000 for name, value in marks.items()}


if __name__ == "__main__":
    main(sys.argv[1:])
