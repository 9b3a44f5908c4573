"""Step 2: Assess."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps.base import StepPane


class AssessStep(StepPane):
    """Both teams rate the same statements in a blind round; the largest gaps are the agenda."""

    number = 2
    title = "Assess"

    def compose(self) -> ComposeResult:
        yield Static(
            "Both teams rate the same statements blind; the largest gaps are the agenda.",
            classes="step-intro",
        )
