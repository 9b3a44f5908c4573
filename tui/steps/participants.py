"""Step 1: the people in the room, each attributed to a team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Static

from tui.keys import bind
from tui.refusals import guarded
from tui.steps.base import Saved, StepPane, StepView
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormField, FormModal, enum_label, enum_options
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop import steps

if TYPE_CHECKING:
    from workshop.storage.store import Store

COLUMNS = ("Name", "Team", "Role")


def participant_cells(person: m.Participant) -> tuple[str, ...]:
    """The table cells of one participant (the team as its form shows it)."""
    return (person.name, enum_label(person.team), person.role)


@dataclass(frozen=True)
class ParticipantsView(StepView):
    """The people in the room, as step 1 shows them."""

    people: list[m.Participant]


def read_participants(store: Store, session_id: int) -> ParticipantsView:
    """Read what step 1 shows."""
    return ParticipantsView(store.get_session(session_id), store.rows(m.Participant, session_id))


class ParticipantsStep(StepPane[ParticipantsView]):
    """Add, edit and remove participants; owners and sign-offs elsewhere pick from this list."""

    number = steps.PARTICIPANTS.number
    title = steps.PARTICIPANTS.name
    failure_at = "#participants-intro"
    BINDINGS = [
        bind("a", "add", "Add", "Add a participant"),
        bind("enter", "edit", "Edit", "Edit the selected participant"),
        bind("delete", "delete", "Delete", "Delete the selected participant (asks first)"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "Who is in the room? Owners and sign-offs are picked from this list.",
            id="participants-intro",
            classes="step-intro",
        )
        yield RecordTable(COLUMNS, id="participants-table", fill=COLUMNS[-1])

    @property
    def table(self) -> RecordTable:
        """The participants table."""
        return self.query_one(RecordTable)

    def reader(self) -> Callable[[Store], ParticipantsView]:
        """Reads the participants of this session."""
        return lambda store: read_participants(store, self.session_id)

    def show(self, view: ParticipantsView) -> None:
        """Show the participants as read."""
        self.table.set_rows((p.id or 0, participant_cells(p)) for p in view.people)

    def _form(self, title: str, person: m.Participant | None) -> FormModal:
        fields = [
            FormField("name", "Name"),
            FormField("team", "Team", "select", enum_options(m.Team), allow_blank=False),
            FormField("role", "Role", placeholder="e.g. Head of demand generation"),
        ]
        values: dict[str, Any] = (
            person.model_dump() if person else {"team": m.Team.SALES, "name": "", "role": ""}
        )

        def save(typed: dict[str, Any]) -> m.Participant:
            store = self.workshop.store
            if person is None:
                new: m.Participant = m.build(m.Participant, typed)
                return store.add(new, self.session_id)
            edited: m.Participant = m.build(m.Participant, {**person.model_dump(), **typed})
            return store.update(edited)

        return FormModal(title, fields, values, save=save)

    def _show(self, person: m.Participant | None, verb: str) -> None:
        if person is None:
            return
        self.table.upsert(person.id or 0, participant_cells(person))
        self.changed()
        self.post_message(Saved(f"{verb} {person.name}"))

    def action_add(self) -> None:
        """Open the form for a new participant."""
        self.app.push_screen(self._form("Add participant", None), lambda p: self._show(p, "Added"))

    @guarded
    def action_edit(self) -> None:
        """Open the form for the selected participant."""
        selected = self.table.selected_id
        if selected is None:
            return
        person = self.workshop.store.get(m.Participant, selected)
        self.app.push_screen(
            self._form("Edit participant", person), lambda p: self._show(p, "Saved")
        )

    @guarded
    def action_delete(self) -> None:
        """Delete the selected participant after confirming."""
        selected = self.table.selected_id
        if selected is None:
            return
        person = self.workshop.store.get(m.Participant, selected)

        def delete() -> m.Participant:
            self.workshop.store.delete(person)
            return person

        def confirmed(answer: bool | None) -> None:
            if answer and self.persist(delete, f"Deleted {person.name}"):
                self.table.remove_record(selected)
                self.changed()

        self.app.push_screen(
            ConfirmModal(f"Delete participant {person.name}? Items they own keep no owner."),
            confirmed,
        )
