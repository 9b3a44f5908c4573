"""The status picker: one key sets an action item's status (step 5 and the review)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static

from tui.keys import bind
from workshop import models as m
from workshop import planning
from workshop.text import terminal_safe

STATUS_KEYS = {
    m.ActionStatus.OPEN: "o",
    m.ActionStatus.IN_PROGRESS: "p",
    m.ActionStatus.BLOCKED: "b",
    m.ActionStatus.DONE: "d",
}
"""The key that picks each status in the status picker."""
STATUS_KEYS_HELP = ", ".join(f"{key} {status.value}" for status, key in STATUS_KEYS.items())


def _status_binding(status: m.ActionStatus, key: str) -> Binding:
    tooltip = f"Set the status to {status.value}"
    return bind(key, f"pick('{status.value}')", status.value, tooltip, area="status", name=key)


class StatusModal(ModalScreen[m.ActionStatus | None]):
    """Pick an action item's status with one key, or the arrows and enter; escape cancels.

    Only the status picked is saved, so the log never records one the item merely passed
    through. It opens on the status after the current one: enter moves the item on a step.
    """

    BINDINGS = [
        *(_status_binding(status, key) for status, key in STATUS_KEYS.items()),
        bind("escape", "cancel", "Cancel", "Keep the status", area="status"),
    ]

    def __init__(self, item: m.ActionItem) -> None:
        super().__init__(classes="dialog-screen")
        self.item = item

    def compose(self) -> ComposeResult:
        now = self.item.status
        with Vertical(classes="dialog status-dialog"):
            yield Label(
                terminal_safe(f"Status of '{planning.shown(self.item.title, 48)}'"),
                classes="dialog-question",
                markup=False,
            )
            yield OptionList(
                *(
                    Text(f"{key}  {status.value}" + ("  (now)" if status is now else ""))
                    for status, key in STATUS_KEYS.items()
                ),
                id="status-options",
            )
            yield Static("a letter or enter picks · esc cancels", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(STATUS_KEYS).index(self.item.next_status())
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(list(STATUS_KEYS)[event.option_index])

    def action_pick(self, status: str) -> None:
        """Close with the status `status` picked."""
        self.dismiss(m.ActionStatus(status))

    def action_cancel(self) -> None:
        """Close without changing the status."""
        self.dismiss(None)


def ask_status(node: Widget, item: m.ActionItem, save: Callable[[m.ActionStatus], object]) -> None:
    """Open the picker for `item` and `save` the status chosen; choosing the status it has
    already says so and saves nothing (the step-5 table and the review both ask this way)."""

    def chosen(status: m.ActionStatus | None) -> None:
        if status is None:
            return
        if status is item.status:
            node.notify(f"'{item.title}' is already {status.value}.", markup=False)
            return
        save(status)

    node.app.push_screen(StatusModal(item), chosen)
