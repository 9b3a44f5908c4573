"""Snapshots of what the room sees: the demo session on every step, the session list and the
review screen, at 80×24 and 120×36, in the default and the projector theme.

Each test starts the app once for a size and a theme and takes eight SVG screenshots (the
list, steps 1–6, the review), each compared with its file in tests/__snapshots__/ (syrupy).
The pictures are deterministic: the demo has fixed dates, the clock is frozen, the database
path is relative, no timer runs and animations are off. A failure names the screens that
differ; open their SVG files in a browser to see the pictures.

After an intended change of a screen, refresh every snapshot with one command, then look at
the changed SVG files before committing them:

    uv run pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from textual.pilot import Pilot

from tests.conftest import FakeClock
from tui.app import PROJECTOR_THEME, make_app
from tui.screens.review import ReviewScreen
from tui.screens.session import SessionScreen
from workshop.resources import sample_session
from workshop.storage.session_file import import_json
from workshop.storage.store import Store

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}
THEMES = {"default": None, "projector": PROJECTOR_THEME.name}


class SVGSnapshot(SingleFileSnapshotExtension):
    """One SVG file per screenshot, stored as text so a diff of it can be read."""

    file_extension = "svg"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The demo in `workshop.db` of the current folder (so the list shows a relative path)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("USER", "facilitator")
    monkeypatch.delenv("NO_COLOR", raising=False)  # the app reads it when it is built
    with Store(Path("workshop.db"), clock=FakeClock()) as store:
        return import_json(store, sample_session("demo").read_bytes()).id or 0


async def _settle(pilot: Pilot[Any]) -> None:
    """Wait until the workers are done and the tables have measured their rows."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def _shot(pilot: Pilot[Any]) -> str:
    """The screenshot once the screen has stopped changing: on a busy machine a panel can
    still be filled in after the workers are done, so two pictures in a row must agree."""
    await _settle(pilot)
    previous = pilot.app.export_screenshot()
    for _ in range(20):
        await pilot.pause(0.05)
        await _settle(pilot)
        current = pilot.app.export_screenshot()
        if current == previous:
            break
        previous = current
    return previous


async def _screenshots(size: tuple[int, int], theme: str | None, session_id: int) -> dict[str, str]:
    """The SVG screenshot of each screen, by name, from one run of the app."""
    settings = Path("settings.json")
    settings.write_text(json.dumps({"theme": theme} if theme else {}))
    app = make_app(Path("workshop.db"), clock=FakeClock(), config_path=settings)
    app.animation_level = "none"
    shots: dict[str, str] = {}
    async with app.run_test(size=size) as pilot:
        shots["list"] = await _shot(pilot)
        app.open_session(session_id)
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        for number in range(1, 7):
            screen.step = number  # straight there: no gate question in the picture
            shots[f"step{number}"] = await _shot(pilot)
        app.pop_screen()
        app.open_session(session_id, review=True)
        await _settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        shots["review"] = await _shot(pilot)
    return shots


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
async def test_screens(snapshot: SnapshotAssertion, demo: int, size: str, theme: str) -> None:
    """Every screen the room sees, with the demo loaded, at `size`, in `theme`."""
    shots = await _screenshots(SIZES[size], THEMES[theme], demo)
    stored = snapshot.use_extension(SVGSnapshot)
    differ = [name for name, svg in shots.items() if svg != stored(name=name)]
    assert not differ, f"differ from their snapshots (see the module docstring): {differ}"
