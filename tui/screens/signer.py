"""The sign-off picker of step 3: who signs a term off for a team."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

from tui.keys import bind
from tui.safe_text import safe_text


class SignerModal(ModalScreen[str | None]):
    """Pick who signs a term off for a team; enter picks, escape cancels."""

    BINDINGS = [
        bind("escape", "cancel", "Cancel", "Do not sign off", area="signer"),
    ]

    def __init__(self, question: str, names: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog signer-dialog"):
            # The question and the names are typed ("Pat [interim] Jones"): shown as typed.
            yield Label(safe_text(self.question), classes="dialog-question")
            yield OptionList(*map(safe_text, self.names), id="signer-options")
            yield Static("enter signs off · esc cancels", classes="signer-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        """Close without signing off."""
        self.dismiss(None)
