"""Widgets of step 3: the terms table with its status markers and sign-off cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets.data_table import ColumnKey

from tui.widgets.tables import Cell, RecordTable, fit
from workshop import glossary
from workshop import models as m

COLUMNS = ("Term", "Status", "Sales", "Marketing", "Definition")
MARKERS = {
    glossary.SignOffState.AGREED: ("✔", "success"),
    glossary.SignOffState.SALES_ONLY: ("◐", "warning"),
    glossary.SignOffState.MARKETING_ONLY: ("◑", "warning"),
    glossary.SignOffState.PROPOSED: ("○", "foreground"),
    glossary.SignOffState.DISPUTED: ("✖", "error"),
}
"""Each state's text marker (it must read on a monochrome projector) and its theme colour."""
DEFINITION = COLUMNS[-1]
MIN_DEFINITION_WIDTH = 12


def excerpt(text: str, width: int) -> str:
    """The text on one line, cut to `width` characters with an ellipsis; terminal-safe."""
    return fit(" ".join(text.split()), width)


def cell(text: str, width: int = 300) -> Text:
    """A one-line cell of user text: never read as markup, cut with an ellipsis when too wide."""
    return Text(excerpt(text, width), no_wrap=True, overflow="ellipsis", end="")


def width_of(value: Cell) -> int:
    """How many terminal columns a cell takes."""
    return value.cell_len if isinstance(value, Text) else cell_len(value)


def signed(who: str | None, when: dt.datetime | None, today: dt.date) -> str:
    """A short sign-off cell: who and the time (today) or the day (earlier); '—' if unsigned."""
    if when is None:
        return "—"
    local = when.astimezone()
    stamp = f"{local:%H:%M}" if local.date() == today else f"{local:%d %b}"
    return f"{excerpt(who or '', 10)} {stamp}"


Styles = dict[glossary.SignOffState, str]


def marker(term: m.Term, styles: Styles) -> Text:
    """The status cell: a text marker and the state in words, coloured by the theme."""
    state = glossary.sign_off_state(term)
    return Text(f"{MARKERS[state][0]} {state.value}", style=styles.get(state, ""))


def term_cells(term: m.Term, today: dt.date, styles: Styles) -> tuple[Cell, ...]:
    """The table cells of one term (plain data: safe to build off the UI thread)."""
    return (
        cell(term.name, 18),
        marker(term, styles),
        cell(signed(term.sales_signoff_by, term.sales_signoff_at, today)),
        cell(signed(term.marketing_signoff_by, term.marketing_signoff_at, today)),
        cell(term.definition),
    )


class TermsTable(RecordTable):
    """The terms table; its last column (the definition) takes exactly the width left over.

    So a long definition ends in an ellipsis on screen instead of running off the right edge.
    """

    def on_resize(self, event: events.Resize) -> None:
        self.fit_definition([self.get_row(row.key) for row in self.ordered_rows])

    def set_rows(self, rows: Iterable[tuple[int, Sequence[Cell]]]) -> None:
        """Replace every row, sizing the definition column for the new rows first."""
        rows = list(rows)
        self.fit_definition([cells for _, cells in rows], refill=False)
        super().set_rows(rows)

    def upsert(self, row_id: int, cells: Sequence[Cell]) -> None:
        """Update or append one row, then size the definition column for it."""
        self.fit_definition([cells])
        super().upsert(row_id, cells)

    def fit_definition(
        self, pending: Sequence[Sequence[Cell]] = (), *, refill: bool = True
    ) -> None:
        """Give the definition column the room the other columns leave (at least a few words).

        `pending` are rows about to be shown: the table itself only widens its columns for
        new cells when it is next idle, so they are measured here.
        """
        if not self.size.width or ColumnKey(DEFINITION) not in self.columns:
            return
        others = 0
        for index, name in enumerate(self.column_names[:-1]):
            column = self.columns[ColumnKey(name)]
            widths = [column.content_width, column.label.cell_len]
            widths += [width_of(cells[index]) for cells in pending]
            others += max(widths) + 2 * self.cell_padding
        room = self.size.width - self.styles.scrollbar_size_vertical - others
        width = max(MIN_DEFINITION_WIDTH, room - 2 * self.cell_padding)
        current = self.columns[ColumnKey(DEFINITION)]
        if not current.auto_width and current.width == width:
            return
        cells = list(self.get_column(DEFINITION)) if refill else []
        self.remove_column(DEFINITION)
        self.add_column(DEFINITION, width=width, key=DEFINITION)
        for row, value in zip(self.ordered_rows, cells, strict=False):
            self.update_cell(row.key, DEFINITION, value)
