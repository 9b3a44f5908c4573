"""The panes of the six workshop steps, one module each, in workshop order."""

from __future__ import annotations

from typing import Any

from tui.steps.actions import ActionsStep
from tui.steps.assess import AssessStep
from tui.steps.base import StepPane
from tui.steps.participants import ParticipantsStep
from tui.steps.revenue import RevenueStep
from tui.steps.review import ReviewStep
from tui.steps.terms import TermsStep

STEP_CLASSES: tuple[type[StepPane[Any]], ...] = (
    ParticipantsStep,
    AssessStep,
    TermsStep,
    RevenueStep,
    ActionsStep,
    ReviewStep,
)
