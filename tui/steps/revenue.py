"""Step 4: Revenue cycle."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps.base import StepPane


class RevenueStep(StepPane):
    """One shared revenue goal, worked backwards through the stages of the revenue cycle."""

    number = 4
    title = "Revenue cycle"

    def compose(self) -> ComposeResult:
        yield Static(
            "One shared revenue goal, worked backwards through the stages of the revenue cycle.",
            classes="step-intro",
        )
