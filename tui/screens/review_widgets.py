"""The pieces of the review view: item rows and details, progress bars and KPI cards."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from tui.safe_text import safe_text
from tui.widgets.tables import fit
from workshop.review.board import (
    KpiStatus,
    Progress,
    ReviewBoard,
    ReviewItem,
    Section,
    text_bar,
    with_unit,
)

ITEM_COLUMNS = ("Due", "Status", "Owner", "Action")
NARROW = 100
"""Below this width the owner column is shorter, so the action title keeps room."""


def title_width(screen_width: int) -> int:
    """Room left for the action title once due, status and owner are shown."""
    owner = 12 if screen_width < NARROW else 16
    return max(screen_width - (12 + 11 + owner + 2 * len(ITEM_COLUMNS) + 4), 16)


_STATUS_STYLE = {"blocked": "bold yellow", "done": "green", "in progress": "cyan", "open": ""}


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
