"""The step timer in the session header: time left, paused or running, the bell at zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Digits, Static

from tui.typed import WorkshopNode
from workshop import countdown as cd
from workshop.errors import WorkshopError

if TYPE_CHECKING:
    from workshop import models as m

SAVE_EVERY_SECONDS = 30
"""While running, the time spent is saved this often, so a crash loses at most this much."""


class StepTimer(WorkshopNode, Horizontal):
    """Counts down the current step's timebox; `t` starts/pauses, `+` adds five minutes."""

    def __init__(self, session_id: int) -> None:
        super().__init__(id="step-timer")
        self.session_id = session_id
        self.step = 0
        self.box: m.Timebox | None = None
        self.countdown = cd.Countdown(planned_seconds=0)
        self.rang = False
        self.last_saved_elapsed = 0

    def compose(self) -> ComposeResult:
        yield Static(id="timer-text")
        yield Digits("", id="timer-digits")

    def on_mount(self) -> None:
        self.set_interval(1, self.tick)

    def load(self, step: int) -> None:
        """Switch to `step`'s timebox, pausing and saving the one that was running."""
        self.save(pause=True)
        self.step = step
        from workshop import timebox as tb  # the store's side, loaded once the session is open

        try:
            self.box = tb.timebox_for(self.workshop.store, self.session_id, step)
        except WorkshopError as error:
            self.notify(str(error), severity="error")
            return
        self.countdown = tb.countdown_of(self.box)
        self.last_saved_elapsed = self.countdown.spent_seconds
        self.rang = self.countdown.remaining(self.workshop.clock()) <= 0
        self.refresh_display()

    def toggle(self) -> None:
        """Start or pause the timer; pausing saves the time spent."""
        now = self.workshop.clock()
        self.countdown.toggle(now)
        if not self.countdown.running:
            self.save()
        self.refresh_display()

    def extend(self) -> None:
        """Add five minutes to this step's plan and save it."""
        self.countdown.extend()
        if self.countdown.remaining(self.workshop.clock()) > 0:
            self.rang = False
        self.save()
        self.notify(f"Added {cd.EXTENSION_MINUTES} minutes to step {self.step}.")
        self.refresh_display()

    def save(self, *, pause: bool = False) -> None:
        """Store the plan and the time spent (and pause first when asked)."""
        if self.box is None:
            return
        now = self.workshop.clock()
        if pause and self.countdown.running:
            self.countdown.pause(now)
        from workshop import timebox as tb

        try:
            self.box = tb.save_countdown(self.workshop.store, self.box, self.countdown, now)
        except WorkshopError as error:
            self.notify(f"Timer not saved: {error}", severity="warning")
            return
        self.last_saved_elapsed = self.countdown.elapsed(now)

    def tick(self) -> None:
        """Once a second: redraw, ring the bell at zero, save now and then."""
        if not self.countdown.running:
            return
        now = self.workshop.clock()
        if not self.rang and self.countdown.remaining(now) <= 0:
            self.rang = True
            self.app.bell()
            self.notify(
                f"Time is up for step {self.step}. Press + to add five minutes.",
                severity="warning",
                timeout=10,
            )
        if self.countdown.elapsed(now) - self.last_saved_elapsed >= SAVE_EVERY_SECONDS:
            self.save()
        self.refresh_display()

    def refresh_display(self) -> None:
        """Show the time left, whether it runs, and whether it is over."""
        remaining = self.countdown.remaining(self.workshop.clock())
        state = "▶" if self.countdown.running else "⏸"
        self.query_one("#timer-text", Static).update(f"{state} {cd.format_remaining(remaining)}")
        # The large digits have no room for words: time over counts up with a plus sign.
        digits = cd.format_seconds(remaining)
        self.query_one("#timer-digits", Digits).update(digits if remaining >= 0 else f"+{digits}")
        self.set_class(remaining < 0, "-over")
        self.set_class(self.countdown.running, "-running")
