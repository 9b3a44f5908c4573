"""A modal form that saves through a callback and keeps the typed text when saving fails.

Everything shown from a record (its title, option labels, the values being edited, an error
quoting them) is terminal-safe: a control character from a hand-edited database shows as its
stand-in (ESC as ␛), and one pasted into a field is refused by the model, inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from tui.keys import bind
from tui.widgets.choice import ChoiceSelect
from workshop.errors import SessionFileError, ValidationFailed, WorkshopError
from workshop.text import find_control, terminal_safe

FieldKind = Literal["text", "textarea", "select"]


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name in the model, its label and how it is edited."""

    name: str
    label: str
    kind: FieldKind = "text"
    options: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    placeholder: str = ""
    allow_blank: bool = True


def enum_label(member: Any) -> str:
    """How a choice (a team, a status, a frequency) reads in forms and tables alike.

    Its stored word, as the tables, filters, exports and the CLI show it: "sales", "in progress".
    """
    return str(member.value)


def enum_options(enum: Iterable[Any]) -> list[tuple[str, Any]]:
    """Select options from a StrEnum: the label shown (`enum_label`), the member returned."""
    return [(enum_label(member), member) for member in enum]


MESSAGE_LIMIT = 600
"""Longest error shown: a message quoting a pasted page must not bury the form."""


def _cut(message: str) -> str:
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"


def _shown(value: Any) -> str:
    """A stored value as an editor shows it: unchanged unless it holds a control character.

    Only a hand-edited value is changed (to its terminal-safe form), so saving a form
    without touching it never rewrites the line breaks or tabs of a definition.
    """
    text = "" if value is None else str(value)
    if find_control(text, multiline=True) is None:
        return text
    return terminal_safe(text, keep_newlines=True)


SaveCallback = Callable[[dict[str, Any]], Any]
WarnCallback = Callable[[Any], str | None]


class FormModal(ModalScreen[Any]):
    """Edit a record: `save(values)` persists it; a WorkshopError is shown inline, text kept.

    Dismisses with whatever `save` returned (the saved record), or None when cancelled.
    """

    BINDINGS = [
        # Not a priority binding: ctrl+s must queue behind the keys typed (or pasted) before it,
        # or the last characters of a fast typist would be missed by the save.
        bind("ctrl+s", "save", "Save", "Save and close", area="form"),
        bind("escape", "cancel", "Cancel", "Close without saving", area="form"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        values: dict[str, Any] | None = None,
        *,
        save: SaveCallback,
        note: str = "",
    ) -> None:
        super().__init__(classes="form-screen")
        self.form_title = title
        self.fields = list(fields)
        self.values = values or {}
        self.save_callback = save
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            # Titles name records ("Reschedule '[b]x'"): shown as typed, never read as markup.
            yield Label(Text(terminal_safe(self.form_title)), classes="form-title")
            if self.note:
                yield Static(self.note, classes="form-note")
            for spec in self.fields:
                yield Label(spec.label, classes="form-label")
                yield self._editor(spec)
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="form-save")
                yield Button("Cancel (esc)", id="form-cancel")

    def _editor(self, spec: FormField) -> Input | TextArea | Select[Any]:
        value = self.values.get(spec.name)
        widget_id = f"field-{spec.name}"
        if spec.kind == "textarea":
            area = TextArea(_shown(value), id=widget_id, classes="form-area")
            area.show_line_numbers = False
            return area
        if spec.kind == "select":
            # Option labels are often typed names ("[/x]" is a fine name): shown as typed.
            select: Select[Any] = ChoiceSelect(
                spec.options,
                id=widget_id,
                allow_blank=spec.allow_blank,
                value=value if value is not None else Select.NULL,
            )
            return select
        text = _shown(value)
        # The first field is focused when the form opens: its cursor starts after the text, so
        # typing adds to a name instead of replacing it. Fields reached with tab select all.
        first = spec is self.fields[0]
        return Input(text, placeholder=spec.placeholder, id=widget_id, select_on_focus=not first)

    def on_mount(self) -> None:
        self.query(".form Input, .form Select, .form TextArea").first().focus()

    def collected(self) -> dict[str, Any]:
        """The values as typed: text stripped, a blank select as None."""
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                values[spec.name] = widget.text
            elif isinstance(widget, Select):
                values[spec.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, Input):
                values[spec.name] = widget.value
        return values

    def show_error(self, message: str, problems: Sequence[str] = ()) -> None:
        """Show why saving failed, and mark every field a problem names."""
        error = self.query_one("#form-error", Static)
        error.update(Text(terminal_safe(_cut(message), keep_newlines=True)))
        error.scroll_visible(animate=False)
        lines = [line.lower() for line in (problems or [message])]
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            named = any(line.startswith((spec.name.lower(), spec.label.lower())) for line in lines)
            widget.set_class(named, "-invalid")

    def action_save(self) -> None:
        """Save through the callback; stay open with the error when it is refused."""
        try:
            result = self.save_callback(self.collected())
        except SessionFileError as error:  # its message is a headline over its problems
            self.show_error(str(error), error.problems)
            return
        except ValidationFailed as error:
            self.show_error("; ".join(error.problems), error.problems)
            return
        except WorkshopError as error:
            self.show_error(str(error))
            return
        self.dismiss(result if result is not None else True)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()
