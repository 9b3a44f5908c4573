"""A step's pausable countdown and how its times are worded: plain data, no storage.

The session screen's timer draws from this before the database is open; `workshop.timebox`
keeps the planned and actual times in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
