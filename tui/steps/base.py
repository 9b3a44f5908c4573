"""What every step pane shares: the store, the session, reading, saving and messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.context import hold, in_background
from tui.refusals import refused
from tui.safe_text import safe_text
from tui.typed import WorkshopNode
from workshop.errors import WorkshopError

if TYPE_CHECKING:
    from workshop import models as m
    from workshop.storage.store import Store

T = TypeVar("T")


@dataclass
class Saved(Message):
    """A change reached the database; the session header shows it."""

    summary: str


@dataclass
class SaveFailed(Message):
    """A change was refused or could not be written; the header and a toast say why."""

    reason: str


@dataclass(frozen=True)
class StepView:
    """What a step pane shows, read in one go off the UI thread (see `StepPane.reload`).

    Each pane extends it with its rows; every view carries the session as read with them,
    which is what `StepPane.session` answers from.
    """

    session: m.Session


V = TypeVar("V", bound=StepView)


class StepPane(WorkshopNode, Vertical, Generic[V]):
    """Base of the six step panes: knows the store, the session, and how to read, save and report.

    One way keeps a pane fresh. `reload` reads what it shows in a background worker (the
    pane's `reader`) and `show` draws that view on the UI thread. A save updates the rows it
    changed at once and calls `changed`, or reloads when figures derived from other rows
    change too. A read that started before a save or before a later read is never shown:
    each read is numbered, and only the latest one lands.
    """

    number: ClassVar[int] = 0
    title: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = []
    failure_at: ClassVar[str] = ""
    """The widget (a selector of a Static) that says why a read failed, where its rows would be."""

    def __init__(self, session_id: int) -> None:
        super().__init__(id=f"step-{self.number}", classes="step")
        self.session_id = session_id
        self.shown: V | None = None
        """The view last shown (None until the first read lands)."""
        self._edition = 0
        """Counts the reads started: only the latest one lands."""
        self._reading = False

    @property
    def session(self) -> m.Session:
        """The session as read with what the pane shows: no query of its own.

        Before the first read has landed it is read from the store.
        """
        if self.shown is None:
            return self.workshop.store.get_session(self.session_id)
        return self.shown.session

    def reader(self) -> Callable[[Store], V]:
        """What reads the pane's view from a store; called on the UI thread, run in a worker.

        Whatever it needs from the screen (today, the theme's colours, the layout) it takes
        now, on the UI thread; it touches no widget.
        """
        raise NotImplementedError

    def show(self, view: V) -> None:
        """Draw `view` (on the UI thread)."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read what the pane shows again, off the UI thread: when the step is shown, after
        an undo, after a save refused as stale; `show` draws it once it lands.

        Until it lands (at most `HOLD_LIMIT`, see `tui.context.hold`) the pane holds its
        messages: the app is not settled, so a key typed meanwhile waits for the rows it
        was typed at (tui/keys.py).
        """
        self._edition += 1
        self._reading = True
        worker = self._read(self._edition, self.reader())
        self.call_later(hold, worker)

    @in_background("step-read")
    def _read(self, edition: int, read: Callable[[Store], V]) -> None:
        view = read(self.workshop.store)
        self.app.call_from_thread(self._land, edition, view)

    def _land(self, edition: int, view: V) -> None:
        """Show `view` unless a later read has started since (a save made during a read
        starts one), or the pane has gone."""
        if edition != self._edition or not self.is_attached:
            return
        self._reading = False
        self.shown = view
        self.show(view)

    def changed(self) -> None:
        """Say that a save changed what the pane shows (its rows already updated): a read
        under way started before it, so it is started again rather than shown."""
        if self._reading:
            self.reload()

    def keep_session(self, session: m.Session) -> None:
        """Take the session as a save returned it, for `session` (no read)."""
        self.changed()
        if self.shown is not None:
            self.shown = replace(self.shown, session=session)

    def show_failure(self, message: str) -> None:
        """Say why the read failed where its rows would be (the app's `worker_failed`)."""
        self._reading = False
        if self.failure_at:
            self.query_one(self.failure_at, Static).update(safe_text(message))

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
