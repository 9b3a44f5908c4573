"""Pydantic domain types of a workshop session: one place owns every validation rule."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_validator,
)

from workshop.assessment import Polarity
from workshop.errors import ValidationFailed
from workshop.text import check_text


class Team(StrEnum):
    """The team a participant, an owner or a sign-off belongs to."""

    SALES = "sales"
    MARKETING = "marketing"
    LEADERSHIP = "leadership"
    OTHER = "other"


class TermStatus(StrEnum):
    """Where a glossary term stands: agreed only once both teams signed it off."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    DISPUTED = "disputed"


class ActionStatus(StrEnum):
    """Progress of an action item; `cycle` walks them in this order."""

    OPEN = "open"
    IN_PROGRESS = "in progress"
    BLOCKED = "blocked"
    DONE = "done"


class Priority(StrEnum):
    """How urgent an action item is; declared least urgent first, as forms offer them."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Its place in `PRIORITY_ORDER`: 0 for critical, the most urgent."""
        return _PRIORITY_RANKS[self]


PRIORITY_ORDER: tuple[Priority, ...] = tuple(reversed(Priority))
"""Priorities most urgent first: the order plans and tables sort action items by."""
_PRIORITY_RANKS = {priority: rank for rank, priority in enumerate(PRIORITY_ORDER)}


class Category(StrEnum):
    """The kind of alignment work an action item does (from the workshop method)."""

    COMMUNICATION = "communication"
    CONSULTATION = "consultation"
    CULTURE_TRUST = "culture/trust"
    CROSS_FUNCTIONAL = "cross-functional teams"
    TRAINING = "training"
    TECHNOLOGY = "technology/tools"
    PROCESS = "process"
    MEASUREMENT = "measurement"


class Direction(StrEnum):
    """Whether a KPI improves by going up or down."""

    UP = "up"
    DOWN = "down"


class Frequency(StrEnum):
    """How often a standing meeting of the cadence recurs."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SIGN_OFF_TEAMS = (Team.SALES, Team.MARKETING)


def parse_money(value: Any) -> Decimal:
    """Read an amount typed as `1200000`, `1,200,000`, `$1.2M` or `25k` as an exact Decimal."""
    if isinstance(value, bool):
        raise ValueError("must be an amount such as 25000 or 25k")
    if isinstance(value, Decimal | int | float):
        return _bounded(Decimal(str(value)), "amount")
    text = str(value).strip().replace(",", "").replace("_", "").lstrip("$€£").strip()
    multiplier = Decimal(1)
    if text[-1:].lower() in ("k", "m"):
        multiplier = Decimal(1000) if text[-1].lower() == "k" else Decimal(1_000_000)
        text = text[:-1].strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"must be an amount such as 25000 or 25k (got {shorten(value)})") from None
    return _bounded(_bounded(amount, "amount") * multiplier, "amount")


MAX_MAGNITUDE = Decimal(10) ** 15
"""Largest amount or percentage accepted: far above any revenue, small enough to stay exact."""


def _bounded(number: Decimal, what: str) -> Decimal:
    """Refuse numbers that are not finite, too large or too precise to store and compute exactly."""
    if not number.is_finite():
        raise ValueError(f"must be a finite {what}")
    if number.copy_abs() >= MAX_MAGNITUDE:
        raise ValueError(f"is too large (at most {MAX_MAGNITUDE - 1:,})")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError("has too many decimal places (at most 6)")
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number


def parse_percent(value: Any) -> Decimal:
    """Read a percentage typed as `30`, `30%` or `12.5 %` exactly (no float rounding)."""
    if isinstance(value, bool):
        raise ValueError("must be a percentage such as 30 or 30%")
    text = str(value).strip().removesuffix("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"must be a percentage such as 30 or 30% (got {shorten(value)})") from None
    return _bounded(percent, "percentage")


def _json_list(value: Any) -> Any:
    """Accept a JSON-encoded list as stored in SQLite, or a list as given."""
    if isinstance(value, str):
        return json.loads(value) if value.strip() else []
    return value


def _blank_to_none(value: Any) -> Any:
    """Treat an empty form field as 'not given'."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse_number(value: Any) -> Decimal:
    """Read a measured value (a KPI baseline, target or reading) typed as `12`, `12.5`, `1,200`
    or `35%` as a bounded exact Decimal; `nan` and `inf` are not numbers to a person."""
    if isinstance(value, bool):
        raise ValueError("must be a number such as 12 or 12.5")
    text = str(value).strip().replace(",", "").removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"must be a number such as 12 or 12.5 (got {shorten(value)})")
    return _bounded(number, "number")


Money = Annotated[Decimal, BeforeValidator(parse_money)]
Number = Annotated[Decimal, BeforeValidator(parse_number)]
Percent = Annotated[Decimal, BeforeValidator(parse_percent)]


def _iso_date(value: Any) -> Any:
    """Accept a date only as YYYY-MM-DD: "0" or "1700000000" is not a date to a person."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"is not a real date (got {shorten(value)})") from None
    raise ValueError(f"must be a date as YYYY-MM-DD (got {shorten(value)})")


def shorten(value: Any, limit: int = 40) -> str:
    """Quote what was typed, cut short so a pasted page does not flood the message."""
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
OptionalDate = Annotated[IsoDate | None, BeforeValidator(_blank_to_none)]
OptionalId = Annotated[int | None, BeforeValidator(_blank_to_none)]


def _one_line(text: str) -> str:
    return check_text(text)


def _lines(text: str) -> str:
    return check_text(text, multiline=True)


ONE_LINE = AfterValidator(_one_line)
"""The rule of a one-line text field: no control character, a newline and a tab included.

It comes after the field's length limits in `Annotated[str, Field(...), ONE_LINE]`, so
pydantic still checks them as string limits ("at most 200 characters").
"""
LINES = AfterValidator(_lines)
"""The rule of a multi-line text field: newlines and tabs only (CR LF becomes LF)."""
SingleLine = Annotated[str, ONE_LINE]
"""Text on one line, of any length."""
Name = Annotated[str, Field(min_length=1, max_length=200), ONE_LINE]
"""A required name or title on one line."""
ShortText = Annotated[str, Field(max_length=200), ONE_LINE]
"""An optional name, role or label on one line."""
LongText = Annotated[str, Field(max_length=20_000), LINES]
"""Free text that may span lines: notes, definitions, descriptions."""


def clean_name(name: str) -> str:
    """A name as compared for uniqueness: trimmed, inner spaces folded, casefolded."""
    return re.sub(r"\s+", " ", name).strip().casefold()


class Record(BaseModel):
    """Base of every stored row: an id, the session it belongs to and an edit version."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
        defer_build=True,  # each model's validator is built on its first use, not at import
    )
    # The strings under the fields document them; the JSON Schema reads them when it is
    # asked for (session_file.json_schema), not every start-up (pydantic's
    # use_attribute_docstrings parses this file's source for every model, about 40 ms).
    table: ClassVar[str] = ""
    label: ClassVar[str] = ""

    id: int | None = None
    """Row id, assigned by the store; None until saved."""
    version: int = 1
    """Edit version, raised by every update; an edit based on an older one is refused."""

    def describe(self) -> str:
        """A short human name of the row for messages and the change log."""
        name = getattr(self, "name", None) or getattr(self, "title", None) or f"#{self.id}"
        return f"{self.label} '{name}'"


class SessionRecord(Record):
    """A row that belongs to one workshop session."""

    session_id: int | None = None
    """The session this row belongs to; set by the store when added."""


class Session(Record):
    """One workshop: who ran it for whom, when, and how far it got."""

    table: ClassVar[str] = "sessions"
    label: ClassVar[str] = "Session"

    title: Name
    """Headline of the workshop, e.g. 'Q3 revenue alignment'."""
    organisation: ShortText = ""
    """The company or business unit the teams belong to."""
    facilitator: ShortText = ""
    """Who runs the workshop."""
    date: IsoDate = Field(default_factory=dt.date.today)
    """The day the workshop takes place (ISO date)."""
    step_reached: int = Field(default=1, ge=1, le=6)
    """The furthest step (1–6) the workshop has reached."""
    revealed_at: dt.datetime | None = None
    """When both teams' assessment scores were revealed to the room; empty while the round is
    blind (no score, index or gap is shown anywhere until then)."""
    annual_revenue: Annotated[
        Annotated[Money, Field(ge=0)] | None, BeforeValidator(_blank_to_none)
    ] = None
    """The organisation's annual revenue, used to size the cost of misalignment."""
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$"), ONE_LINE] = "USD"
    """ISO currency code of every amount in the session."""
    notes: LongText = ""
    """Free notes of the facilitator."""

    def describe(self) -> str:
        """A short human name of the session."""
        return f"Session '{self.title}'"


class Participant(SessionRecord):
    """A person in the room, attributed to a team."""

    table: ClassVar[str] = "participants"
    label: ClassVar[str] = "Participant"

    name: Name
    """Full name as the room knows the person."""
    team: Team = Team.OTHER
    """sales, marketing, leadership or other."""
    role: ShortText = ""
    """Job title or role in the workshop."""


class Statement(SessionRecord):
    """An assessment statement both teams rate from 1 (disagree) to 5 (agree)."""

    table: ClassVar[str] = "statements"
    label: ClassVar[str] = "Statement"

    position: int = 0
    """Order in the assessment."""
    key: Annotated[str, Field(max_length=100), ONE_LINE] = ""
    """Slug of the statement-bank entry it came from, empty for a custom statement."""
    text: Annotated[str, Field(min_length=1, max_length=1000), ONE_LINE]
    """The sentence read out to both teams."""
    polarity: Polarity = Polarity.POSITIVE
    """Agreeing signals alignment (positive) or misalignment (red flag)."""
    theme: ShortText = ""
    """Short theme, e.g. 'Lead quality'."""

    def describe(self) -> str:
        """A short human name of the statement."""
        return f"Statement '{self.text[:60]}'"


class Answer(SessionRecord):
    """One score for one statement, by a team (consensus) or by a participant of that team."""

    table: ClassVar[str] = "answers"
    label: ClassVar[str] = "Answer"

    statement_id: int
    """The statement answered."""
    team: Team
    """The team the score is attributed to (answers are attributed by team, not by person)."""
    participant_id: OptionalId = None
    """The participant who answered, only when the facilitator records per person."""
    score: int = Field(ge=1, le=5)
    """1 strongly disagree … 5 strongly agree."""

    def describe(self) -> str:
        """A short human name of the answer."""
        return f"{self.team.value} answer to statement #{self.statement_id}"


class Term(SessionRecord):
    """A glossary term both teams must sign off before it counts as agreed."""

    table: ClassVar[str] = "terms"
    label: ClassVar[str] = "Term"

    name: Name
    """The word being defined, e.g. 'MQL'; unique per session ignoring case and spaces."""
    definition: LongText = ""
    """What the term means for both teams."""
    entry_criteria: LongText = ""
    """What must be true for something to enter this state."""
    exit_criteria: LongText = ""
    """What must be true for it to move on."""
    example: LongText = ""
    """A concrete example both teams recognise."""
    sales_signoff_by: SingleLine | None = None
    """Who signed the term off for sales."""
    sales_signoff_at: dt.datetime | None = None
    """When sales signed it off."""
    marketing_signoff_by: SingleLine | None = None
    """Who signed the term off for marketing."""
    marketing_signoff_at: dt.datetime | None = None
    """When marketing signed it off."""
    disputed: bool = False
    """Set when the room cannot agree; a disputed term becomes an action item."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> TermStatus:
        """Agreed when both teams signed off, disputed when marked so, else proposed."""
        if self.disputed:
            return TermStatus.DISPUTED
        if self.sales_signoff_at and self.marketing_signoff_at:
            return TermStatus.AGREED
        return TermStatus.PROPOSED

    def is_signed_off_by(self, team: Team) -> bool:
        """Whether the given team (sales or marketing) has signed this term off."""
        return getattr(self, f"{_sign_off_team(team).value}_signoff_at") is not None

    def sign_off(self, team: Team, who: str, when: dt.datetime) -> Term:
        """A copy signed off by `team`, recording who and when; signing clears a dispute.

        `who` is checked like any typed name (ValidationFailed for a control character).
        """
        field = _sign_off_team(team).value
        changes = {f"{field}_signoff_by": who or field, f"{field}_signoff_at": when}
        signed: Term = build(type(self), {**self.model_dump(), **changes, "disputed": False})
        return signed

    def withdraw_sign_off(self, team: Team) -> Term:
        """A copy with `team`'s sign-off removed."""
        field = _sign_off_team(team).value
        return self.model_copy(update={f"{field}_signoff_by": None, f"{field}_signoff_at": None})

    def toggle_sign_off(self, team: Team, who: str, when: dt.datetime) -> Term:
        """Sign off for `team` if it has not, withdraw its sign-off if it has."""
        if self.is_signed_off_by(team):
            return self.withdraw_sign_off(team)
        return self.sign_off(team, who, when)

    def revise(self, **changes: Any) -> tuple[Term, bool]:
        """A copy with `changes` applied; a changed definition or criteria drops both sign-offs.

        Returns the new term and whether sign-offs were cleared, so the UI can say so.
        """
        meaning = ("definition", "entry_criteria", "exit_criteria")
        had_sign_off = self.sales_signoff_at is not None or self.marketing_signoff_at is not None
        revised: Term = build(type(self), {**self.model_dump(), **changes})
        # Compare the validated (stripped) text, so re-saving the same words keeps sign-offs.
        changed = any(getattr(revised, k) != getattr(self, k) for k in meaning)
        if changed and had_sign_off:
            revised = revised.withdraw_sign_off(Team.SALES).withdraw_sign_off(Team.MARKETING)
            return revised, True
        return revised, False

    @property
    def clean_name(self) -> str:
        """The name as compared for uniqueness."""
        return clean_name(self.name)


def _sign_off_team(team: Team | str) -> Team:
    team = Team(team)
    if team not in SIGN_OFF_TEAMS:
        raise ValidationFailed("Only sales and marketing sign terms off.")
    return team


class RevenueGoal(SessionRecord):
    """The one shared revenue goal both teams work towards (one per session)."""

    table: ClassVar[str] = "revenue_goals"
    label: ClassVar[str] = "Revenue goal"

    period: Annotated[str, Field(max_length=100), ONE_LINE] = "FY"
    """Name of the period, e.g. 'FY2027' or 'H1'."""
    months: int = Field(default=12, ge=1, le=120)
    """Length of the period in months."""
    target: Money = Field(gt=0)
    """Revenue to win in the period."""
    average_deal_size: Money = Field(gt=0)
    """Average first-year value of a won deal."""
    marketing_share: Percent = Field(default=Decimal(50), ge=0, le=100)
    """Share of pipeline marketing sources, in percent."""
    model: Annotated[str, Field(pattern="^(bowtie|waterfall)$"), ONE_LINE] = "bowtie"
    """Which default shape the stages started from."""

    def describe(self) -> str:
        """A short human name of the goal."""
        return f"Revenue goal {self.period}"


class Stage(SessionRecord):
    """One stage of the shared revenue cycle, in order."""

    table: ClassVar[str] = "stages"
    label: ClassVar[str] = "Stage"

    position: int = 0
    """Order in the cycle, top (first touch) to bottom."""
    name: Name
    """Stage name, e.g. 'SQL' or 'Commit'."""
    owner_team: Team | None = None
    """Team accountable for the stage; a stage without an owner trips the gate."""
    term_id: OptionalId = None
    """The glossary term that defines the stage."""
    conversion: Annotated[Percent | None, BeforeValidator(_blank_to_none)] = Field(
        default=None, gt=0, le=100
    )
    """Percent converting from this stage to the next; empty for the last stage."""
    exit_criteria: LongText = ""
    """What must be true to move to the next stage."""
    sla: Annotated[str, Field(max_length=500), ONE_LINE] = ""
    """Hand-off service level, e.g. 'sales calls every MQL within 24 h'."""
    is_won: bool = False
    """The stage where a deal counts as won (Commit in the bowtie, Won in the waterfall)."""


class ActionItem(SessionRecord):
    """A commitment that leaves the room: who does what by when, and what it serves."""

    table: ClassVar[str] = "action_items"
    label: ClassVar[str] = "Action"

    title: Annotated[str, Field(min_length=1, max_length=300), ONE_LINE]
    """What will be done, as a short imperative."""
    description: LongText = ""
    """Details, context, definition of done."""
    owner_id: OptionalId = None
    """The participant who owns the item."""
    team: Team = Team.OTHER
    """The team accountable."""
    category: Category = Category.PROCESS
    """The kind of alignment work."""
    priority: Priority = Priority.MEDIUM
    """How urgent it is."""
    due: OptionalDate = None
    """Due date (ISO); a past date is allowed but flagged."""
    status: ActionStatus = ActionStatus.OPEN
    """open, in progress, blocked or done."""
    term_id: OptionalId = None
    """The glossary term the item serves, if any."""
    stage_id: OptionalId = None
    """The revenue-cycle stage the item serves, if any."""
    statement_id: OptionalId = None
    """The assessment statement (gap) the item serves, if any."""
    created_at: dt.datetime | None = None
    """When the item was created (set by the store)."""
    updated_at: dt.datetime | None = None
    """When the item last changed (set by the store)."""
    done_at: dt.datetime | None = None
    """When the item was last moved to done."""

    _cycle: ClassVar[tuple[ActionStatus, ...]] = tuple(ActionStatus)

    def is_overdue(self, today: dt.date) -> bool:
        """Due before `today` and not done."""
        return self.due is not None and self.due < today and self.status is not ActionStatus.DONE

    def next_status(self) -> ActionStatus:
        """The status one key press moves to: open → in progress → blocked → done → open."""
        order = self._cycle
        return order[(order.index(self.status) + 1) % len(order)]


class Cadence(SessionRecord):
    """A standing meeting both teams keep, e.g. the weekly pipeline review."""

    table: ClassVar[str] = "cadences"
    label: ClassVar[str] = "Cadence"

    name: Name
    """What the meeting is, e.g. 'Weekly pipeline review'."""
    frequency: Frequency = Frequency.WEEKLY
    """How often it recurs."""
    weekday: int = Field(default=0, ge=0, le=6)
    """Day of the week, 0 = Monday."""
    time: dt.time = dt.time(9, 0)
    """Local start time (HH:MM)."""
    duration_minutes: int = Field(default=30, ge=5, le=480)
    """Length in minutes."""
    attendees: Annotated[list[Team], BeforeValidator(_json_list)] = Field(
        default_factory=lambda: [Team.SALES, Team.MARKETING]
    )
    """Teams that attend."""
    starts: OptionalDate = None
    """First occurrence (defaults to the next matching weekday after the workshop)."""

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().isdigit():
            name = value.strip().lower()
            matches = [i for i, day in enumerate(WEEKDAYS) if day.startswith(name)]
            if len(name) < 3 or not matches:
                raise ValueError("must be a weekday such as Monday or mon")
            return matches[0]
        return value


class Kpi(SessionRecord):
    """A measure both teams track, with where it starts and where it should get to."""

    table: ClassVar[str] = "kpis"
    label: ClassVar[str] = "KPI"

    name: Name
    """e.g. 'Lead-to-opportunity conversion'."""
    unit: Annotated[str, Field(max_length=40), ONE_LINE] = ""
    """e.g. '%', 'days', 'USD'."""
    baseline: Annotated[Number | None, BeforeValidator(_blank_to_none)] = None
    """Value at the workshop."""
    target: Annotated[Number | None, BeforeValidator(_blank_to_none)] = None
    """Value to reach."""
    direction: Direction = Direction.UP
    """Whether higher (up) or lower (down) is better."""

    def is_on_track(self, latest: Decimal | None) -> bool | None:
        """Whether the latest reading has reached the target or moved past the baseline towards it.

        None when there is no reading, or neither a baseline nor a target to compare with.
        """
        if latest is None or (self.baseline is None and self.target is None):
            return None
        sign = 1 if self.direction is Direction.UP else -1
        if self.target is not None and sign * (latest - self.target) >= 0:
            return True
        return self.baseline is not None and sign * (latest - self.baseline) > 0


class KpiReading(SessionRecord):
    """One measured value of a KPI on a date."""

    table: ClassVar[str] = "kpi_readings"
    label: ClassVar[str] = "KPI reading"

    kpi_id: int
    """The KPI measured."""
    value: Number
    """The value read."""
    date: IsoDate
    """When it was measured."""
    note: Annotated[str, Field(max_length=2000), LINES] = ""
    """Context for the reading."""

    def describe(self) -> str:
        """A short human name of the reading."""
        return f"KPI reading {self.value} on {self.date.isoformat()}"


class Review(SessionRecord):
    """A follow-up review of a session: the fixed point 'since last time' counts from."""

    table: ClassVar[str] = "reviews"
    label: ClassVar[str] = "Review"

    date: IsoDate
    """The day of the review."""
    reviewer: ShortText = ""
    """Who ran the review."""

    def describe(self) -> str:
        """A short human name of the review."""
        return f"Review of {self.date.isoformat()}"


class ReviewNote(SessionRecord):
    """A note taken during a review, optionally about one action item."""

    table: ClassVar[str] = "review_notes"
    label: ClassVar[str] = "Review note"

    date: IsoDate
    """When the note was taken."""
    author: ShortText = ""
    """Who wrote it."""
    text: Annotated[str, Field(min_length=1, max_length=20_000), LINES]
    """The note."""
    action_item_id: OptionalId = None
    """The action item it reports progress on, if any."""

    def describe(self) -> str:
        """A short human name of the note."""
        return f"Review note '{self.text[:40]}'"


class Gate(SessionRecord):
    """A 'continue anyway?' answer given when leaving a step with open issues."""

    table: ClassVar[str] = "gates"
    label: ClassVar[str] = "Gate"

    step: int = Field(ge=1, le=6)
    """The step being left."""
    reason: Annotated[str, Field(max_length=2000), ONE_LINE]
    """What was still open, e.g. '3 terms not signed off by both teams'."""
    continued: bool
    """Whether the facilitator chose to continue anyway."""
    at: dt.datetime
    """When the answer was given."""

    def describe(self) -> str:
        """A short human name of the gate."""
        return f"Gate at step {self.step}"


class Timebox(SessionRecord):
    """The planned and actual time spent on one step."""

    table: ClassVar[str] = "timeboxes"
    label: ClassVar[str] = "Timebox"

    step: int = Field(ge=1, le=6)
    """The step timed."""
    planned_minutes: int = Field(default=20, ge=1, le=600)
    """Time planned for the step, including extensions."""
    actual_seconds: int = Field(default=0, ge=0)
    """Time actually spent with the timer running."""

    def describe(self) -> str:
        """A short human name of the timebox."""
        return f"Timebox of step {self.step}"


ENTITIES: tuple[type[SessionRecord], ...] = (
    Participant,
    Statement,
    Answer,
    Term,
    RevenueGoal,
    Stage,
    ActionItem,
    Cadence,
    Kpi,
    KpiReading,
    Review,
    ReviewNote,
    Gate,
    Timebox,
)
"""Every kind of row that belongs to a session, in dependency order (parents first)."""

_ALL_KINDS: tuple[type[Record], ...] = (Session, *ENTITIES)
MODELS_BY_TABLE: dict[str, type[Record]] = {kind.table: kind for kind in _ALL_KINDS}

REFERENCES: dict[str, str] = {
    "owner_id": "participants",
    "participant_id": "participants",
    "term_id": "terms",
    "stage_id": "stages",
    "statement_id": "statements",
    "kpi_id": "kpis",
    "action_item_id": "action_items",
}
"""Reference columns of session rows and the table each points into; the row it names must
belong to the same session (in a session file: the list of the file it points into)."""


def describe_validation_error(error: ValidationError, prefix: str = "") -> list[str]:
    """Turn pydantic's report into one plain line per problem: 'field: rule'."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "value"
        message = item["msg"].removeprefix("Value error, ")
        message = _PLAIN_WORDS.get(item["type"], message)
        lines.append(f"{prefix}{where}: {message}")
    return lines


_PLAIN_WORDS = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this record",
    "string_too_short": "must not be empty",
}
"""Pydantic's wording replaced where a facilitator would not understand it."""


def without_computed(model: type[Record], data: dict[str, Any]) -> dict[str, Any]:
    """Drop fields the model derives itself (a term's status) before validating stored data."""
    computed = model.model_computed_fields
    return {k: v for k, v in data.items() if k not in computed} if computed else data


def build(model: type[Record], data: dict[str, Any]) -> Any:
    """Validate `data` as `model`, raising ValidationFailed with plain-word problems."""
    try:
        return model.model_validate(without_computed(model, data))
    except ValidationError as error:
        problems = describe_validation_error(error)
        raise ValidationFailed(problems[0], problems) from None
