"""Export: preview the rendered action plan, choose a format and a path, write it."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, MarkdownViewer, Select, Static

from tui.context import in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.settings import export_folder, remember_export_folder
from tui.typed import WorkshopNode
from tui.widgets.dialogs import ConfirmModal
from workshop.errors import WorkshopError

FORMAT_OPTIONS = [
    ("Markdown action plan (.md)", "md"),
    ("Action items for trackers (.csv)", "csv"),
    ("Calendar: to-dos and cadence (.ics)", "ics"),
    ("Whole session, re-importable (.json)", "json"),
]


class ExportScreen(WorkshopNode, Screen[None]):
    """Shows the plan as it will be written; nothing about the session is ended or locked."""

    BINDINGS = [
        bind("ctrl+s", "write", "Write file", "Write the export", area="export"),
        bind("escape", "close", "Back", "Back to the session", area="export"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(classes="export-screen")
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Static("[b]Export[/b] · preview of the action plan (escape: back)", id="export-title")
        yield MarkdownViewer(
            "*Rendering the plan…*", id="export-preview", show_table_of_contents=False
        )
        with Vertical(id="export-options"):
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                yield Select(FORMAT_OPTIONS, value="md", allow_blank=False, id="export-format")
            with Horizontal(classes="export-row"):
                yield Label("Write to", classes="export-label")
                yield Input(id="export-path")
                yield Button("Write (ctrl+s)", variant="primary", id="export-write")
            yield Static("", id="export-error")
        yield Footer()

    def on_mount(self) -> None:
        self._suggest_path("md")
        self.render_preview()
        self.query_one("#export-path", Input).focus()

    def _suggest_path(self, fmt: str) -> None:
        """Suggest the format's file name in the folder already typed, else the last one used."""
        from workshop.export import default_filename

        session = self.workshop.store.get_session(self.session_id)
        field = self.query_one("#export-path", Input)
        field.value = str(self._folder(field.value) / default_filename(session, fmt))

    def _folder(self, typed: str) -> Path:
        """The folder of the path typed, if it exists; else the last export's (or the current)."""
        folder = Path(typed.strip()).expanduser().parent if typed.strip() else None
        try:
            if folder is not None and folder != Path() and folder.is_dir():
                return folder
        except OSError:
            pass
        return export_folder(self.workshop.settings)

    @in_background("export-preview")
    def render_preview(self) -> None:
        """Render the plan off the UI thread (a large session takes a moment), then show it."""
        from workshop.export import render

        text = render(
            self.workshop.store, self.session_id, "md", today=self.workshop.clock().date()
        )
        self.app.call_from_thread(self._show_preview, text)

    def show_failure(self, message: str) -> None:
        """Say why the plan could not be rendered, in place of the preview."""
        self._show_preview(f"**The plan could not be rendered:** {message}")

    def _show_preview(self, text: str) -> None:
        self.query_one("#export-preview", MarkdownViewer).document.update(text)

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._suggest_path(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_write()

    def action_write(self, force: bool = False) -> None:
        """Write the chosen format to the chosen path; asks before replacing a file.

        A target that may never be written (the open database, a folder, a device) is
        refused inline at once, without asking.
        """
        from workshop.export import check_target

        fmt = str(self.query_one("#export-format", Select).value)
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._error("Type the path of the file to write.")
            return
        path = Path(raw).expanduser()
        try:
            # The open database, its companions, a folder or a device: refused before asking.
            check_target(path, protect=self.workshop.store.path)
        except WorkshopError as error:
            self._error(str(error))
            return
        if path.exists() and not force:
            self.app.push_screen(
                ConfirmModal(f"{path} exists. Replace it?", yes="Replace"),
                lambda answer: self.action_write(force=True) if answer else None,
            )
            return
        self._write(fmt, path, force)

    def _write(self, fmt: str, path: Path, force: bool) -> None:
        from workshop.export import render, write_atomically

        try:
            text = render(
                self.workshop.store,
                self.session_id,
                fmt,
                today=self.workshop.clock().date(),
            )
            written = write_atomically(path, text, force=force, protect=self.workshop.store.path)
        except WorkshopError as error:
            self._error(str(error))
            return
        except OSError as error:
            self._error(f"Cannot write {path}: {error.strerror or error}.")
            return
        self._error("")
        remember_export_folder(written, self.workshop.settings, self.workshop.config_path)
        self.notify(f"Wrote {written}", title="Exported", timeout=8)

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(safe_text(message))

    def action_close(self) -> None:
        """Back to the session."""
        self.dismiss(None)
