"""The two small tables beside the action items on step 5: the standing cadence and the KPIs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text

from tui.steps.action_forms import cell
from tui.steps.base import Saved, StepPane
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormField, FormModal, enum_label, enum_options
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop import planning

S = TypeVar("S", bound=m.SessionRecord)
SCROLLBAR = 2


def fit_widths(widths: Sequence[int], screen_width: int) -> tuple[int, ...]:
    """Column widths for a screen: fixed columns as given, the rest shared (cell padding 2)."""
    shared = [index for index, width in enumerate(widths) if width == 0]
    rest = screen_width - SCROLLBAR - 2 * len(widths) - sum(widths)
    rest = max(rest, 8 * len(shared))
    fitted = list(widths)
    for position, index in enumerate(shared):
        fitted[index] = rest // len(shared) + (rest % len(shared) if position == 0 else 0)
    return tuple(fitted)


@dataclass(frozen=True)
class TabSpec(Generic[S]):
    """What one small table shows and how its form reads into a model."""

    kind: type[S]
    noun: str
    columns: tuple[str, ...]
    widths: tuple[int, ...]
    """Column widths; 0 marks a column that shares what is left of the screen."""
    cells: Callable[[S], tuple[Text, ...]]
    fields: Sequence[FormField]
    values: Callable[[S | None], dict[str, Any]]
    build: Callable[[dict[str, Any], S | None], S]


def cadence_cells(meeting: m.Cadence) -> tuple[Text, ...]:
    """Name, frequency, 'Wed 09:30', minutes, attendee teams."""
    when = f"{m.WEEKDAYS[meeting.weekday][:3].capitalize()} {meeting.time:%H:%M}"
    return (
        cell(meeting.name),
        cell(enum_label(meeting.frequency)),
        cell(when),
        cell(f"{meeting.duration_minutes} min"),
        cell(planning.format_teams(meeting.attendees)),
    )


def cadence_values(meeting: m.Cadence | None) -> dict[str, Any]:
    """The cadence form's starting values (a new meeting: weekly, Monday 09:00, 30 minutes)."""
    meeting = meeting or m.Cadence(name="new")
    return {
        **(meeting.model_dump() if meeting.id else {"name": ""}),
        "frequency": meeting.frequency,
        "weekday": meeting.weekday,
        "time": f"{meeting.time:%H:%M}",
        "duration_minutes": str(meeting.duration_minutes),
        "attendees": planning.format_teams(meeting.attendees),
    }


def kpi_cells(kpi: m.Kpi) -> tuple[Text, ...]:
    """Name, unit, baseline, target and the direction that counts as better."""
    arrow = "↑ up" if kpi.direction is m.Direction.UP else "↓ down"
    return (
        cell(kpi.name),
        cell(kpi.unit),
        cell("" if kpi.baseline is None else str(kpi.baseline)),
        cell("" if kpi.target is None else str(kpi.target)),
        cell(arrow),
    )


def kpi_values(kpi: m.Kpi | None) -> dict[str, Any]:
    """The KPI form's starting values (a new KPI improves by going up)."""
    if kpi is None:
        return {"direction": m.Direction.UP}
    return kpi.model_dump()


CADENCE = TabSpec(
    kind=m.Cadence,
    noun="meeting",
    columns=("Meeting", "Frequency", "When", "Length", "Attendees"),
    widths=(0, 11, 9, 7, 0),
    cells=cadence_cells,
    fields=(
        FormField("name", "Name", placeholder="e.g. Weekly pipeline review"),
        FormField("frequency", "Frequency", "select", enum_options(m.Frequency), allow_blank=False),
        FormField(
            "weekday",
            "Weekday",
            "select",
            [(day.capitalize(), index) for index, day in enumerate(m.WEEKDAYS)],
            allow_blank=False,
        ),
        FormField("time", "Time (HH:MM)", placeholder="e.g. 09:30"),
        FormField("duration_minutes", "Duration (minutes)", placeholder="e.g. 30"),
        FormField("attendees", "Attendee teams", placeholder="e.g. sales, marketing"),
    ),
    values=cadence_values,
    build=lambda typed, base: planning.build_cadence(typed, base=base),
)
"""The standing meetings both teams keep."""

KPIS = TabSpec(
    kind=m.Kpi,
    noun="KPI",
    columns=("KPI", "Unit", "Baseline", "Target", "Better"),
    widths=(0, 8, 10, 10, 6),
    cells=kpi_cells,
    fields=(
        FormField("name", "Name", placeholder="e.g. Lead-to-opportunity conversion"),
        FormField("unit", "Unit", placeholder="e.g. %, days, USD"),
        FormField("baseline", "Baseline (today's value)", placeholder="e.g. 12"),
        FormField("target", "Target", placeholder="e.g. 20"),
        FormField(
            "direction",
            "Better when it goes",
            "select",
            enum_options(m.Direction),
            allow_blank=False,
        ),
    ),
    values=kpi_values,
    build=lambda typed, base: planning.build_kpi(typed, base=base),
)
"""The measures both teams track, with baseline and target."""


class RecordTab(Generic[S]):
    """Add, edit and delete the rows of one small table on step 5 through its form."""

    def __init__(self, pane: StepPane[Any], table: RecordTable, spec: TabSpec[S]) -> None:
        self.pane = pane
        self.table = table
        self.spec = spec
        self.records: dict[int, S] = {}
        self.widths: tuple[int, ...] = ()

    def show(self, records: Sequence[S]) -> None:
        """Show `records` as stored, in columns that fit the screen."""
        self.records = {r.id: r for r in records if r.id is not None}
        self._fit_columns()
        self.table.set_rows((row_id, self.spec.cells(r)) for row_id, r in self.records.items())

    def fit(self) -> None:
        """Fit the columns to a resized screen (once the rows have been shown)."""
        if self.widths and self._fit_columns():
            self.show(list(self.records.values()))

    def _fit_columns(self) -> bool:
        widths = fit_widths(self.spec.widths, self.pane.app.size.width - 2)
        if widths == self.widths:
            return False
        self.widths = widths
        self.table.clear(columns=True)
        for name, width in zip(self.spec.columns, widths, strict=True):
            self.table.add_column(name, key=name, width=width)
        return True

    def _form(self, title: str, record: S | None) -> FormModal:
        spec = self.spec

        def save(typed: dict[str, Any]) -> S:
            store = self.pane.workshop.store
            if record is None:
                return store.add(spec.build(typed, None), self.pane.session_id)
            return store.update(spec.build(typed, record))

        return FormModal(title, list(spec.fields), spec.values(record), save=save)

    def _saved(self, record: S | None, verb: str) -> None:
        if record is None or record.id is None:
            return
        self.records[record.id] = record
        self.table.upsert(record.id, self.spec.cells(record))
        self.pane.changed()
        self.pane.post_message(Saved(f"{verb} {self.spec.noun} {getattr(record, 'name', '')}"))

    def add(self) -> None:
        """Open the form for a new row."""
        self.pane.app.push_screen(
            self._form(f"Add {self.spec.noun}", None), lambda r: self._saved(r, "Added")
        )

    def edit(self) -> None:
        """Open the form for the selected row."""
        record = self.records.get(self.table.selected_id or 0)
        if record is not None:
            self.pane.app.push_screen(
                self._form(f"Edit {self.spec.noun}", record), lambda r: self._saved(r, "Saved")
            )

    def delete(self) -> None:
        """Delete the selected row after confirming."""
        record = self.records.get(self.table.selected_id or 0)
        if record is None or record.id is None:
            return
        row_id = record.id
        name = getattr(record, "name", "")

        def remove() -> S:
            self.pane.workshop.store.delete(record)
            return record

        def confirmed(answer: bool | None) -> None:
            if answer and self.pane.persist(remove, f"Deleted {self.spec.noun} {name}"):
                self.records.pop(row_id, None)
                self.table.remove_record(row_id)
                self.pane.changed()

        self.pane.app.push_screen(ConfirmModal(f"Delete {self.spec.noun} {name}?"), confirmed)
