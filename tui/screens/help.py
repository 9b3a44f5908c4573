"""The help screen: every key, by screen, read from the bindings themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.keys import bind

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}
"""Textual's key names shown as the character a facilitator presses."""


def _keys_table(title: str, bindings: list[Binding]) -> str:
    rows = [f"### {title}", "", "| key | action |", "|---|---|"]
    for binding in bindings:
        names = [KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(",")]
        keys = binding.key_display or " / ".join(names)
        rows.append(f"| `{keys}` | {binding.tooltip or binding.description} |")
    return "\n".join(rows)


def help_markdown() -> str:
    """The keymap of every screen as Markdown, built from the Binding objects the app uses."""
    from tui.app import WorkshopApp
    from tui.screens.export import ExportScreen
    from tui.screens.review import ReviewScreen
    from tui.screens.review_changes import ChangesScreen
    from tui.screens.search import SearchScreen
    from tui.screens.session import SessionScreen
    from tui.screens.session_list import SessionListScreen
    from tui.steps import step_classes
    from tui.widgets.forms import FormModal

    def own(bindings: object) -> list[Binding]:
        return [b for b in bindings if isinstance(b, Binding)]  # type: ignore[attr-defined]

    sections = [
        "# Keys",
        "Single-letter keys act only when the cursor is not in a text field. "
        "`ctrl+p` opens the command palette with the same actions. "
        "In a form, typing on a choice (a team, a status) picks the first option that starts "
        "with the letters typed; the same letter again picks the next one.",
        _keys_table("Anywhere", own(WorkshopApp.BINDINGS)),
        _keys_table("Session list", own(SessionListScreen.BINDINGS)),
        _keys_table("In a session", own(SessionScreen.BINDINGS)),
    ]
    for step in step_classes():
        if step.BINDINGS:
            sections.append(_keys_table(f"Step {step.number}: {step.title}", own(step.BINDINGS)))
    sections += [
        _keys_table("Export", own(ExportScreen.BINDINGS)),
        _keys_table("Follow-up review", own(ReviewScreen.BINDINGS)),
        _keys_table("What changed", own(ChangesScreen.BINDINGS)),
        _keys_table("Search across sessions", own(SearchScreen.BINDINGS)),
        _keys_table("Forms and dialogs", own(FormModal.BINDINGS)),
    ]
    return "\n\n".join(sections)


class HelpScreen(ModalScreen[None]):
    """Lists every key by screen; escape, q or ? closes it."""

    BINDINGS = [
        bind("escape,q,question_mark", "close", "Close", "Close help", area="help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_markdown())

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
