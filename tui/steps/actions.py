"""Step 5: Actions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps.base import StepPane


class ActionsStep(StepPane):
    """Who does what by when, the standing cadence, and the KPIs both teams track."""

    number = 5
    title = "Actions"

    def compose(self) -> ComposeResult:
        yield Static(
            "Who does what by when, the standing cadence, and the KPIs both teams track.",
            classes="step-intro",
        )
