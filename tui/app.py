"""The Textual app: one factory builds it for the CLI and for every test."""

from __future__ import annotations

import datetime as dt
import shlex
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.theme import Theme
from textual.widget import Widget

from tui.commands import WorkshopCommands
from tui.keys import KeyOrder, bind, ordered
from tui.settings import load_settings, save_settings, settings_path
from workshop.text import terminal_safe

if TYPE_CHECKING:
    from tui.context import WorkshopContext
    from workshop.storage.store import Clock, Store

PROJECTOR_THEME = Theme(
    name="projector",
    primary="#FFD700",
    secondary="#00BFFF",
    accent="#FFD700",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF7F",
    warning="#FFD700",
    error="#FF5555",
    dark=True,
    variables={
        "footer-key-foreground": "#FFD700",
        "block-cursor-background": "#FFD700",
        "block-cursor-foreground": "#000000",
    },
)
"""High-contrast theme for projectors: pure black and white with one strong accent."""

DEFAULT_THEME = "textual-dark"

SAVE_COPY_KEY = "ctrl+o"
"""Saves a copy of the database: the way out when its file was deleted or replaced.

Not ctrl+b, which tmux takes as its prefix, nor a key that text fields use."""
SAVE_COPY_HINT = (
    f"press {SAVE_COPY_KEY} (or 'save a copy' in the command palette, ctrl+p) to save "
    "everything in a new file"
)
"""How a refused save tells what to do when the database file has gone."""


def _local_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class WorkshopApp(App[None]):
    """Alignment Workshop: run and review a sales-and-marketing alignment workshop."""

    CSS_PATH: ClassVar = [
        "app.tcss",
        "steps/assess.tcss",
        "steps/terms.tcss",
        "steps/revenue.tcss",
        "steps/actions.tcss",
        "screens/review.tcss",
    ]
    TITLE = "Alignment Workshop"
    COMMANDS: ClassVar = App.COMMANDS | {WorkshopCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("question_mark", "help", "Help", "Show every key", area="app"),
        bind(
            "f2",
            "toggle_projector",
            "Projector",
            "Switch the high-contrast projector theme on or off",
            area="app",
            name="projector",
        ),
        bind(
            SAVE_COPY_KEY,
            "save_copy",
            "Save a copy",
            "Save a copy of the whole database elsewhere",
            area="app",
            show=False,
            # Also from a form: the key is named in the form's own refusal message.
            priority=True,
        ),
        bind(
            "ctrl+q",
            "quit",
            "Quit",
            "Quit (everything is already saved)",
            area="app",
            priority=True,
        ),
    ]

    def __init__(
        self,
        store: Store | Callable[[], Store],
        *,
        session_id: int | None = None,
        review: bool = False,
        clock: Clock = _local_now,
        config_path: Path | None = None,
        db_path: Path | None = None,
    ) -> None:
        """`store` is the open store, or a function that opens it when it is first needed."""
        super().__init__()
        self._store: Store | None = None if callable(store) else store
        self._open_store = store if callable(store) else None
        self._store_lock = threading.Lock()
        self.db_path = db_path if db_path is not None or callable(store) else store.path
        self.initial_session = session_id
        self.review_mode = review
        self.clock = clock
        self.config_path = config_path or settings_path()
        self.settings = load_settings(self.config_path)
        self.key_order = KeyOrder(self, super().on_event)

    @property
    def store(self) -> Store:
        """The workshop database, opened on first use.

        Opening it imports the storage layer (pydantic models, sqlite-utils), which takes
        longer than Textual's own start; the session list draws its first frame without it.
        """
        if self._store is None:
            with self._store_lock:  # a worker thread and the UI may both ask first
                if self._store is None and self._open_store is not None:
                    self._store = self._open_store()
        assert self._store is not None
        return self._store

    async def on_event(self, event: events.Event) -> None:
        """Typed keys and pastes apply in order, each to what is on screen once the ones before
        it have been handled (see tui/keys.py); every other event is Textual's as usual."""
        if ordered(event):
            await self.key_order.handle(event)
        else:
            await super().on_event(event)

    def on_mount(self) -> None:
        from tui.screens.session_list import SessionListScreen

        self.register_theme(PROJECTOR_THEME)
        self.theme = (
            self.settings.get("theme", DEFAULT_THEME)
            if self.settings.get("theme") in self.available_themes
            else DEFAULT_THEME
        )
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(SessionListScreen())
        if self.initial_session is not None:
            self.open_session(self.initial_session)

    def _remember_theme(self, theme: Theme) -> None:
        self.settings["theme"] = theme.name
        save_settings(self.config_path, self.settings)

    def open_session(self, session_id: int, *, review: bool | None = None) -> None:
        """Show a session (in review mode when asked, or when the app was started for a review).

        A session that cannot be read (a damaged row) is not opened: a message says why. The
        session screen reads it in the background after its first frame and closes with that
        message; the review reads it first.
        """
        if not (self.review_mode if review is None else review):
            from tui.screens.session import SessionScreen

            self.push_screen(SessionScreen(session_id))
            return
        from workshop.errors import WorkshopError

        try:
            self.store.get_session(session_id)
        except WorkshopError as error:
            self.notify(str(error), severity="error", timeout=12)
            return
        from tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(session_id))

    def action_help(self) -> None:
        """Show the keys of every screen."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_save_copy(self) -> None:
        """Ask where, then save a complete copy of the database there (never over a file)."""
        from tui.widgets.forms import FormField, FormModal
        from workshop.storage.database import default_copy_path

        def save(values: dict[str, Any]) -> Path:
            target = Path(str(values["path"]).strip()).expanduser()
            return self.store.save_copy(target)

        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(
                    f"Saved a copy of everything in {path}. "
                    f"To work on it: workshop --db {shlex.quote(str(path))}",
                    timeout=20,
                )

        default = default_copy_path(self.db_path) if self.db_path else Path("workshop.db")
        self.push_screen(
            FormModal(
                "Save a copy of the database",
                [FormField("path", "Save the copy as")],
                {"path": str(default)},
                save=save,
                note="Every change saved so far goes into the copy; an existing file is kept.",
            ),
            saved,
        )

    def action_toggle_projector(self) -> None:
        """Switch between the projector theme and the default theme."""
        self.theme = DEFAULT_THEME if self.theme == PROJECTOR_THEME.name else PROJECTOR_THEME.name

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast; messages quote what people typed, so they are never read as markup
        and their control characters are shown, never sent to the terminal."""
        super().notify(
            terminal_safe(message, keep_newlines=True),
            title=terminal_safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def worker_failed(self, node: Widget, error: Exception) -> None:
        """Report a failed background read (see `in_background`) in one line, never by dying.

        A WorkshopError says what went wrong in its own words; anything else is a bug, shown
        by its type and logged with its traceback. The widget that waited for the work shows
        the message in its place (its `show_failure`), so nothing reads "Reading…" for ever.
        """
        from workshop.errors import WorkshopError

        if isinstance(error, WorkshopError):
            message = str(error)
        else:
            message = (
                f"Unexpected error ({type(error).__name__}: {error}); "
                "everything saved so far is kept."
            )
            self.log.error(f"{node!r} failed:", "".join(traceback.format_exception(error)))
        self.notify(message, severity="error", timeout=12)
        show_failure = getattr(node, "show_failure", None)
        if node.is_attached and callable(show_failure):
            show_failure(message)

    def on_unmount(self) -> None:
        self.key_order.stop()
        if self._store is not None:
            self._store.close()


if TYPE_CHECKING:

    def _gives_context(app: WorkshopApp) -> WorkshopContext:
        """mypy proves here that the app gives its screens what they use (tui/context.py)."""
        return app


def make_app(
    db_path: Path | str,
    *,
    session_id: int | None = None,
    review: bool = False,
    clock: Clock = _local_now,
    config_path: Path | None = None,
) -> WorkshopApp:
    """Build the app on the database at `db_path` (the CLI and the tests both use this).

    The database is opened when the app first needs it, which is after its first frame.
    """
    path = Path(db_path).expanduser()

    def open_store() -> Store:
        from workshop.storage.store import Store

        return Store(path, clock=clock, copy_hint=SAVE_COPY_HINT)

    return WorkshopApp(
        open_store,
        session_id=session_id,
        review=review,
        clock=clock,
        config_path=config_path,
        db_path=path,
    )
