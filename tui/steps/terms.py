"""Step 3: Terms."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps.base import StepPane


class TermsStep(StepPane):
    """Agree what each term means; a term counts only when both teams sign it off."""

    number = 3
    title = "Terms"

    def compose(self) -> ComposeResult:
        yield Static(
            "Agree what each term means; a term counts only when both teams sign it off.",
            classes="step-intro",
        )
