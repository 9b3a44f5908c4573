"""Review mode: weeks after the workshop, see "since last time" and update the plan."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.context import in_background
from tui.keys import bind
from tui.refusals import refused
from tui.safe_text import safe_text
from tui.screens.compare import CompareScreen
from tui.screens.review_widgets import (
    ITEM_COLUMNS,
    KpiCard,
    item_cells,
    item_detail,
    progress_text,
)
from tui.screens.status import STATUS_KEYS_HELP, ask_status
from tui.typed import WorkshopNode
from tui.widgets.fitted_footer import FittedFooter
from tui.widgets.forms import FormField, FormModal
from tui.widgets.tables import RecordTable, TableFiller
from workshop import models as m
from workshop import planning
from workshop.errors import WorkshopError
from workshop.planning import set_status
from workshop.review import board as rv

T = TypeVar("T")


class ReviewScreen(WorkshopNode, Screen[None]):
    """Opens on "since last time": overdue first, open by owner, then done since last review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind(
            "space",
            "status",
            "Status",
            f"Choose the selected item's status, then one key: {STATUS_KEYS_HELP}",
            area="review",
        ),
        bind(
            "d", "reschedule", "Reschedule", "Give the selected item a new due date", area="review"
        ),
        bind("n", "note", "Note", "Add a progress note to the selected item", area="review"),
        bind("N", "review_note", "Review note", "Add a general note to this review", area="review"),
        bind(
            "k", "reading", "KPI reading", "Record a KPI reading (value, date, note)", area="review"
        ),
        bind(
            "c", "changes", "What changed", "What changed since the previous review", area="review"
        ),
        bind(
            "o",
            "compare",
            "Compare",
            "Compare with the organisation's other workshop",
            area="review",
        ),
        bind(
            "w",
            "workshop",
            "Workshop",
            "Open the workshop steps of this session",
            area="review",
            show=False,
        ),
        bind(
            "x", "export", "Export", "Preview and export the action plan", area="review", show=False
        ),
        bind(
            "ctrl+z",
            "undo",
            "Undo",
            "Undo the last change of this session",
            area="review",
            show=False,
        ),
        bind("escape", "back", "Back", "Back to the session list", area="review"),
    ]

    status: reactive[str] = reactive("")

    def __init__(self, session_id: int, *, focus_item: int | None = None) -> None:
        super().__init__(classes="review-screen")
        self.filler = TableFiller()
        self.session_id = session_id
        self.focus_item = focus_item
        self.board: rv.ReviewBoard | None = None
        self.review: m.Review | None = None

    @property
    def table(self) -> RecordTable:
        """The "since last time" table of action items."""
        return self.query_one("#review-table", RecordTable)

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-header"):
            yield Static(id="review-title")
            yield Static(id="review-status")
        yield Static(id="review-since")
        yield RecordTable(ITEM_COLUMNS, id="review-table")
        yield Static(id="review-detail")
        with Horizontal(id="review-panels"):
            with VerticalScroll(id="review-progress"):
                yield Static(id="review-progress-text")
            yield VerticalScroll(id="review-kpis")
        yield FittedFooter(drop_first=("app.projector", "app.quit", "review.compare"))

    def on_mount(self) -> None:
        store = self.workshop.store
        try:
            session = store.get_session(self.session_id)
            reviewer = rv.reviewer_name(session, os.environ.get("USER"))
            self.review = rv.start_review(store, self.session_id, reviewer, self.today())
        except WorkshopError as error:
            self.status = f"✗ review not recorded: {error}"
            self.notify(str(error), severity="error", timeout=8, markup=False)
        else:
            self.query_one("#review-title", Static).update(
                safe_text(
                    Text.assemble(("Review", "bold"), f" · {session.title}  {session.organisation}")
                )
            )
        self.table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def today(self) -> dt.date:
        """Today's date on the app's clock."""
        return self.workshop.clock().date()

    def watch_status(self, status: str) -> None:
        self.query_one("#review-status", Static).update(safe_text(status))  # it quotes titles

    @in_background("review-load")
    def load(self) -> None:
        """Read the review state off the UI thread, then show it."""
        board = rv.review_board(self.workshop.store, self.session_id, self.today())
        self.app.call_from_thread(self._show, board)

    def reload(self) -> None:
        """Read the review state again (after a change made elsewhere was found)."""
        self.load()

    def show_failure(self, message: str) -> None:
        """Say why the review could not be read, where its counts would be."""
        self.query_one("#review-since", Static).update(safe_text(message))

    def _show(self, board: rv.ReviewBoard) -> None:
        self.board = board
        counts = {s: len(board.section(s)) for s in rv.Section}
        reviewer = f" by {self.review.reviewer}" if self.review and self.review.reviewer else ""
        # The reviewer's name is typed text: the line is built as Text, never read as markup.
        self.query_one("#review-since", Static).update(
            safe_text(
                Text.assemble(
                    f"Review of {board.today.isoformat()}{reviewer} · ",
                    (board.since.label, "bold"),
                    " · ",
                    (f"{counts[rv.Section.OVERDUE]} overdue", "red"),
                    f" · {counts[rv.Section.OPEN]} open · ",
                    (f"{counts[rv.Section.DONE]} done since", "green"),
                )
            )
        )
        self._fill_table()
        self.query_one("#review-progress-text", Static).update(safe_text(progress_text(board)))
        self.call_later(self._show_kpis, board.kpis)
        if self.focus_item is not None:
            self.table.select_id(self.focus_item)
            self.focus_item = None
        self._show_detail()

    async def _show_kpis(self, kpis: tuple[rv.KpiStatus, ...]) -> None:
        panel = self.query_one("#review-kpis", VerticalScroll)
        await panel.remove_children()
        cards: list[Static | KpiCard] = [KpiCard(status) for status in kpis]
        if not cards:
            cards = [Static("No KPIs yet: add them in step 5 (w opens the workshop).")]
        await panel.mount_all([Static("[b]KPIs[/b]", classes="kpi-title"), *cards])

    def _fill_table(self) -> None:
        if self.board is None:
            return
        width = self.size.width
        rows = [(row.item.id or 0, item_cells(row, width)) for row in self.board.items]
        self.filler.fill(self.table, rows, width)

    def on_resize(self) -> None:
        self._fill_table()

    def _selected_row(self) -> rv.ReviewItem | None:
        selected = self.table.selected_id
        if self.board is None or selected is None:
            return None
        return next((r for r in self.board.items if r.item.id == selected), None)

    def _show_detail(self) -> None:
        row = self._selected_row()
        detail = self.query_one("#review-detail", Static)
        if row is None or self.board is None:
            detail.update("Nothing to review: no action items yet." if self.board else "")
        else:
            detail.update(item_detail(row, self.board))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_note()

    # -- saving ------------------------------------------------------------------------------

    def _persist(self, action: Callable[[], T], summary: str) -> T | None:
        """Run one store write; say it is saved and reload, or say why not."""
        try:
            result = action()
        except WorkshopError as error:
            self.status = f"✗ not saved: {error}"
            refused(self, error)
            return None
        self._saved(summary)
        return result

    def _saved(self, summary: str) -> None:
        clock = self.workshop.clock().astimezone()
        self.status = f"✓ saved {clock:%H:%M:%S} · {summary}"
        self.load()

    def _selected_item(self) -> m.ActionItem | None:
        selected = self.table.selected_id
        if selected is None:
            self.notify("No action item is selected.")
            return None
        try:
            return self.workshop.store.get(m.ActionItem, selected)
        except WorkshopError as error:
            refused(self, error)
            return None

    def _author(self) -> str:
        return self.review.reviewer if self.review else os.environ.get("USER", "")

    def action_status(self) -> None:
        """Ask for the selected item's status (one key each); only the status chosen is saved."""
        item = self._selected_item()
        if item is not None:
            ask_status(self, item, lambda status: self._save_status(item, status))

    def _save_status(self, item: m.ActionItem, status: m.ActionStatus) -> None:
        store = self.workshop.store
        self._persist(lambda: set_status(store, item, status), f"'{item.title}' → {status}")

    def action_reschedule(self) -> None:
        """Ask for the selected item's new due date."""
        item = self._selected_item()
        if item is None:
            return
        store, today = self.workshop.store, self.today()

        def done(saved: m.ActionItem | None) -> None:
            if saved is None:
                return
            self._saved(f"'{saved.title}' due {saved.due or 'no date'}")
            if saved.due is not None and saved.due < today:
                self.notify("That due date is in the past: the item shows as overdue.")

        self.app.push_screen(
            FormModal(
                f"Reschedule '{item.title}'",
                [FormField("due", "Due date (YYYY-MM-DD, empty for none)")],
                {"due": item.due.isoformat() if item.due else ""},
                save=lambda values: rv.reschedule(store, item, planning.parse_due(values["due"])),
            ),
            done,
        )

    def _note_form(self, title: str, action_item_id: int | None) -> None:
        store, today, author = self.workshop.store, self.today(), self._author()

        def save(values: dict[str, Any]) -> m.ReviewNote:
            return rv.add_note(
                store,
                self.session_id,
                values["text"],
                author=author,
                today=today,
                action_item_id=action_item_id,
            )

        self.app.push_screen(
            FormModal(title, [FormField("text", "Note", "textarea")], save=save),
            lambda note: self._saved("note added") if note else None,
        )

    def action_note(self) -> None:
        """Add a progress note to the selected item."""
        item = self._selected_item()
        if item is not None:
            self._note_form(f"Progress note on '{item.title}'", item.id)

    def action_review_note(self) -> None:
        """Add a general note to this review."""
        self._note_form("Review note", None)

    def action_reading(self) -> None:
        """Record a KPI reading: which KPI, the value, the date and a note."""
        kpis = [status.kpi for status in self.board.kpis] if self.board else []
        if not kpis:
            self.notify("This session has no KPIs yet: add them in step 5 (press w).")
            return
        store = self.workshop.store
        fields = [
            FormField("kpi_id", "KPI", "select", [(k.name, k.id) for k in kpis], allow_blank=False),
            FormField("value", "Value", placeholder="e.g. 12.5"),
            FormField("date", "Date (YYYY-MM-DD)"),
            FormField("note", "Note", placeholder="What explains the number"),
        ]

        def save(values: dict[str, Any]) -> m.KpiReading:
            date = planning.parse_date(values["date"], "date", required=True)
            assert date is not None  # required: a blank date was refused above
            return rv.record_reading(
                store,
                self.session_id,
                values["kpi_id"],
                values["value"],
                date=date,
                note=values["note"],
            )

        self.app.push_screen(
            FormModal(
                "Record a KPI reading",
                fields,
                {"kpi_id": kpis[0].id, "date": self.today().isoformat()},
                save=save,
            ),
            lambda reading: self._saved(reading.describe()) if reading else None,
        )

    def action_changes(self) -> None:
        """Show what changed since the previous review, in plain words."""
        from tui.screens.review_changes import ChangesScreen

        since = self.board.since.date if self.board else None
        self.app.push_screen(ChangesScreen(self.session_id, since=since))

    def action_compare(self) -> None:
        """Compare this session with the organisation's other workshop."""
        self.app.push_screen(CompareScreen(self.session_id))

    def action_workshop(self) -> None:
        """Open the session's workshop steps at step 5 (actions, cadence, KPIs)."""
        from tui.screens.session import SessionScreen

        self.app.push_screen(SessionScreen(self.session_id, start_step=5))

    def action_export(self) -> None:
        """Preview and export the action plan."""
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.session_id))

    def action_undo(self) -> None:
        """Undo the session's last change (the undo itself is logged)."""
        from workshop.undo import undo_last

        try:
            words = undo_last(self.workshop.store, self.session_id)
        except WorkshopError as error:
            self.status = f"✗ {error}"
            self.notify(str(error), severity="error")
            return
        if words is None:
            self.notify("Nothing left to undo.")
            return
        self.status = f"✓ undone: {words}"
        self.load()

    def action_back(self) -> None:
        """Back to the session list (everything is already saved)."""
        self.dismiss(None)
