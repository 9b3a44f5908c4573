"""Timeboxes: the planned time per step, a pausable countdown, and the actual time kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workshop import models as m
from workshop.steps import STEPS
from workshop.storage.store import Store

DEFAULT_MINUTES = {step.number: step.default_minutes for step in STEPS}
"""Planned minutes per step number (see `workshop.steps`); the facilitator extends as needed."""

EXTENSION_MINUTES = 5


@dataclass
class Countdown:
    """The running state of one step's timer: what was planned, spent, and when it last started."""

    planned_seconds: int
    spent_seconds: int = 0
    running_since: dt.datetime | None = None

    @property
    def running(self) -> bool:
        """Whether the timer is counting now."""
        return self.running_since is not None

    def elapsed(self, now: dt.datetime) -> int:
        """Seconds spent so far, including the current run."""
        current = int((now - self.running_since).total_seconds()) if self.running_since else 0
        return self.spent_seconds + max(current, 0)

    def remaining(self, now: dt.datetime) -> int:
        """Seconds left (negative once over time)."""
        return self.planned_seconds - self.elapsed(now)

    def start(self, now: dt.datetime) -> None:
        """Start counting (no effect if running)."""
        if self.running_since is None:
            self.running_since = now

    def pause(self, now: dt.datetime) -> None:
        """Stop counting and bank the time spent."""
        self.spent_seconds = self.elapsed(now)
        self.running_since = None

    def toggle(self, now: dt.datetime) -> None:
        """Start when paused, pause when running."""
        if self.running:
            self.pause(now)
        else:
            self.start(now)

    def extend(self, minutes: int = EXTENSION_MINUTES) -> None:
        """Add minutes to the plan."""
        self.planned_seconds += minutes * 60


def format_seconds(seconds: int) -> str:
    """A length of time as M:SS, without a sign: whether it is left or over is said in words."""
    minutes, secs = divmod(abs(seconds), 60)
    return f"{minutes}:{secs:02d}"


def format_remaining(seconds: int) -> str:
    """Time left as '8:55 left', or '3:30 over' once the timebox is used up."""
    return f"{format_seconds(seconds)} {'left' if seconds >= 0 else 'over'}"


def format_difference(seconds: int) -> str:
    """Actual minus planned time in words: '3:30 over', '0:50 under' or 'on time'."""
    if seconds == 0:
        return "on time"
    return f"{format_seconds(seconds)} {'over' if seconds > 0 else 'under'}"


def timebox_for(store: Store, session_id: int, step: int) -> m.Timebox:
    """The step's stored timebox, created with the default plan the first time."""
    for box in store.rows(m.Timebox, session_id):
        if box.step == step:
            return box
    return store.add(m.Timebox(step=step, planned_minutes=DEFAULT_MINUTES[step]), session_id)


def countdown_of(box: m.Timebox) -> Countdown:
    """A paused countdown resuming from what the timebox has banked."""
    return Countdown(planned_seconds=box.planned_minutes * 60, spent_seconds=box.actual_seconds)


def save_countdown(
    store: Store, box: m.Timebox, countdown: Countdown, now: dt.datetime
) -> m.Timebox:
    """Store the plan and the time spent so far (called on pause, extend, step change, quit)."""
    planned = max(1, -(-countdown.planned_seconds // 60))
    spent = countdown.elapsed(now)
    if planned == box.planned_minutes and spent == box.actual_seconds:
        return box
    return store.update(
        box.model_copy(update={"planned_minutes": planned, "actual_seconds": spent})
    )


def planned_vs_actual(store: Store, session_id: int) -> list[tuple[int, int, int]]:
    """(step, planned minutes, actual seconds) for every step that has a timebox, in step order.

    Actual seconds are 0 for a step whose timer was never started: callers say "not timed".
    """
    boxes = sorted(store.rows(m.Timebox, session_id), key=lambda b: b.step)
    return [(b.step, b.planned_minutes, b.actual_seconds) for b in boxes]
