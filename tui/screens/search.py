"""Search every session: terms, definitions, action items and review notes; enter opens the row."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui.context import in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from tui.widgets.tables import RecordTable, TableFiller, fit
from workshop.review.search import SearchHit, search

COLUMNS = ("Session", "Kind", "Title", "Match")
TABLES = {3: "#terms-table", 5: "#actions-table"}
"""The table of a step that lists the rows a hit points at."""


def snippet_text(hit: SearchHit, width: int) -> Text:
    """The matching words of a hit, highlighted, cut to `width` cells."""
    text = Text()
    for piece, matched in hit.snippet_parts():
        text.append(" ".join(piece.split("\n")), style="bold reverse" if matched else "")
    text.truncate(width, overflow="ellipsis")
    return text


class SearchScreen(WorkshopNode, Screen[None]):
    """Find words across every session; results open the session at the matching row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("slash", "focus_query", "Search box", "Type words", area="search", name="focus"),
        bind("escape", "back", "Back", "Back to the session list", area="search"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="search-screen")
        self.filler = TableFiller()
        self.hits: list[SearchHit] = []

    @property
    def table(self) -> RecordTable:
        """The results table."""
        return self.query_one("#search-table", RecordTable)

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Search every session[/b] · terms, definitions, actions, notes", id="search-title"
        )
        yield Input(placeholder="Words to find (enter: go to the results)", id="search-input")
        yield RecordTable(COLUMNS, id="search-table")
        yield Static(id="search-detail")
        yield Static("Type a word to search.", id="search-hint", classes="empty-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.hits:
            self.table.focus()

    @in_background("search")
    def run_search(self, words: str) -> None:
        """Search off the UI thread, then show the results."""
        hits = search(self.workshop.store, words)
        self.app.call_from_thread(self._show, words, hits)

    def show_failure(self, message: str) -> None:
        """Say why the search failed, where the number of matches would be."""
        self.query_one("#search-hint", Static).update(safe_text(message))

    def _show(self, words: str, hits: list[SearchHit]) -> None:
        self.hits = hits
        narrow = self.size.width < 100
        session_width, title_width = (14, 18) if narrow else (20, 28)
        width = max(self.size.width - session_width - title_width - 11 - 12, 16)
        self.filler.fill(
            self.table,
            [
                (
                    index,
                    (
                        Text(fit(f"{hit.session_id} · {hit.session_title}", session_width)),
                        Text(hit.kind),
                        Text(fit(hit.title, title_width), style="bold"),
                        snippet_text(hit, width),
                    ),
                )
                for index, hit in enumerate(hits)
            ],
            self.size.width,
        )
        if not words.strip():
            hint = "Type a word to search."
        elif not hits:
            hint = f"Nothing matches '{words.strip()}'."
        else:
            hint = f"{len(hits)} match(es). Enter on a row opens it."
        self.query_one("#search-hint", Static).update(safe_text(hint))  # it quotes the words
        self._show_detail()

    def _show_detail(self) -> None:
        selected = self.table.selected_id
        detail = self.query_one("#search-detail", Static)
        if selected is None or selected >= len(self.hits):
            detail.update("")
            return
        hit = self.hits[selected]
        text = Text(
            f"{hit.session_id} · {hit.session_title} · {hit.kind}: {hit.title}\n", style="bold"
        )
        text.append_text(snippet_text(hit, 400))
        detail.update(safe_text(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        selected = self.table.selected_id
        if selected is not None and selected < len(self.hits):
            self.open_hit(self.hits[selected])

    def open_hit(self, hit: SearchHit) -> None:
        """Open the hit's session: terms at step 3, actions at step 5, notes in review mode."""
        if hit.step is None:
            from tui.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen(hit.session_id, focus_item=hit.action_item_id))
            return
        from tui.screens.session import SessionScreen

        screen = SessionScreen(hit.session_id, start_step=hit.step)
        self.app.push_screen(screen)
        self._select_when_shown(screen, TABLES.get(hit.step, "RecordTable"), hit.entity_id)

    def _select_when_shown(self, screen: Screen[None], selector: str, row_id: int) -> None:
        """Put the cursor on the hit's row once the step has loaded it (it loads off-thread)."""
        tries = 40

        def attempt() -> None:
            nonlocal tries
            tries -= 1
            if screen not in self.app.screen_stack:
                return
            try:
                table = screen.query_one(selector, RecordTable)
            except NoMatches:
                table = None
            if table is not None and str(row_id) in table.rows:
                table.select_id(row_id)
                table.focus()
            elif tries > 0:
                self.app.set_timer(0.05, attempt)

        self.app.set_timer(0.05, attempt)

    def action_focus_query(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#search-input", Input).focus()

    def action_back(self) -> None:
        """Back to the session list."""
        self.dismiss(None)
