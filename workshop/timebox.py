"""Timeboxes: the planned time per step and the actual time kept, in the store.

The countdown itself and its wording are in `workshop.countdown`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from workshop import models as m
from workshop.countdown import Countdown
from workshop.steps import STEPS

if TYPE_CHECKING:
    from workshop.storage.store import Store

DEFAULT_MINUTES = {step.number: step.default_minutes for step in STEPS}
"""Planned minutes per step number (see `workshop.steps`); the facilitator extends as needed."""


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
