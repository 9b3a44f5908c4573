"""The first screen: every session in the database, filtered as you type.

It is the first thing the app draws, so its module imports nothing but Textual and its own
widgets: the forms and the storage layer are imported on first use, and the table is mounted
when the sessions have been read, off the UI thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from tui.context import in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from tui.widgets.fitted_footer import FittedFooter
from tui.widgets.tables import RecordTable
from workshop.errors import WorkshopError
from workshop.text import terminal_safe

if TYPE_CHECKING:
    from workshop.storage.store import SessionSummary

COLUMNS = ("Title", "Organisation", "Date", "Step", "Terms", "Open")
"""Short headings (terms agreed of all, open action items), so the title keeps the width."""


DAMAGED_MARK = "⚠ damaged · "
"""Starts the title of a session whose stored row fails validation (edited by hand)."""


def summary_cells(summary: SessionSummary) -> tuple[str, ...]:
    """The table cells of one session; a damaged field shows as "?"."""
    s = summary.session

    def cell(field: str, text: str) -> str:
        return "?" if field in summary.damaged else terminal_safe(text)

    return (
        (DAMAGED_MARK if summary.problems else "") + cell("title", s.title),
        cell("organisation", s.organisation),
        cell("date", s.date.isoformat()),
        cell("step_reached", f"{s.step_reached}/6"),
        f"{summary.agreed_terms}/{summary.terms}",
        str(summary.open_actions),
    )


class SessionListScreen(WorkshopNode, Screen[None]):
    """Pick, create, import or delete a workshop session."""

    AUTO_FOCUS = "#sessions-table"
    """Never the filter: until the table arrives nothing is focused, so n, i and / act at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("n", "new", "New", "Create a new session", area="sessions"),
        bind("enter", "open", "Open", "Open the selected session", area="sessions"),
        bind("i", "import", "Import", "Import a session JSON file", area="sessions"),
        bind(
            "delete",
            "delete",
            "Delete",
            "Delete the selected session (asks first)",
            area="sessions",
        ),
        bind("slash", "filter", "Filter", "Filter sessions as you type", area="sessions"),
        bind(
            "r",
            "review",
            "Review",
            "Review the selected session: since last time, progress, KPIs",
            area="sessions",
        ),
        bind(
            "ctrl+f",
            "search",
            "Search",
            "Search terms, definitions, actions and notes of every session",
            area="sessions",
        ),
        bind(
            "escape",
            "clear_filter",
            "Clear filter",
            "Clear the filter",
            area="sessions",
            show=False,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(classes="session-list-screen")
        self.summaries: list[SessionSummary] = []
        self._table_ready = False
        """Whether the table is mounted with its columns (rows can go in)."""
        self._mounting = asyncio.Lock()

    def compose(self) -> ComposeResult:
        with Horizontal(id="list-header"):
            yield Static("[b]Alignment Workshop[/b] · sessions", id="list-title")
            yield Static(Text(terminal_safe(str(self.workshop.db_path))), id="list-db")
        yield Input(placeholder="Filter by title or organisation (/)", id="session-filter")
        yield Static("Reading the sessions…", id="sessions-empty", classes="empty-hint")
        yield FittedFooter(drop_first=("app.projector", "app.quit"))

    @property
    def table(self) -> RecordTable:
        """The sessions table (NoMatches until the sessions have been read once)."""
        return self.query_one("#sessions-table", RecordTable)

    def _selected_id(self) -> int | None:
        try:
            return self.table.selected_id
        except NoMatches:  # not read yet
            return None

    def on_mount(self) -> None:
        self.call_after_refresh(self._load_if_shown)  # the first frame before the slow imports

    def on_screen_resume(self) -> None:
        self._load_if_shown()

    def _load_if_shown(self) -> None:
        """Read the sessions when the list is on screen; under a session opened at start-up
        (`workshop open`) it waits until it is shown, leaving the machine to that session."""
        if self.app.screen is self:
            self.load()

    @in_background("sessions")
    def load(self) -> None:
        """Read the sessions off the UI thread (opening the store on first use), then show them."""
        summaries = self.workshop.store.sessions()
        if not get_current_worker().is_cancelled:  # a newer read is under way: it shows
            self.app.call_from_thread(self._show, summaries)

    def reload(self) -> None:
        """Read the sessions again (after a change made elsewhere was found)."""
        self.load()

    def show_failure(self, message: str) -> None:
        """Say why the sessions could not be read, in place of the list."""
        self.query_one("#sessions-empty", Static).update(safe_text(message))

    async def _show(self, summaries: list[SessionSummary]) -> None:
        self.summaries = summaries
        async with self._mounting:  # two reads landing together mount one table
            if not self._table_ready:
                table = RecordTable(COLUMNS, id="sessions-table", fill=COLUMNS[0])
                await self.mount(table, before="#sessions-empty")
                self._table_ready = True
                if self.focused is None:
                    table.focus()
        self._apply_filter()

    def _apply_filter(self) -> None:
        if not self._table_ready:
            return  # not read yet, or its columns not yet in: rows are filtered when they come
        needle = self.query_one("#session-filter", Input).value.strip().casefold()
        shown = [
            s
            for s in self.summaries
            if not needle or needle in f"{s.session.title} {s.session.organisation}".casefold()
        ]
        self.table.set_rows((s.session.id or 0, summary_cells(s)) for s in shown)
        hint = ""
        if not self.summaries:
            hint = "No sessions yet: press n to create one, or i to import a session file."
        elif not shown:
            hint = "No session matches the filter (escape clears it)."
        elif any(s.problems for s in shown):
            hint = (
                "⚠ marks a session whose stored data is damaged "
                "(edited outside the app): press enter on it to see what is wrong."
            )
        self.query_one("#sessions-empty", Static).update(safe_text(hint))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._focus_table()

    def _focus_table(self) -> None:
        try:
            self.table.focus()
        except NoMatches:
            self.set_focus(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#session-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Clear the filter and go back to the table."""
        self.query_one("#session-filter", Input).value = ""
        self._focus_table()

    def _summary(self, session_id: int) -> SessionSummary | None:
        return next((s for s in self.summaries if s.session.id == session_id), None)

    def _openable(self) -> int | None:
        """The selected session's id, or None (a damaged one says what is wrong instead)."""
        session_id = self._selected_id()
        summary = self._summary(session_id) if session_id is not None else None
        if summary is not None and summary.problems:
            from workshop.storage.store import damaged

            self.notify(str(damaged(list(summary.problems))), severity="error", timeout=15)
            return None
        return session_id

    def action_open(self) -> None:
        """Open the selected session."""
        if (session_id := self._openable()) is not None:
            self.workshop.open_session(session_id)

    def action_review(self) -> None:
        """Open the selected session in review mode."""
        if (session_id := self._openable()) is not None:
            self.workshop.open_session(session_id, review=True)

    def action_search(self) -> None:
        """Search every session's terms, actions and notes."""
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_new(self) -> None:
        """Ask for the new session's details and create it from the starter."""
        from tui.widgets.forms import FormField, FormModal
        from workshop.sessions import create_session

        fields = [
            FormField("title", "Title", placeholder="e.g. Q3 revenue alignment"),
            FormField("organisation", "Organisation"),
            FormField("facilitator", "Facilitator"),
            FormField("date", "Date (YYYY-MM-DD)"),
        ]

        def save(values: dict[str, Any]) -> int | None:
            from workshop import models as m
            from workshop.planning import parse_date

            # Validation first, so the message names the field; the date strictly as YYYY-MM-DD.
            date = parse_date(values["date"], "date", required=True)
            session = m.build(m.Session, {**values, "date": date})
            created = create_session(
                self.workshop.store,
                title=session.title,
                organisation=session.organisation,
                facilitator=session.facilitator,
                date=session.date,
            )
            return created.id

        today = self.workshop.clock().date().isoformat()
        self.app.push_screen(
            FormModal("New session", fields, {"date": today}, save=save),
            lambda new_id: self.workshop.open_session(new_id) if new_id else None,
        )

    def action_import(self) -> None:
        """Import a session JSON file by path."""
        from tui.widgets.forms import FormField, FormModal
        from workshop.storage.session_file import import_json, read_session_file

        def save(values: dict[str, Any]) -> int | None:
            path = Path(str(values["path"]).strip()).expanduser()
            return import_json(self.workshop.store, read_session_file(path)).id

        self.app.push_screen(
            FormModal(
                "Import a session file", [FormField("path", "Path of the .json file")], save=save
            ),
            lambda new_id: self._imported(new_id),
        )

    def _imported(self, new_id: int | None) -> None:
        if new_id:
            self.notify(f"Imported as session {new_id}.")
            self.load()

    def action_delete(self) -> None:
        """Delete the selected session after confirming."""
        from tui.refusals import refused
        from tui.widgets.dialogs import ConfirmModal

        session_id = self._selected_id()
        if session_id is None:
            return
        store = self.workshop.store
        summary = self._summary(session_id)
        try:
            # A damaged session can still go: its summary has the id and version it needs.
            session = (
                summary.session
                if summary is not None and summary.problems and "version" not in summary.damaged
                else store.get_session(session_id)
            )
        except WorkshopError as error:
            refused(self, error)
            return

        def confirmed(answer: bool | None) -> None:
            if not answer:
                return
            try:
                store.delete(session)
            except WorkshopError as error:
                refused(self, error)
                return
            self.notify(f"Deleted '{session.title}'.", markup=False)
            self.load()

        self.app.push_screen(
            ConfirmModal(
                f"Delete the session '{session.title}' and everything in it? This cannot be undone."
            ),
            confirmed,
        )
