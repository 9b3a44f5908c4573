"""What every step pane shares: the store, the session, a table of records, saving and messages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from workshop import models as m
from workshop.errors import NotFound, StaleEdit, WorkshopError

T = TypeVar("T")
P = ParamSpec("P")
N = TypeVar("N", bound=Widget)
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
        Binding("home", "scroll_top", "First", show=False, id="table.first", tooltip="First row"),
        Binding("end", "scroll_bottom", "Last", show=False, id="table.last", tooltip="Last row"),
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


@dataclass
class Saved(Message):
    """A change reached the database; the session header shows it."""

    summary: str


@dataclass
class SaveFailed(Message):
    """A change was refused or could not be written; the header and a toast say why."""

    reason: str


class StepPane(WorkshopNode, Vertical):
    """Base of the six step panes: knows the store, the session, and how to save and report."""

    number: ClassVar[int] = 0
    title: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, session_id: int) -> None:
        super().__init__(id=f"step-{self.number}", classes="step")
        self.session_id = session_id

    @property
    def session(self) -> m.Session:
        """The session, as last read from the store."""
        return self.workshop.store.get_session(self.session_id)

    def reload(self) -> None:
        """Re-read what the pane shows (after undo, or when it is shown again)."""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row edits it (the table takes the key before the pane's binding)."""
        event.stop()
        edit = getattr(self, "action_edit", None)
        if edit is not None:
            edit()

    def gate_reason(self) -> str | None:
        """Why leaving this step deserves a 'continue anyway?' question, or None."""
        return None

    def persist(self, action: Callable[[], T], summary: str) -> T | None:
        """Run one store write; report it saved, or report why not (nothing else changes)."""
        try:
            result = action()
        except WorkshopError as error:
            self.post_message(SaveFailed(str(error)))
            refused(self, error)
            return None
        self.post_message(Saved(summary))
        return result

    def participants(self) -> list[m.Participant]:
        """The people in the room, for owner and sign-off pickers."""
        return self.workshop.store.rows(m.Participant, self.session_id)


def refused(node: Widget, error: WorkshopError) -> None:
    """Say in one line why a store call was refused; when the row was deleted or changed
    elsewhere (another process on the same file), read what the view shows again.

    The view is read again by its `reload` method, when it has one.
    """
    node.notify(str(error), severity="error", timeout=8, markup=False)
    reload = getattr(node, "reload", None)
    if isinstance(error, NotFound | StaleEdit) and callable(reload):
        try:
            reload()
        except WorkshopError as unreadable:  # the whole session went: say that too
            node.notify(str(unreadable), severity="error", timeout=8, markup=False)


def guarded(handler: Callable[Concatenate[N, P], T]) -> Callable[Concatenate[N, P], T | None]:
    """Wrap a key or event handler that calls the store: a WorkshopError it raises is
    reported by `refused` (a message, then the view read again) instead of ending the app."""

    @functools.wraps(handler)
    def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return handler(node, *args, **kwargs)
        except WorkshopError as error:
            refused(node, error)
            return None

    return run


def bind(
    key: str,
    action: str,
    description: str,
    tooltip: str,
    *,
    show: bool = True,
    key_display: str | None = None,
) -> Binding:
    """A binding with an id derived from its action, so every key is documented and remappable."""
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=key_display,
        id=f"step.{action}",
        tooltip=tooltip,
    )


def enum_label(member: Any) -> str:
    """How a choice (a team, a status, a frequency) reads in forms and tables alike.

    Its stored word, as the tables, filters, exports and the CLI show it: "sales", "in progress".
    """
    return str(member.value)


def enum_options(enum: Iterable[Any]) -> list[tuple[str, Any]]:
    """Select options from a StrEnum: the label shown (`enum_label`), the member returned."""
    return [(enum_label(member), member) for member in enum]


def blank_none(value: Any) -> str:
    """A cell for an optional value: empty instead of 'None'."""
    return "" if value is None else str(value)
