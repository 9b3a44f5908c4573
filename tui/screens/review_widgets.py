"""The pieces of the review view: item rows, progress bars, KPI cards and the comparison."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Sparkline, Static

from tui.app import in_background
from tui.safe_text import safe_text
from tui.steps.base import Cell, RecordTable
from tui.typed import WorkshopNode
from workshop.review.board import (
    KpiStatus,
    Progress,
    ReviewBoard,
    ReviewItem,
    Section,
    text_bar,
    with_unit,
)
from workshop.review.search import SessionComparison, compare_sessions, session_to_compare
from workshop.text import terminal_safe

ITEM_COLUMNS = ("Due", "Status", "Owner", "Action")
NARROW = 100
"""Below this width the owner column is shorter, so the action title keeps room."""


def title_width(screen_width: int) -> int:
    """Room left for the action title once due, status and owner are shown."""
    owner = 12 if screen_width < NARROW else 16
    return max(screen_width - (12 + 11 + owner + 2 * len(ITEM_COLUMNS) + 4), 16)


_STATUS_STYLE = {"blocked": "bold yellow", "done": "green", "in progress": "cyan", "open": ""}


def fit(text: str, width: int) -> str:
    """`text` terminal-safe, cut to `width` cells with an ellipsis when it is longer."""
    text = terminal_safe(text)
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + "…"


class TableFiller:
    """Fills a table, sizing its columns afresh after the screen got narrower.

    A DataTable only ever widens its columns, so after the screen narrows they are added
    again. It measures them when idle without repainting lines it has already cached, so
    a repaint with fresh caches is asked for a moment later.
    """

    def __init__(self) -> None:
        self.width: int | None = None

    def fill(
        self, table: RecordTable, rows: Sequence[tuple[int, Sequence[Cell]]], width: int
    ) -> None:
        """Replace the rows of `table`, keeping the cursor on the same record."""
        narrower = self.width is not None and width < self.width
        self.width = width
        if not narrower:
            table.set_rows(rows)
            return
        keep = table.selected_id
        table.clear(columns=True)
        for name in table.column_names:
            table.add_column(name, key=name)
        table.set_rows(rows)
        if keep is not None:
            table.select_id(keep)
        table.set_timer(0.1, lambda: _repaint(table))


def _repaint(table: RecordTable) -> None:
    table.notify_style_update()  # drops the lines cached with the old column widths
    table.refresh()


def item_cells(row: ReviewItem, screen_width: int) -> tuple[Text, ...]:
    """The table cells of one item: overdue dates marked ⚠ in red, done items ✓ with the day."""
    item = row.item
    due = item.due.isoformat() if item.due else ""
    if row.section is Section.OVERDUE:
        when = Text(f"⚠ {due}", style="bold red")
    elif row.section is Section.DONE:
        when = Text(f"✓ {item.done_at.date().isoformat() if item.done_at else due}", style="green")
    else:
        when = Text(f"  {due}")
    owner_width = 12 if screen_width < NARROW else 16
    return (
        when,
        Text(item.status.value, style=_STATUS_STYLE.get(item.status.value, "")),
        Text(fit(row.owner, owner_width), style="dim" if item.owner_id is None else ""),
        Text(fit(item.title, title_width(screen_width))),
    )


def item_detail(row: ReviewItem, board: ReviewBoard) -> Text:
    """Two lines under the table: the selected item's category and priority, and its last note."""
    item = row.item
    text = Text(f"{item.title}", style="bold")
    if row.section is Section.OVERDUE and item.due:
        late = (board.today - item.due).days
        text.append(f"  {late} day{'s' if late != 1 else ''} late", style="bold red")
    elif row.section is Section.DONE:
        text.append("  done since last time", style="green")
    text.append(f"  · {item.team.value} · {item.category.value} · {item.priority.value} priority")
    notes = board.notes_on(item.id or 0)
    if notes:
        last = notes[0]
        by = f", {last.author}" if last.author else ""
        text.append(f"\nLast note ({last.date.isoformat()}{by}): ", style="dim")
        text.append(" ".join(last.text.split()))
    else:
        text.append("\nNo progress note yet (n adds one).", style="dim")
    return safe_text(text)


def _bars(title: str, groups: tuple[Progress, ...], width: int) -> Text:
    text = Text(title + "\n", style="bold")
    for group in groups:
        text.append(f"{fit(group.label, width):<{width}} ")
        text.append(text_bar(group.done, group.total), style="green" if group.done else "dim")
        text.append(f" {group.done}/{group.total}\n")
    if not groups:
        text.append("no action items yet\n", style="dim")
    return text


def progress_text(board: ReviewBoard) -> Text:
    """Progress per team and per category as bars, then the notes taken since last time."""
    width = min(max((len(g.label) for g in (*board.teams, *board.categories)), default=8), 16)
    text = _bars("Progress by team", board.teams, width)
    text.append("\n")
    text.append_text(_bars("By category", board.categories, width))
    notes = board.notes_since()
    text.append(f"\nNotes {board.since.label} ({len(notes)})\n", style="bold")
    for note in notes[:8]:
        about = next((r.item.title for r in board.items if r.item.id == note.action_item_id), "")
        text.append(f"{note.date.isoformat()} ", style="dim")
        if about:
            text.append(f"[{fit(about, 24)}] ", style="italic")
        text.append(" ".join(note.text.split()) + "\n")
    return text


_VERDICT_STYLE = {
    "target reached": ("★", "bold green"),
    "on track": ("✓", "green"),
    "off track": ("✗", "bold red"),
    "no reading yet": ("·", "dim"),
    "no baseline": ("?", "yellow"),
}


class KpiCard(Vertical):
    """One KPI: its name and whether it is on track, a sparkline of its readings, its numbers."""

    def __init__(self, status: KpiStatus) -> None:
        super().__init__(classes="kpi-card")
        self.status = status

    def compose(self) -> ComposeResult:
        status, kpi = self.status, self.status.kpi
        mark, style = _VERDICT_STYLE[status.verdict]
        with Horizontal(classes="kpi-head"):
            yield Static(safe_text(Text(kpi.name, style="bold")), classes="kpi-name")
            yield Static(Text(f"{mark} {status.verdict}", style=style), classes="kpi-verdict")
        with Horizontal(classes="kpi-body"):
            yield Sparkline(status.chart_values(), classes="kpi-chart")
            latest = status.latest
            now = (
                f"now {with_unit(latest.value, kpi.unit)} ({latest.date.isoformat()})"
                if latest
                else "no reading yet (k records one)"
            )
            numbers = f"{with_unit(kpi.baseline, kpi.unit)} → {with_unit(kpi.target, kpi.unit)}"
            # The unit is typed text ("[%]" is a fine unit): shown as typed, never as markup.
            yield Static(safe_text(f"{numbers} · {now}"), classes="kpi-numbers")


class CompareScreen(WorkshopNode, ModalScreen[None]):
    """This session beside the other workshop of the same organisation: index and definitions."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="compare.close", tooltip="Close the comparison"),
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
        self.app.call_from_thread(self.query_one("#compare-text", Static).update, safe_text(text))

    def show_failure(self, message: str) -> None:
        """Say why the sessions could not be compared, in place of the comparison."""
        self.query_one("#compare-text", Static).update(safe_text(Text(message, style="red")))

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
