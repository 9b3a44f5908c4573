"""Then and now: this session beside the other workshop of the same organisation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.context import in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from workshop.review.search import SessionComparison, compare_sessions, session_to_compare


class CompareScreen(WorkshopNode, ModalScreen[None]):
    """This session beside the other workshop of the same organisation: index and definitions."""

    BINDINGS = [
        bind("escape,q", "close", "Close", "Close the comparison", area="compare"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(classes="dialog-screen")
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="compare-box"):
            yield Label("Then and now", classes="form-title")
            yield Static("Comparing…", id="compare-text")
            yield Static("escape closes", classes="empty-hint")

    def on_mount(self) -> None:
        self.compare()

    @in_background("compare")
    def compare(self) -> None:
        """Find the other session and compare off the UI thread."""
        store = self.workshop.store
        other = session_to_compare(store, self.session_id)
        if other is None or other.id is None:
            session = store.get_session(self.session_id)
            text = Text(
                f"There is no other session of '{session.organisation or 'this organisation'}' "
                "to compare with."
            )
        else:
            text = comparison_text(compare_sessions(store, self.session_id, other.id))
        self.app.call_from_thread(self._show, text)

    def _show(self, text: Text) -> None:
        self.query_one("#compare-text", Static).update(safe_text(text))

    def show_failure(self, message: str) -> None:
        """Say why the sessions could not be compared, in place of the comparison."""
        shown = self.query_one("#compare-text", Static)
        shown.update(safe_text(message))
        shown.add_class("-failed")  # the theme's error colour (review.tcss)

    def action_close(self) -> None:
        """Close the comparison."""
        self.dismiss(None)


def _index(value: object) -> str:
    return "—" if value is None else str(value)


def comparison_text(comparison: SessionComparison) -> Text:
    """The comparison as text: alignment index then and now, then the changed definitions."""
    then, now = comparison.then, comparison.now
    text = Text()
    text.append(f"Then: {then.title} (session {then.id}, {then.date.isoformat()})\n", style="bold")
    text.append(f"Now:  {now.title} (session {now.id}, {now.date.isoformat()})\n\n", style="bold")
    text.append("Alignment index (0–100)   then   now\n", style="underline")
    for team, old, new in (
        ("Sales", comparison.sales_then, comparison.sales_now),
        ("Marketing", comparison.marketing_then, comparison.marketing_now),
    ):
        text.append(f"{team:<25} {_index(old):>5} {_index(new):>5}\n")
    text.append(f"\nDefinitions that changed ({len(comparison.changed)})\n", style="bold")
    for change in comparison.changed:
        text.append(f"{change.name}\n", style="bold")
        text.append(f"  then: {change.then or '(empty)'}\n", style="dim")
        text.append(f"  now:  {change.now or '(empty)'}\n")
    if comparison.added:
        text.append(f"\nNew terms: {', '.join(comparison.added)}\n")
    if comparison.dropped:
        text.append(f"Terms no longer defined: {', '.join(comparison.dropped)}\n")
    return text
