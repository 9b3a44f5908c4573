"""The panes of the six workshop steps, one module each, in workshop order.

A step's module is imported when the step is first shown (`step_class`), so the session
screen draws its first frame before any pane, model or database is loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.steps.base import StepPane

PANES = (
    ("participants", "ParticipantsStep"),
    ("assess", "AssessStep"),
    ("terms", "TermsStep"),
    ("revenue", "RevenueStep"),
    ("actions", "ActionsStep"),
    ("review", "ReviewStep"),
)
"""Where each step's pane lives: (module in tui.steps, class), step n at index n - 1."""


def step_class(number: int) -> type[StepPane[Any]]:
    """The pane class of step `number`, importing its module the first time."""
    if not 1 <= number <= len(PANES):
        raise ValueError(f"There is no step {number}: steps are 1 to {len(PANES)}.")
    module, name = PANES[number - 1]
    pane: type[StepPane[Any]] = getattr(importlib.import_module(f"tui.steps.{module}"), name)
    return pane


def step_classes() -> tuple[type[StepPane[Any]], ...]:
    """Every step's pane class, in workshop order (imports them all)."""
    return tuple(step_class(number) for number in range(1, len(PANES) + 1))
