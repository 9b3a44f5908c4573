"""What the screens, steps and widgets use from the app that runs them, and their background work.

`WorkshopContext` names it: the store, the clock, the preferences, the database's path and the
few app methods they call. `WorkshopApp` provides it, and so can a small test app with a fake
clock: nothing here imports the app or a screen, so a screen runs without `WorkshopApp`.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

from textual import work
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

if TYPE_CHECKING:
    from workshop.storage.store import Clock, Store

P = ParamSpec("P")
N = TypeVar("N", bound=Widget)


class WorkshopContext(Protocol):
    """The app as its screens, steps and widgets see it (`self.workshop`)."""

    @property
    def store(self) -> Store:
        """The workshop database, opened on first use."""

    @property
    def clock(self) -> Clock:
        """Now, as an aware datetime (a fake one in tests)."""

    @property
    def settings(self) -> dict[str, str]:
        """The preferences that outlive a run (see tui/settings.py)."""

    @property
    def config_path(self) -> Path:
        """The file the preferences are saved in."""

    @property
    def db_path(self) -> Path | None:
        """The database file, when the app knows it (the session list shows it)."""

    def open_session(self, session_id: int, *, review: bool | None = None) -> None:
        """Show a session, or say in a message why it cannot be read."""

    def worker_failed(self, node: Widget, error: Exception) -> None:
        """Report a failed background read of `node` in one line (see `in_background`)."""


def in_background(
    group: str,
) -> Callable[[Callable[Concatenate[N, P], None]], Callable[Concatenate[N, P], Worker[None]]]:
    """Run a widget's method in a thread worker of `group`; a new call cancels the one before.

    Whatever the method raises goes to the app's `worker_failed` on the UI thread: a message,
    and the widget shows it where the result was awaited. A failure is never lost and never
    ends the app.
    """

    def background(
        method: Callable[Concatenate[N, P], None],
    ) -> Callable[Concatenate[N, P], Worker[None]]:
        @functools.wraps(method)
        def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                method(node, *args, **kwargs)
            except Exception as error:
                app = node.app
                failed = getattr(app, "worker_failed", None)
                if not callable(failed) or get_current_worker().is_cancelled:
                    raise  # not a workshop app, or a superseded read: its worker ends quietly
                app.call_from_thread(failed, node, error)

        return work(thread=True, exclusive=True, exit_on_error=False, group=group)(run)

    return background


HOLD_LIMIT = 5.0
"""Longest a widget holds its messages while its background read runs (seconds)."""

HOLD_POLL = 0.002
"""How often a holding widget looks whether its read has landed (seconds)."""


async def hold(worker: Worker[None]) -> None:
    """Hold the caller's messages until `worker` is done, or for `HOLD_LIMIT` at most.

    Called with `call_later`, it keeps the widget busy while its rows are read: the app is
    not settled, so a key typed meanwhile waits for what it was typed at (tui/keys.py).
    """
    deadline = time.monotonic() + HOLD_LIMIT
    while not worker.is_finished and time.monotonic() < deadline:
        await asyncio.sleep(HOLD_POLL)
