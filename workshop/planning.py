"""Rules of step 5: how action items are sorted and filtered, and how the forms of action
items, standing meetings (cadence) and KPIs are read into validated models.

Every `build_*` function collects all problems of a form at once and raises one
ValidationFailed whose lines each start with the field they are about, so a form can mark
every wrong field and keep what was typed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from workshop import models as m
from workshop.errors import ValidationFailed

if TYPE_CHECKING:
    from workshop.storage.store import Store

R = TypeVar("R", bound=m.Record)

SORT_COLUMNS = ("due", "priority", "status", "owner", "team")
"""Columns the action table can be sorted by, in the order one key cycles through them."""

ALL = "all"
NOT_DONE = "not done"
TEAM_FILTERS = (ALL, *(team.value for team in m.Team))
"""Team filter choices, in the order one key cycles through them."""
STATUS_FILTERS = (ALL, NOT_DONE, *(status.value for status in m.ActionStatus))
"""Status filter choices, in the order one key cycles through them."""

PAST_DUE_WARNING = "due date is in the past"

_STATUS_RANK = {status: rank for rank, status in enumerate(m.ActionStatus)}
_TEAM_RANK = {team: rank for rank, team in enumerate(m.Team)}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
MAX_WHOLE_DIGITS = 9
"""Longest whole number read from a form: far above any duration, far below int()'s limit."""


def next_choice(choices: Sequence[str], current: str) -> str:
    """The choice after `current`, wrapping around (the first if `current` is unknown)."""
    if current not in choices:
        return choices[0]
    return choices[(choices.index(current) + 1) % len(choices)]


@dataclasses.dataclass(frozen=True)
class ActionView:
    """How the room looks at the action items: sorted by one column, filtered by team and status."""

    sort: str = "due"
    team: str = ALL
    status: str = ALL

    def shows(self, item: m.ActionItem) -> bool:
        """Whether `item` passes the team and status filters."""
        if self.team != ALL and item.team.value != self.team:
            return False
        if self.status == NOT_DONE:
            return item.status is not m.ActionStatus.DONE
        return self.status == ALL or item.status.value == self.status

    def arrange(
        self, items: Iterable[m.ActionItem], owner_names: Mapping[int, str]
    ) -> list[m.ActionItem]:
        """The items that pass the filters, in the chosen order (ties broken by due date, id)."""
        shown = [item for item in items if self.shows(item)]
        return sorted(shown, key=lambda item: sort_key(item, self.sort, owner_names))

    @property
    def is_filtered(self) -> bool:
        """Whether any filter hides items."""
        return self.team != ALL or self.status != ALL

    def next_sort(self) -> ActionView:
        """The same view sorted by the next column."""
        return dataclasses.replace(self, sort=next_choice(SORT_COLUMNS, self.sort))

    def next_team(self) -> ActionView:
        """The same view filtered by the next team choice."""
        return dataclasses.replace(self, team=next_choice(TEAM_FILTERS, self.team))

    def next_status(self) -> ActionView:
        """The same view filtered by the next status choice."""
        return dataclasses.replace(self, status=next_choice(STATUS_FILTERS, self.status))


def sort_key(item: m.ActionItem, column: str, owner_names: Mapping[int, str]) -> tuple[Any, ...]:
    """Sort key of `item` by `column`: earliest, most urgent, least done first; blanks last."""
    due = (item.due is None, item.due or dt.date.max)
    if column == "due":
        primary: tuple[Any, ...] = ()
    elif column == "priority":
        primary = (item.priority.rank,)
    elif column == "status":
        primary = (_STATUS_RANK[item.status],)
    elif column == "owner":
        name = owner_names.get(item.owner_id) if item.owner_id is not None else None
        primary = (name is None, (name or "").casefold())
    elif column == "team":
        primary = (_TEAM_RANK[item.team],)
    else:
        raise ValueError(f"cannot sort action items by {column!r}")
    return (*primary, *due, item.id or 0)


def shown(typed: str, width: int = 40) -> str:
    """Typed text quoted back in a message, cut so a pasted page cannot flood the screen."""
    line = " ".join(typed.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def parse_date(text: str | dt.date | None, field: str, *, required: bool = False) -> dt.date | None:
    """Read a date typed as YYYY-MM-DD; blank means none (refused when `required`).

    Only the ISO form is accepted: pydantic alone would read '0' as 1970-01-01 (a Unix time).
    """
    if isinstance(text, dt.date):
        return text
    typed = (text or "").strip()
    if not typed:
        if required:
            raise ValidationFailed(f"{field}: is required; type it as YYYY-MM-DD, e.g. 2026-12-01")
        return None
    try:
        if not _ISO_DATE.fullmatch(typed):
            raise ValueError(typed)
        return dt.date.fromisoformat(typed)
    except ValueError:
        raise ValidationFailed(
            f"{field}: '{shown(typed)}' is not a date; type it as YYYY-MM-DD, e.g. 2026-12-01"
        ) from None


def parse_due(text: str | dt.date | None) -> dt.date | None:
    """Read a due date typed as YYYY-MM-DD; blank means no due date."""
    return parse_date(text, "due")


def due_warning(due: dt.date | None, today: dt.date) -> str | None:
    """The flag a past due date earns (it is allowed: follow-ups record late items too)."""
    return PAST_DUE_WARNING if due is not None and due < today else None


def resolve_team(team: m.Team | str | None, owner: m.Participant | None) -> m.Team:
    """The team accountable: as chosen, else the owner's team, else 'other'."""
    if team:
        return m.Team(team)
    return owner.team if owner is not None else m.Team.OTHER


def build_action(
    values: Mapping[str, Any],
    *,
    base: m.ActionItem | None = None,
    participants: Sequence[m.Participant] = (),
) -> m.ActionItem:
    """An action item from a form's values (due as typed text, blank team = owner's team)."""
    problems: list[str] = []
    try:
        due = parse_due(values.get("due"))
    except ValidationFailed as error:
        problems += error.problems
        due = None
    owners = {person.id: person for person in participants}
    owner = owners.get(values.get("owner_id"))
    data = {
        **(base.model_dump() if base is not None else {}),
        **values,
        "due": due,
        "team": resolve_team(values.get("team"), owner),
    }
    return _built(m.ActionItem, data, problems)


def parse_time(text: str | dt.time) -> dt.time:
    """Read a clock time typed as HH:MM (or H:MM, or HH.MM)."""
    if isinstance(text, dt.time):
        return text
    match = _CLOCK_TIME.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.time(int(match[1]), int(match[2]))
    except ValueError:
        raise ValidationFailed(
            f"time: '{shown(text)}' is not a time; type it as HH:MM, e.g. 09:30"
        ) from None


def parse_teams(text: str | Sequence[m.Team]) -> list[m.Team]:
    """Read attendee teams typed as 'sales, marketing' (commas, spaces, '&' or 'and')."""
    if not isinstance(text, str):
        return [m.Team(team) for team in text]
    words = [w for w in re.split(r"[\s,;/&+]+", text.strip().lower()) if w and w != "and"]
    if not words:
        raise ValidationFailed("attendees: name at least one team, e.g. sales, marketing")
    teams: list[m.Team] = []
    for word in words:
        try:
            team = m.Team(word)
        except ValueError:
            choices = ", ".join(t.value for t in m.Team)
            raise ValidationFailed(
                f"attendees: '{shown(word)}' is not a team ({choices})"
            ) from None
        if team not in teams:
            teams.append(team)
    return teams


def format_teams(teams: Iterable[m.Team]) -> str:
    """Attendee teams as the form shows them: 'sales, marketing'."""
    return ", ".join(team.value for team in teams)


def parse_whole(text: Any, field: str, unit: str) -> int | None:
    """Read a whole number such as a duration; blank means not given."""
    if isinstance(text, int):
        return text
    typed = str(text or "").strip()
    if not typed:
        return None
    # isdecimal, not isdigit: '²' is a digit int() cannot read; and int() refuses 4,300+ digits.
    if not typed.isdecimal():
        raise ValidationFailed(f"{field}: must be a whole number of {unit} (got '{shown(typed)}')")
    if len(typed.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValidationFailed(f"{field}: is too large (got '{shown(typed)}')")
    return int(typed)


def build_cadence(values: Mapping[str, Any], *, base: m.Cadence | None = None) -> m.Cadence:
    """A standing meeting from a form's values (time as HH:MM, attendees as 'sales, marketing')."""
    data: dict[str, Any] = {**(base.model_dump() if base is not None else {}), **values}
    problems: list[str] = []
    readers: dict[str, Callable[[Any], Any]] = {
        "time": parse_time,
        "attendees": parse_teams,
        "duration_minutes": lambda text: parse_whole(text, "duration_minutes", "minutes"),
    }
    for field, read in readers.items():
        if field not in values:
            continue
        try:
            parsed = read(values[field])
        except ValidationFailed as error:
            problems += error.problems
            data.pop(field, None)
        else:
            if parsed is None:
                data.pop(field, None)
            else:
                data[field] = parsed
    return _built(m.Cadence, data, problems)


def build_kpi(values: Mapping[str, Any], *, base: m.Kpi | None = None) -> m.Kpi:
    """A KPI from a form's values (baseline and target as typed numbers, blank = unknown).

    The model reads the numbers (`models.parse_number`), so a form, a session file and the
    store accept the same values.
    """
    data: dict[str, Any] = {**(base.model_dump() if base is not None else {}), **values}
    return _built(m.Kpi, data, [])


def _built(kind: type[R], data: dict[str, Any], problems: list[str]) -> R:
    """Validate `data` as `kind`, adding the model's own problems to those found while reading."""
    built: R | None = None
    try:
        built = m.build(kind, data)
    except ValidationFailed as error:
        problems = problems + error.problems
    if problems or built is None:
        raise ValidationFailed(problems[0], problems)
    return built


def cycle_status(store: Store, item: m.ActionItem) -> m.ActionItem:
    """Move an action item to its next status (open → in progress → blocked → done → open)."""
    return set_status(store, item, item.next_status())


def set_status(store: Store, item: m.ActionItem, status: m.ActionStatus) -> m.ActionItem:
    """Give an action item the status chosen; the one it has already is not saved again."""
    if item.status is status:
        return item
    return store.update(item.model_copy(update={"status": status}))
