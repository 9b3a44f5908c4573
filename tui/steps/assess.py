"""Step 2: the blind assessment round — one team's scores at a time, then both revealed at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.theme import Theme
from textual.widgets import Digits, Label, Static

from tui.keys import bind
from tui.refusals import refused
from tui.screens.score_entry import ScoreEntry
from tui.steps.assess_widgets import (
    HIDDEN,
    LEGEND,
    heat_cell,
    polarity_text,
    possessive,
    readout,
    score_text,
)
from tui.steps.base import Saved, SaveFailed, StepPane, StepView
from tui.widgets.tables import Cell, RecordTable
from workshop import blind_round as br
from workshop import steps
from workshop.assessment import INDEX_RULE, TEAMS, AssessmentResult
from workshop.errors import WorkshopError
from workshop.text import terminal_safe

if TYPE_CHECKING:
    from workshop.storage.store import Store

T = TypeVar("T")

FIXED_COLUMNS = ("#", "Theme", "Type", "Sales", "Marketing", "Gap")
STATEMENT_COLUMN = "Statement"
MIN_STATEMENT_WIDTH = 16
NARROW_DROPPED = ("Theme", "Type")
"""Columns left out when the statement text would not fit otherwise (80 columns)."""
# Room the table needs besides its columns: the vertical scrollbar and one spare cell.
TABLE_CHROME = 3
ESCAPE_GRACE_SECONDS = 2.0
"""How long after the score panel closed itself an esc is taken as meant for the panel."""


@dataclass(frozen=True)
class RoundView(StepView):
    """The statements of the round with both teams' scores; the session says if it is revealed."""

    rows: list[br.RoundRow]


def read_assessment(store: Store, session_id: int) -> RoundView:
    """Read what step 2 shows."""
    return RoundView(store.get_session(session_id), br.read_round(store, session_id))


class AssessStep(StepPane[RoundView]):
    """Both teams rate the same statements in a blind round; the largest gaps are the agenda.

    Whether the round is revealed is saved with the session (r reveals and hides, ctrl+z
    undoes either), so a reopened session shows the room what it has already seen. Which
    team is being entered lives in this pane only: reopening starts with sales.
    """

    number = steps.ASSESS.number
    title = steps.ASSESS.name
    failure_at = "#assess-readout"
    BINDINGS = [
        bind(
            "enter",
            "edit",
            "Score",
            "Enter the active team's scores from the selected statement: 1–5 saves and moves on",
        ),
        bind(
            "plus,equals_sign",
            "raise_score",
            "+1",
            "Raise the active team's score of the selected statement (an empty one starts at 3)",
        ),
        bind(
            "minus",
            "lower_score",
            "−1",
            "Lower the active team's score of the selected statement (an empty one starts at 3)",
        ),
        bind(
            "backspace",
            "clear_score",
            "Clear",
            "Clear the active team's score of the selected statement",
            show=False,
        ),
        bind("s", "enter_sales", "Sales", "Enter sales' scores (marketing's are hidden)"),
        bind("m", "enter_marketing", "Marketing", "Enter marketing's scores (sales' are hidden)"),
        bind("r", "reveal", "Reveal", "Reveal both teams, the index and the gaps; again: hide"),
        bind("g", "gap_action", "Gap→action", "Turn the selected gap into a linked action item"),
        bind(
            "escape",
            "escape",
            "Sessions",
            "Just after the score panel closed itself: stays (esc again goes back to the sessions)",
            show=False,
        ),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.view = br.BlindView()
        self.rows: list[br.RoundRow] = []
        self.result: AssessmentResult | None = None
        self._seeded = False
        self._entry_closed_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="assess-mode")
        yield Static(id="assess-progress")
        yield Static(id="assess-readout")
        with Horizontal(id="assess-results"):
            for team in TEAMS:
                with Vertical(classes="index-card"):
                    yield Label(team.upper(), classes="index-label")
                    yield Digits("--", id=f"{team}-index")
            legend = Static(LEGEND, id="assess-legend")
            legend.tooltip = INDEX_RULE
            yield legend
        yield RecordTable([], id="assess-table")

    @property
    def table(self) -> RecordTable:
        """The statements table."""
        return self.query_one(RecordTable)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        self._redraw()

    def on_resize(self, event: events.Resize) -> None:
        self._render_table()

    def reader(self) -> Callable[[Store], RoundView]:
        """Reads the statements, the scores and the session (whether it is revealed)."""
        return lambda store: read_assessment(store, self.session_id)

    def show(self, view: RoundView) -> None:
        """Show the round as read; the first time, give a session without statements the
        standard ones, then read again."""
        seeding, self._seeded = not view.rows and not self._seeded, True
        if seeding:
            store = self.workshop.store
            seeded = self.persist(
                lambda: br.seed_statements(store, self.session_id),
                "Added the standard assessment statements",
            )
            if seeded is not None:
                self.reload()
                return
        self.rows = view.rows
        self._disclose()

    def _disclose(self) -> None:
        """Draw the rows as the session's reveal allows, the cursor on the largest gap just
        after the reveal."""
        shown = br.disclosed(self.session, self.rows)
        self.result = shown.result
        just_revealed = shown.revealed and not self.view.revealed
        self.view = self.view.with_reveal(shown.revealed)
        self._redraw()
        if just_revealed and self.rows:
            self.table.move_cursor(row=0)  # the largest gap: the agenda starts there

    # -- drawing ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        self.set_class(self.view.revealed, "-revealed")
        self._render_mode()
        self._render_results()
        self._render_table()
        self._render_readout()

    def _render_mode(self) -> None:
        mode = self.query_one("#assess-mode", Static)
        entering = self.view.entering
        for team in TEAMS:
            mode.set_class(team == entering and not self.view.revealed, f"-{team}")
        mode.set_class(self.view.revealed, "-revealed")
        hidden = self.view.hidden_team
        if hidden is not None:
            mode.update(f"Entering: {entering.upper()} ({possessive(hidden)} scores are hidden)")
        else:
            mode.update(f"Revealed: both teams' scores · +/− and enter change {entering.upper()}")
        total = len(self.rows)
        counts = " · ".join(f"{t} {br.scored_count(self.rows, t)}/{total}" for t in TEAMS)
        keys = "r hides" if self.view.revealed else "enter scores · s/m team · r reveals"
        self.query_one("#assess-progress", Static).update(f"Scored: {counts} — {keys}")

    def _render_results(self) -> None:
        for team in TEAMS:
            index = self.result.index_for(team) if self.result else None
            self.query_one(f"#{team}-index", Digits).update("--" if index is None else str(index))

    def _ordered(self) -> list[br.RoundRow]:
        if not self.view.revealed or self.result is None:
            return self.rows
        by_id = {row.statement_id: row for row in self.rows}
        return [by_id[gap.statement_id] for gap in self.result.gaps]

    def _cells(self, row: br.RoundRow) -> list[Cell]:
        cells: list[Cell] = [
            str(row.number),
            row.statement.theme,
            polarity_text(row.statement.polarity),
        ]
        for team in TEAMS:
            if not self.view.shows(team):
                cells.append(Text(HIDDEN, style="dim"))
            else:
                bold = "bold" if team == self.view.entering else ""
                cells.append(Text(score_text(row.scores.score_for(team)), style=bold))
        if self.view.revealed and self.result is not None:
            gap = next(g for g in self.result.gaps if g.statement_id == row.statement_id)
            cells.append(heat_cell(gap, self.app.theme_variables))
        else:
            cells.append(Text(HIDDEN, style="dim"))
        return cells

    def _headers(self) -> list[str]:
        headers = list(FIXED_COLUMNS)
        index = FIXED_COLUMNS.index(self.view.entering.capitalize())
        headers[index] = f"✎ {headers[index]}"
        return headers

    def _render_table(self) -> None:
        table = self.table
        rows = [(row, self._cells(row)) for row in self._ordered()]
        headers = self._headers()
        widths = [cell_len(h) for h in headers]
        for _, cells in rows:
            widths = [max(w, cell_len(str(c))) for w, c in zip(widths, cells, strict=True)]
        available = (table.size.width or self.size.width - 2) - TABLE_CHROME - 2
        keys = list(FIXED_COLUMNS)
        statement_width = available - sum(w + 2 for w in widths)
        if statement_width < MIN_STATEMENT_WIDTH:
            # Narrow: the readout above names the theme and the type, the statement needs room.
            kept = [i for i, key in enumerate(keys) if key not in NARROW_DROPPED]
            keys = [keys[i] for i in kept]
            headers = [headers[i] for i in kept]
            widths = [widths[i] for i in kept]
            rows = [(row, [cells[i] for i in kept]) for row, cells in rows]
            statement_width = available - sum(w + 2 for w in widths)
        keep = table.selected_id
        table.clear(columns=True)
        # Explicit widths: a rebuilt table draws right at once, before it measures its cells.
        for key, header, width in zip(keys, headers, widths, strict=True):
            table.add_column(header, key=key, width=width)
        show_text = statement_width >= MIN_STATEMENT_WIDTH
        if show_text:
            table.add_column(STATEMENT_COLUMN, key=STATEMENT_COLUMN, width=statement_width)
        for row, cells in rows:
            if show_text:
                text = Text(terminal_safe(row.statement.text), no_wrap=True, overflow="ellipsis")
                text.truncate(statement_width, overflow="ellipsis")
                cells = [*cells, text]
            table.add_row(*cells, key=str(row.statement_id))
        if keep is not None:
            table.select_id(keep)

    def _render_readout(self) -> None:
        row = self.selected_row
        widget = self.query_one("#assess-readout", Static)
        widget.update(readout(row, len(self.rows)) if row else "No statements in this session.")

    def on_data_table_row_highlighted(self, event: RecordTable.RowHighlighted) -> None:
        event.stop()
        self._render_readout()

    # -- reading the selection ----------------------------------------------------------------

    @property
    def selected_row(self) -> br.RoundRow | None:
        """The statement under the cursor, with its scores."""
        selected = self.table.selected_id
        return next((row for row in self.rows if row.statement_id == selected), None)

    def _follow(self, row: br.RoundRow) -> None:
        self.table.select_id(row.statement_id)

    # -- entering scores ----------------------------------------------------------------------

    def _saved(self, row: br.RoundRow) -> br.RoundRow:
        # The summary names no score: the header stays on screen when the other team enters.
        self.post_message(Saved(f"{self.view.entering} score for statement {row.number}"))
        # Every score moves the counts, the indices and the gaps: the round as stored now.
        self.rows = br.read_round(self.workshop.store, self.session_id)
        self.changed()
        self._disclose()
        return next(r for r in self.rows if r.statement_id == row.statement_id)

    def _write(self, action: Callable[[], T]) -> T | None:
        """Run one store write; on refusal say why in the header and a toast (nothing else)."""
        try:
            return action()
        except WorkshopError as error:
            self.post_message(SaveFailed(str(error)))
            refused(self, error)
            return None

    def _save_entry(self, row: br.RoundRow, score: int | None) -> br.RoundRow:
        store = self.workshop.store
        try:
            if score is None:
                br.clear_score(store, row.statement, self.view.entering)
            else:
                br.record_score(store, row.statement, self.view.entering, score)
        except WorkshopError as error:
            self.post_message(SaveFailed(str(error)))
            raise
        return self._saved(row)

    def action_edit(self) -> None:
        """Open fast score entry for the active team at the selected statement."""
        ordered = self._ordered()
        selected = self.table.selected_id
        if not ordered:
            return
        start = next((i for i, r in enumerate(ordered) if r.statement_id == selected), 0)
        entry = ScoreEntry(
            self.view.entering, ordered, start, save=self._save_entry, follow=self._follow
        )
        self.app.push_screen(entry, self._entry_closed)

    def _entry_closed(self, finished: bool | None) -> None:
        # A panel that closed itself after the last statement may meet a reflexive esc.
        self._entry_closed_at = time.monotonic() if finished else None
        team = self.view.entering
        if self.rows and br.scored_count(self.rows, team) == len(self.rows):
            other = next(t for t in TEAMS if t != team)
            hint = "press r to reveal" if self.view.revealed else f"press {other[0]} for {other}"
            self.notify(f"Every statement has a {team} score; {hint}.")

    def _adjust(self, step: int) -> None:
        row = self.selected_row
        if row is None:
            return
        store = self.workshop.store
        if self._write(lambda: br.adjust_score(store, row, self.view.entering, step)) is not None:
            self._saved(row)

    def action_raise_score(self) -> None:
        """Raise the active team's score of the selected statement by one."""
        self._adjust(1)

    def action_lower_score(self) -> None:
        """Lower the active team's score of the selected statement by one."""
        self._adjust(-1)

    def action_clear_score(self) -> None:
        """Clear the active team's score of the selected statement."""
        row = self.selected_row
        if row is None:
            return
        try:
            self._save_entry(row, None)
        except WorkshopError as error:
            refused(self, error)

    def _enter_for(self, team: str) -> None:
        self.view = self.view.enter_for(team)
        self._redraw()
        # Start where that team still has something to score, so enter begins in the right place.
        unscored = (r for r in self._ordered() if r.scores.score_for(team) is None)
        first = next(unscored, None)
        if first is not None:
            self.table.select_id(first.statement_id)

    def action_enter_sales(self) -> None:
        """Enter sales' scores; marketing's column is hidden until the reveal."""
        self._enter_for("sales")

    def action_enter_marketing(self) -> None:
        """Enter marketing's scores; sales' column is hidden until the reveal."""
        self._enter_for("marketing")

    # -- reveal and gaps ------------------------------------------------------------------------

    def action_reveal(self) -> None:
        """Reveal both teams, the indices and the gap heat map at once; again to hide them.

        Saved with the session (ctrl+z undoes it); the cursor goes to the largest gap.
        """
        store, reveal = self.workshop.store, not self.view.revealed
        summary = "revealed both teams' scores" if reveal else "hid the scores again"
        session = self.persist(lambda: br.set_revealed(store, self.session_id, reveal), summary)
        if session is not None:
            self.keep_session(session)
            self._disclose()

    def action_escape(self) -> None:
        """Swallow an esc pressed just after the score panel closed itself; else go back."""
        closed_at, self._entry_closed_at = self._entry_closed_at, None
        if closed_at is None or time.monotonic() - closed_at > ESCAPE_GRACE_SECONDS:
            raise SkipAction
        self.notify("The score panel has closed; esc again goes back to the sessions.")

    def action_gap_action(self) -> None:
        """Turn the selected statement's gap into an action item linked to it."""
        row = self.selected_row
        if row is None:
            return
        if not self.view.revealed:
            self.notify("Reveal the round first (r): gaps show only once both teams are shown.")
            return
        store = self.workshop.store
        made = self._write(lambda: br.gap_action(store, row))
        if made is None:
            return
        item, created = made
        if created:
            self.post_message(Saved(f"Added action '{item.title}'"))
            self.notify(f"Action item added (step 5): {item.title}")
        else:
            self.notify(f"This gap already has an open action item: {item.title}")
