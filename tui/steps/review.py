"""Step 6: Review & export."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps.base import StepPane


class ReviewStep(StepPane):
    """Preview the action plan and export it; planned vs actual time per step."""

    number = 6
    title = "Review & export"

    def compose(self) -> ComposeResult:
        yield Static(
            "Preview the action plan and export it; planned vs actual time per step.",
            classes="step-intro",
        )
