"""The action-item table of step 5: sorted and filtered in memory, filled in chunks.

A session can hold thousands of action items. The models stay in memory (updated as each
change is saved), so sorting and filtering never re-read the database, and rows reach the
table a chunk per UI-thread call from a worker, so no call blocks the screen for long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.widgets.data_table import Row, RowKey
from textual.worker import get_current_worker

from tui.context import in_background
from tui.steps.action_forms import (
    COLUMNS,
    OVERDUE_MARKER,
    Layout,
    item_cells,
)
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop import planning

CHUNK = 500
"""Rows added to the table per UI-thread call."""


class ActionTable(RecordTable):
    """The action items as the room looks at them: one sort column, a team and a status filter."""

    @dataclass
    class ViewChanged(Message):
        """The order, a filter, the counts or the loading state changed."""

    @dataclass
    class Stale(Message):
        """The cells must be built again (narrow/wide switch); the pane reloads."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(COLUMNS, **kwargs)
        self.items: dict[int, m.ActionItem] = {}
        self.cells: dict[int, tuple[Text, ...]] = {}
        self.owner_names: Mapping[int, str] = {}
        self.view = planning.ActionView()
        self.layout_in_use: Layout | None = None
        self.today = dt.date.min
        self.alarm = "red"
        self.loaded = False
        self.filling = False
        self.shown = 0
        self._generation = 0
        self._keep: int | None = None

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Skip measuring new cells: every column has a fixed width and every row one line.

        DataTable measures each cell of each new row to size auto-width columns; with fixed
        widths that work is thrown away, and for thousands of rows it is most of the fill.
        """
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width, self.row_count + header)

    def _append_rows(self, rows: Iterable[tuple[str, tuple[Text, ...]]]) -> None:
        """Append one-line rows in one go: `add_row`'s bookkeeping, with its per-row work once.

        `DataTable.add_row` re-validates the cursor and bumps the cache counter for every row;
        for a chunk of hundreds that repeated work is most of the time spent. The steps are
        those of `add_row` in the pinned Textual version (pyproject pins textual==8.2.8).
        Rows appended to a table that has rows go below the ones drawn, so the cache counter
        (part of every cell's cache key) is left alone and only the row offsets are dropped:
        each chunk used to re-render every visible cell, about 40 ms for a full screen.
        """
        columns = [column.key for column in self.ordered_columns]
        was_empty = self.row_count == 0
        index = first = self.row_count
        for key, cells in rows:
            row_key = RowKey(key)
            self._row_locations[row_key] = index
            self._data[row_key] = dict(zip(columns, cells, strict=False))
            self.rows[row_key] = Row(row_key, 1)
            self._new_rows.add(row_key)
            index += 1
        if index == first:
            return
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.row_count and self.columns and self.show_cursor:
            self._highlight_cursor()
        if was_empty:
            self._update_count += 1
        else:  # rows below those drawn: only the row offsets change, drawn cells stay cached
            self._offset_cache.clear()
        self.check_idle()

    def target_layout(self) -> Layout:
        """The layout for the current screen width (the step spans it, less its padding)."""
        return Layout.for_width(self.app.size.width - 2)

    def start_loading(self) -> None:
        """Mark the rows as being read again; a fill still running stops."""
        self.loaded = False
        self._generation += 1
        self.post_message(self.ViewChanged())

    def show_items(
        self,
        items: list[m.ActionItem],
        cells: dict[int, tuple[Text, ...]],
        owner_names: Mapping[int, str],
        *,
        layout: Layout,
        today: dt.date,
        alarm: str,
    ) -> None:
        """Take freshly read items and fill the table with them (see `refill`)."""
        self.items = {item.id or 0: item for item in items}
        self.cells = cells
        self.owner_names = owner_names
        self.today = today
        self.alarm = alarm
        self.loaded = True
        self._use_layout(layout)
        self._fill()

    def _use_layout(self, layout: Layout) -> None:
        if layout == self.layout_in_use:
            return
        self.layout_in_use = layout
        if self._keep is None:
            self._keep = self.selected_id
        self.clear(columns=True)
        for name, label, width in zip(COLUMNS, layout.labels(), layout.widths, strict=True):
            self.add_column(label, key=name, width=width)

    def _start_fill(self) -> tuple[int, list[int]]:
        self._generation += 1
        if self._keep is None:
            self._keep = self.selected_id
        self.clear()
        order = [item.id or 0 for item in self.view.arrange(self.items.values(), self.owner_names)]
        self.shown = len(order)
        self.filling = True
        self.post_message(self.ViewChanged())
        return self._generation, order

    def _fill(self) -> None:
        """Fill the table in the current order and filter: at once when the rows fit in one
        chunk, else chunk by chunk from a worker."""
        generation, order = self._start_fill()
        if len(order) <= CHUNK:
            self._add_chunk(generation, order)
            self._fill_done(generation)
        else:
            self._feed(generation, order)

    @in_background("action-rows")
    def _feed(self, generation: int, order: list[int]) -> None:
        """Hand the rows to the UI thread chunk by chunk (in a worker thread)."""
        worker = get_current_worker()
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            if worker.is_cancelled or not self.app.call_from_thread(
                self._add_chunk, generation, chunk
            ):
                return
        self.app.call_from_thread(self._fill_done, generation)

    def _add_chunk(self, generation: int, ids: list[int]) -> bool:
        if generation != self._generation:
            return False
        self._append_rows(
            (str(row_id), cells)
            for row_id in ids
            if (cells := self.cells.get(row_id)) is not None and str(row_id) not in self.rows
        )
        if self._keep is not None and str(self._keep) in self.rows:
            self.select_id(self._keep)
            self._keep = None
        return True

    def _fill_done(self, generation: int) -> None:
        if generation == self._generation:
            self.filling = False
            self._keep = None
            self.post_message(self.ViewChanged())

    def refill(self) -> None:
        """Show the items in memory again in the current order and filter (no database read)."""
        if not self.loaded:
            self.post_message(self.ViewChanged())
            return
        self._fill()

    def set_view(self, view: planning.ActionView) -> None:
        """Sort and filter by `view`; a new sort order alone re-sorts the rows in place."""
        same_rows = (view.team, view.status) == (self.view.team, self.view.status)
        self.view = view
        if same_rows and self.loaded and not self.filling:
            self._resort()
        else:
            self.refill()

    def _order_key(self, row_key: RowKey) -> tuple[Any, ...]:
        """Where the row of `row_key` goes in the view's order."""
        item = self.items[int(row_key.value or 0)]
        return planning.sort_key(item, self.view.sort, self.owner_names)

    def _resort(self) -> None:
        """Put the rows shown in the view's order (a row kept in sight outside the filters too)."""
        keep = self.selected_id
        ordered = sorted(self.rows, key=self._order_key)
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(ordered)})
        self._update_count += 1  # as DataTable.sort does (pinned Textual version)
        self.refresh()
        if keep is not None:
            self.select_id(keep)
        self.post_message(self.ViewChanged())

    def _place(self, row_id: int) -> None:
        """Move one row to its place in the view's order, the others staying as they are.

        The other rows are in order, so the place is found by bisection and only the rows
        between the old and the new place shift by one: a few hundred microseconds even
        for thousands of rows, where sorting them all again would take milliseconds.
        """
        key = RowKey(str(row_id))
        old = self._row_locations.get(key)
        if old is None:
            return
        wanted = self._order_key(key)
        low, high = 0, self.row_count - 1  # the place among the other rows
        while low < high:
            middle = (low + high) // 2
            other = self._row_locations.get_key(middle if middle < old else middle + 1)
            if other is not None and self._order_key(other) < wanted:
                low = middle + 1
            else:
                high = middle
        if low == old:
            return
        step = 1 if low > old else -1
        for index in range(old + step, low + step, step):  # each one place towards `old`
            shifted = self._row_locations.get_key(index)
            if shifted is not None:
                self._row_locations[shifted] = index - step
        self._row_locations[key] = low
        self._update_count += 1
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        layout = self.target_layout()
        if not self.loaded or self.layout_in_use is None or layout == self.layout_in_use:
            return
        if layout.narrow != self.layout_in_use.narrow:
            self.post_message(self.Stale())
        else:
            self._use_layout(layout)
            self.refill()

    @property
    def selected_item(self) -> m.ActionItem | None:
        """The action item under the cursor."""
        return self.items.get(self.selected_id or 0)

    def remember(self, item: m.ActionItem) -> None:
        """Keep a saved item and show its row where the sort puts it, with the cursor on it.

        A row the filters no longer take (or a new one they do not take) stays in sight,
        at its place in the order, until the view changes.
        """
        row_id = item.id or 0
        self.items[row_id] = item
        narrow = self.layout_in_use.narrow if self.layout_in_use else False
        self.cells[row_id] = item_cells(
            item, self.owner_names, self.today, narrow=narrow, alarm=self.alarm
        )
        if str(row_id) not in self.rows:
            self.shown += 1
        self.upsert(row_id, self.cells[row_id])
        self._place(row_id)
        self.select_id(row_id)
        self.post_message(self.ViewChanged())

    def forget(self, row_id: int) -> None:
        """Drop a deleted item and its row."""
        self.items.pop(row_id, None)
        self.cells.pop(row_id, None)
        if str(row_id) in self.rows:
            self.shown -= 1
        self.remove_record(row_id)
        self.post_message(self.ViewChanged())

    def view_line(self) -> Text:
        """The keys, the sort and filters in use, and what is shown, for the line above."""
        view = self.view
        line = Text()
        for key, label, value in (
            ("o", "sort", view.sort),
            ("f", "team", view.team),
            ("g", "status", view.status),
        ):
            line.append_text(Text.assemble((key, "bold reverse"), f" {label}: ", (value, "bold")))
            line.append("  ")
        if not self.loaded:
            return line.append("· loading…")
        overdue = sum(item.is_overdue(self.today) for item in self.items.values())
        line.append(f"· {self.shown:,} of {len(self.items):,} shown")
        if overdue:
            line.append(f" · {OVERDUE_MARKER} {overdue:,} overdue", style="bold")
        if self.filling:
            line.append(" · loading…")
        return line
