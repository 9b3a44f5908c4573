"""What changed: the change log since the previous review (or a typed date), in plain words."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from tui.context import in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from tui.widgets.tables import RecordTable, TableFiller, fit
from workshop.errors import WorkshopError
from workshop.review.changes import ChangeKind, ChangeLine, parse_since, what_changed

KIND_CYCLE: tuple[ChangeKind | None, ...] = (None, *ChangeKind)
"""The kind filter `f` steps through: everything, then one kind at a time."""
COLUMNS = ("When", "Kind", "What")


class ChangesScreen(WorkshopNode, Screen[None]):
    """The session's changes, newest first, since a date; `f` filters by kind."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("f", "kind", "Kind", "Show one kind of change at a time", area="changes"),
        bind("s", "since", "Since", "Type the date to start from", area="changes"),
        bind("escape", "back", "Back", "Back to the review", area="changes"),
    ]

    def __init__(self, session_id: int, *, since: dt.date | None = None) -> None:
        super().__init__(classes="changes-screen")
        self.filler = TableFiller()
        self.session_id = session_id
        self.since = since
        self.kind: ChangeKind | None = None
        self.lines: list[ChangeLine] = []

    @property
    def table(self) -> RecordTable:
        """The table of changes."""
        return self.query_one("#changes-table", RecordTable)

    def compose(self) -> ComposeResult:
        yield Static("[b]What changed[/b] · in plain words, newest first", id="changes-title")
        with Horizontal(id="changes-bar"):
            yield Label("Since", id="changes-since-label")
            yield Input(
                self.since.isoformat() if self.since else "",
                placeholder="YYYY-MM-DD (empty: everything)",
                id="changes-since",
            )
            yield Static(id="changes-kind")
        yield RecordTable(COLUMNS, id="changes-table")
        yield Static(id="changes-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.table.focus()
        self._show_kind()
        self.load()

    def _show_kind(self) -> None:
        kind = self.kind.value if self.kind else "every kind"
        self.query_one("#changes-kind", Static).update(f"showing [b]{kind}[/b] (f: next kind)")

    @in_background("changes-load")
    def load(self) -> None:
        """Read and word the change log off the UI thread."""
        kinds = [self.kind] if self.kind else None
        lines = what_changed(self.workshop.store, self.session_id, since=self.since, kinds=kinds)
        self.app.call_from_thread(self._show, lines)

    def show_failure(self, message: str) -> None:
        """Say why the changes could not be read, under their table."""
        self.query_one("#changes-detail", Static).update(safe_text(message))

    def _show(self, lines: list[ChangeLine]) -> None:
        self.lines = lines
        width = max(self.size.width - 17 - 8 - 10, 20)
        self.filler.fill(
            self.table,
            [
                (
                    index,
                    (
                        Text(f"{line.at.astimezone():%Y-%m-%d %H:%M}", style="dim"),
                        Text(line.kind.value),
                        Text(fit(line.text, width)),
                    ),
                )
                for index, line in enumerate(lines)
            ],
            self.size.width,
        )
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#changes-detail", Static)
        selected = self.table.selected_id
        if not self.lines or selected is None:
            since = f" since {self.since.isoformat()}" if self.since else ""
            detail.update(
                f"No changes{since} of this kind." if self.kind else f"No changes{since}."
            )
            return
        line = self.lines[selected]
        who = f" by {line.who}" if line.who else ""
        detail.update(safe_text(f"{line.at.astimezone():%Y-%m-%d %H:%M}{who}: {line.text}"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_resize(self) -> None:
        if self.lines:
            self._show(self.lines)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        try:
            self.since = parse_since(text) if text else None
        except WorkshopError as error:
            self.notify(str(error), severity="error")
            return
        self.table.focus()
        self.load()

    def action_kind(self) -> None:
        """Show the next kind of change (all, terms, actions, KPIs, notes, other)."""
        position = KIND_CYCLE.index(self.kind)
        self.kind = KIND_CYCLE[(position + 1) % len(KIND_CYCLE)]
        self._show_kind()
        self.load()

    def action_since(self) -> None:
        """Put the cursor in the date box."""
        self.query_one("#changes-since", Input).focus()

    def action_back(self) -> None:
        """Back to the review."""
        self.dismiss(None)
