"""Small typed dialogs: confirm a destructive action, ask 'continue anyway?'."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.keys import bind
from workshop.text import terminal_safe


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question; `y`/enter confirms, `n`/escape cancels."""

    BINDINGS = [
        bind("y", "answer(True)", "Yes", "Confirm", area="confirm", name="yes"),
        bind("n,escape", "answer(False)", "No", "Cancel", area="confirm", name="no"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Questions quote names: shown as typed, never as markup or terminal controls.
            question = terminal_safe(self.question, keep_newlines=True)
            yield Label(question, classes="dialog-question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes_label} (y)", variant="error", id="yes")
                yield Button(f"{self.no_label} (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with the given answer."""
        self.dismiss(answer)
