"""The six workshop steps: the one place that says their numbers, names and planned time.

The step bar, the panes, the timeboxes, the wrap-up, search hits and the exported plan all
read their step facts from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of the workshop, as every screen and export names it."""

    number: int
    """Its place in the workshop, from 1."""
    name: str
    """Its full name, e.g. 'Revenue cycle'."""
    short_name: str
    """Its name on a step bar too narrow for the full ones (80 columns)."""
    default_minutes: int
    """Planned minutes (2 h 45 min for all six); the facilitator extends as needed."""


PARTICIPANTS = Step(1, "Participants", "People", 10)
ASSESS = Step(2, "Assess", "Assess", 30)
TERMS = Step(3, "Terms", "Terms", 40)
REVENUE_CYCLE = Step(4, "Revenue cycle", "Revenue", 40)
ACTIONS = Step(5, "Actions", "Actions", 30)
REVIEW = Step(6, "Review & export", "Review", 15)

STEPS: tuple[Step, ...] = (PARTICIPANTS, ASSESS, TERMS, REVENUE_CYCLE, ACTIONS, REVIEW)
"""Every step, in workshop order (`STEPS[n - 1]` is step n)."""


def by_number(number: int) -> Step:
    """The step with this number; KeyError for a number outside 1 to 6."""
    if not 1 <= number <= len(STEPS):
        raise KeyError(number)
    return STEPS[number - 1]
