"""Keys in order: each key goes to what is on screen once the keys before it have been handled.

Textual hands a key to the focused widget as soon as the app reads it, but what a key does to
the screen happens later: it travels up from the focused widget to the bindings, one message
queue at a time, and the screen it opens, the screen it closes (and that screen's callback) or
the focus it moves take effect in messages after that. A terminal delivers fast typing in one
read, so the keys after it have already been handed to the old widget by then: after `y` on a
"continue anyway?" question, `a` and `d` acted on the step being left; after tab, the text went
into the field before; the first letters typed into a form that had just opened were lost.

`KeyOrder` holds a key (or a paste) that arrives while the app is still busy with the one
before, and hands it on once every message queue has drained: the app has settled. Keys typed
at human speed never wait (the app settles within a few milliseconds); a burst is handed on
in order, none lost, each key once the one before has taken effect (characters typed into a
text field follow each other at once: they cannot move anything). Nothing blocks the event
loop: the wait is a task that checks between other work. A key is handed on after
`SETTLE_LIMIT` even if the app has not settled by then, so typing can never stall.

Every key is declared with `bind`, the app's, the screens' and the steps' alike.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from time import monotonic
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

SETTLE_LIMIT = 1.0
"""Longest a key waits for the app to settle (seconds), so typing never stalls.

Opening a screen or a step settles in a few tens of milliseconds (a few hundred on a busy
machine); only an app that never settles (a bug) makes each key wait this long."""

QUICK_CHECKS = 20
"""Checks made between other tasks' steps before waiting a millisecond between checks."""

Route = Callable[[events.Event], Awaitable[None]]


def bind(
    key: str,
    action: str,
    description: str,
    tooltip: str,
    *,
    area: str = "step",
    name: str | None = None,
    show: bool = True,
    key_display: str | None = None,
    priority: bool = False,
) -> Binding:
    """A binding with an id, so every key is documented (its tooltip) and remappable.

    The id is `area.name`, the name being the action unless given; the command palette lists
    the binding as "area: tooltip".
    """
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=key_display,
        priority=priority,
        id=f"{area}.{name or action}",
        tooltip=tooltip,
    )


def ordered(event: events.Event) -> bool:
    """Whether `event` is typed input that must apply in order: a key or a paste from the
    terminal (not yet handed to a widget)."""
    return isinstance(event, events.Key | events.Paste) and not event.is_forwarded


def _busy(pump: MessagePump) -> bool:
    """Whether `pump` still has work: messages queued or being handled, callbacks due, or
    (a widget) its compose and mount still running. A closing or closed one has none."""
    if pump._closing or pump._closed:
        return False
    if pump.message_queue_size or pump._next_callbacks:
        return True
    # asyncio counts a message as unfinished from put until task_done, which Textual calls
    # once the message has been handled: a handler that is waiting on something is busy.
    if getattr(pump._message_queue, "_unfinished_tasks", 0):
        return True
    if isinstance(pump, Screen) and pump._callbacks:  # call_after_refresh
        return True
    return isinstance(pump, Widget) and not pump.is_mounted


def settled(app: App[Any]) -> bool:
    """Whether the app and every node in it have handled all their messages."""
    pumps: Iterable[MessagePump] = app._registry
    return not _busy(app) and not any(_busy(pump) for pump in pumps)


def takes_text(widget: Widget | None) -> bool:
    """Whether `widget` is a text field that takes typed characters and pastes itself."""
    if isinstance(widget, Input):
        return True
    # TextArea is not imported before a form needs one (a lighter start): until it is, no
    # widget can be one.
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea) and not widget.read_only


def needs_settling(event: events.Event, focused: Widget | None) -> bool:
    """Whether the keys after `event` must wait until the app has handled it.

    Not after a character or a paste that goes to a text field: the field takes it itself and
    nothing moves, so the next key can follow it into the same field at once (a long burst of
    typing is not slowed down). Any other key may move the focus or change the screen.
    """
    typed = isinstance(event, events.Paste) or (
        isinstance(event, events.Key) and event.is_printable
    )
    return not (typed and takes_text(focused))


class KeyOrder:
    """Hands typed input to the app in order, each event once the app has settled."""

    def __init__(self, app: App[Any], route: Route) -> None:
        """`route` hands an event to the focused widget (Textual's own `App.on_event`)."""
        self.app = app
        self.route = route
        self.held: deque[events.Event] = deque()
        self._waiting: asyncio.Task[None] | None = None

    async def handle(self, event: events.Event) -> None:
        """Hand `event` on now if nothing is held and the app has settled, else hold it."""
        self.held.append(event)
        await self._release()

    async def _release(self) -> None:
        """Hand on the held events in order, until one needs the app to settle first."""
        while self._waiting is None and self.held:
            event = self.held.popleft()
            settle = needs_settling(event, self.app.focused)
            try:
                await self.route(event)
            finally:
                if settle:
                    self._waiting = asyncio.create_task(self._wait_until_settled())

    async def _wait_until_settled(self) -> None:
        """Wait until the app settles (at most SETTLE_LIMIT), then hand on what is held."""
        deadline = monotonic() + SETTLE_LIMIT
        checks = 0
        try:
            while not settled(self.app) and monotonic() < deadline:
                checks += 1
                await asyncio.sleep(0 if checks < QUICK_CHECKS else 0.001)
        finally:
            self._waiting = None
            if self.held:
                # In the app's own task, behind what it has queued, like any key it reads.
                self.app.call_later(self._release)

    def stop(self) -> None:
        """Stop waiting (the app is closing); held events are dropped with it."""
        if self._waiting is not None:
            self._waiting.cancel()
        self.held.clear()
