"""Tables of records: the row-cursor table every view uses, how it is filled again after the
screen narrows, and how long text is cut to fit a column. Every cell is shown as typed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.keys import bind
from tui.safe_text import safe_text
from workshop.text import terminal_safe

Cell = str | Text


def plain(cells: Sequence[Cell]) -> list[Text]:
    """Cells as plain text: what people typed is shown as typed, never read as markup, and
    a control character is shown by its stand-in, never sent to the terminal."""
    return [safe_text(cell) for cell in cells]


MIN_FILL_WIDTH = 12
"""The narrowest the long-text column gets: a few words, then an ellipsis."""


class RecordTable(DataTable[Cell]):
    """A row-cursor table whose row keys are record ids, updated row by row after each save.

    `fill` names the column of long text (a role, a title, an SLA): it takes the width the
    other columns leave, recomputed when the table is resized, and its text ends in an
    ellipsis instead of running off the right edge.
    """

    # DataTable's home/end scroll sideways, which a row cursor never needs: first/last row.
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("home", "scroll_top", "First", "First row", area="table", name="first", show=False),
        bind("end", "scroll_bottom", "Last", "Last row", area="table", name="last", show=False),
    ]

    def __init__(self, columns: Sequence[str], *, fill: str | None = None, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.column_names = list(columns)
        self.fill_column = fill

    def on_mount(self) -> None:
        for name in self.column_names:
            if name == self.fill_column:
                self.add_column(name, key=name, width=MIN_FILL_WIDTH)
            else:
                self.add_column(name, key=name)

    def on_resize(self, event: events.Resize) -> None:
        """Give the fill column the width the others leave at the new size."""
        if self.fit_fill_column():
            self._require_update_dimensions = True  # the virtual width, when next idle
            self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Measure the new rows, then give the fill column what the others leave."""
        super()._update_dimensions(new_rows)
        if self.fit_fill_column():
            super()._update_dimensions(())  # the virtual width, with the new column width

    def fit_fill_column(self) -> bool:
        """Size the fill column to the room left over; True when its width changed."""
        key = ColumnKey(self.fill_column or "")
        column = self.columns.get(key)
        if column is None or not self.size.width:
            return False
        others = sum(c.get_render_width(self) for k, c in self.columns.items() if k != key)
        room = self.size.width - self.styles.scrollbar_size_vertical - others
        width = max(room - 2 * self.cell_padding, MIN_FILL_WIDTH)
        if column.width == width:
            return False
        column.width = width
        self._clear_caches()
        self._update_count += 1
        self.refresh()
        return True

    def _cells(self, cells: Sequence[Cell]) -> list[Text]:
        """`plain` cells, the fill column's on one line cut with an ellipsis."""
        shown = plain(cells)
        if self.fill_column in self.column_names:
            text = shown[self.column_names.index(self.fill_column)]
            text.no_wrap, text.overflow = True, "ellipsis"
        return shown

    def set_rows(self, rows: Iterable[tuple[int, Sequence[Cell]]]) -> None:
        """Replace every row, keeping the cursor on the same record when it is still there."""
        keep = self.selected_id
        self.clear()
        for row_id, cells in rows:
            super().add_row(*self._cells(cells), key=str(row_id))  # already plain
        if keep is not None:
            self.select_id(keep)

    def upsert(self, row_id: int, cells: Sequence[Cell]) -> None:
        """Update the row of `row_id` in place, or append it and move the cursor to it."""
        key = str(row_id)
        if key in self.rows:
            for name, cell in zip(self.column_names, self._cells(cells), strict=True):
                self.update_cell(key, name, cell)
        else:
            super().add_row(*self._cells(cells), key=key)  # already plain
            self.select_id(row_id)

    def add_row(
        self,
        *cells: Cell,
        height: int | None = 1,
        key: str | None = None,
        label: str | Text | None = None,
    ) -> RowKey:
        """Add a row whose cells are shown as typed, whoever adds it (see `plain`)."""
        return super().add_row(*plain(cells), height=height, key=key, label=label)

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Cell,
        *,
        update_width: bool = False,
    ) -> None:
        """Update one cell, shown as typed."""
        super().update_cell(row_key, column_key, safe_text(value), update_width=update_width)

    def remove_record(self, row_id: int) -> None:
        """Remove the row of `row_id` if it is shown."""
        if str(row_id) in self.rows:
            self.remove_row(str(row_id))

    @property
    def selected_id(self) -> int | None:
        """The record id under the cursor, or None for an empty table."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def select_id(self, row_id: int) -> None:
        """Move the cursor to the row of `row_id`."""
        key = str(row_id)
        if key in self.rows:
            self.move_cursor(row=self.get_row_index(key))


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
