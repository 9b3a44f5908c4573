"""Follow-up review of a session: "since last time", progress, KPI status and review entries.

Weeks after the workshop the same file is opened to see whether the plan is carried out.
A review entry (date, reviewer) is the fixed point the next review counts from.

The review is built from one read of the session (`workshop.storage.rows`) by pure
functions: `summary_from_rows` works on the stored action items as they are, so the plan's
Progress section of 10,000 items exports fast; `board_from_rows` adds the items as models,
for the screen that edits them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from operator import itemgetter
from typing import Any, NamedTuple

from workshop import models as m
from workshop.errors import ValidationFailed
from workshop.planning import cycle_status
from workshop.storage.rows import (
    BoardRows,
    ReviewRows,
    Row,
    is_overdue,
    read_board,
    stored_moment,
)
from workshop.storage.store import Store, all_valid

NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class SincePoint:
    """Where "since last time" starts: the latest review before today, else the workshop day."""

    date: dt.date
    review: m.Review | None

    @property
    def start(self) -> dt.datetime:
        """The first moment counted (midnight UTC of the date), for comparing timestamps."""
        return dt.datetime.combine(self.date, dt.time(0), tzinfo=dt.UTC)

    @property
    def label(self) -> str:
        """'since the review of 2026-12-15 (Sam)' or 'since the workshop on 2026-11-17'."""
        if self.review is None:
            return f"since the workshop on {self.date.isoformat()}"
        by = f" ({self.review.reviewer})" if self.review.reviewer else ""
        return f"since the review of {self.date.isoformat()}{by}"


def since_point(store: Store, session_id: int, today: dt.date) -> SincePoint:
    """The session's fixed point as of `today`, read from the store (see `since_from`)."""
    return since_from(store.get_session(session_id), store.rows(m.Review, session_id), today)


def since_from(session: m.Session, reviews: Iterable[m.Review], today: dt.date) -> SincePoint:
    """The previous review (dated before `today`), or the workshop date when there is none.

    Reviews dated today are skipped, so reopening the review later the same day still
    counts from the previous one.
    """
    earlier = [r for r in reviews if r.date < today]
    if earlier:
        latest = max(earlier, key=lambda r: (r.date, r.id or 0))
        return SincePoint(latest.date, latest)
    return SincePoint(session.date, None)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A timestamp read without a zone is UTC, as the store writes it."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Section(StrEnum):
    """Where an action item stands in the "since last time" view, in the order shown."""

    OVERDUE = "overdue"
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class ReviewItem:
    """One row of the "since last time" view: the item, its section and its owner's name."""

    item: m.ActionItem
    section: Section
    owner: str


class PlacedRow(NamedTuple):
    """One row of the "since last time" view as stored: the item's row, section and owner.

    A named tuple rather than a dataclass: a plan of 10,000 items makes as many, quickly.
    """

    row: Row
    section: Section
    owner: str


_STATUS_ORDER = {
    m.ActionStatus.BLOCKED.value: 0,
    m.ActionStatus.IN_PROGRESS.value: 1,
    m.ActionStatus.OPEN.value: 2,
    m.ActionStatus.DONE.value: 3,
}
_PRIORITY_RANK = {priority.value: priority.rank for priority in m.Priority}
_DONE = m.ActionStatus.DONE.value


def since_last_time(
    rows: Iterable[Row], owners: dict[int, str], since: SincePoint, today: dt.date
) -> list[PlacedRow]:
    """Overdue items first (earliest due), then open and blocked items by owner, then done since.

    Items done before `since` are left out: they were reviewed last time. `rows` are stored
    action items (`workshop.storage.rows`): ISO dates compare as the dates they name.
    """
    cutoff, start = today.isoformat(), since.start
    overdue: list[tuple[Any, ...]] = []
    still_open: list[tuple[Any, ...]] = []
    done: list[tuple[Any, ...]] = []
    for row in rows:
        owner_id, due, status = row["owner_id"], row["due"], row["status"]
        owner = owners.get(owner_id or 0, NO_OWNER)
        if is_overdue(row, cutoff):
            overdue.append((due, _PRIORITY_RANK[row["priority"]], row["id"], row, owner))
        elif status != _DONE:
            unowned = owner_id is None or owner_id not in owners
            order = (unowned, owner.casefold(), _STATUS_ORDER[status], due is None, due or "")
            still_open.append((*order, row["id"], row, owner))
        elif (moment := stored_moment(row["done_at"])) and (moment := _aware(moment)) >= start:
            done.append((-moment.timestamp(), row["id"], row, owner))
    # Each tuple holds the item's (unique) id before its row: sorting never compares rows.
    overdue.sort()
    still_open.sort()
    done.sort()
    return [
        *(PlacedRow(key[-2], Section.OVERDUE, key[-1]) for key in overdue),
        *(PlacedRow(key[-2], Section.OPEN, key[-1]) for key in still_open),
        *(PlacedRow(key[-2], Section.DONE, key[-1]) for key in done),
    ]


@dataclass(frozen=True)
class Progress:
    """How many of a group's action items are done."""

    label: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Share done, in whole percent (rounded down, so 100 means all done)."""
        return self.done * 100 // self.total if self.total else 0


def text_bar(done: int, total: int, width: int = 10) -> str:
    """A bar of `width` cells, filled in proportion to done / total (full only when all done)."""
    filled = done * width // total if total else 0
    return "█" * filled + "░" * (width - filled)


def _progress(rows: Sequence[Row], groups: Iterable[StrEnum], column: str) -> list[Progress]:
    total = Counter(map(itemgetter(column), rows))
    done = Counter([row[column] for row in rows if row["status"] == _DONE])
    return [
        Progress(group.value, done[group.value], total[group.value])
        for group in groups
        if total[group.value]
    ]


def progress_by_team(rows: Sequence[Row]) -> list[Progress]:
    """Done out of all stored action items for each team that has items, in team order."""
    return _progress(rows, m.Team, "team")


def progress_by_category(rows: Sequence[Row]) -> list[Progress]:
    """Done out of all stored action items for each category that has items, in category order."""
    return _progress(rows, m.Category, "category")


@dataclass(frozen=True)
class KpiStatus:
    """A KPI with its readings over time and whether it is on track."""

    kpi: m.Kpi
    readings: tuple[m.KpiReading, ...]

    @property
    def latest(self) -> m.KpiReading | None:
        """The most recent reading, or None before the first."""
        return self.readings[-1] if self.readings else None

    @property
    def on_track(self) -> bool | None:
        """Whether the latest reading beats the baseline in the right direction (None: unknown)."""
        return self.kpi.is_on_track(self.latest.value if self.latest else None)

    @property
    def target_reached(self) -> bool:
        """Whether the latest reading meets the target in the KPI's direction."""
        if self.latest is None or self.kpi.target is None:
            return False
        if self.kpi.direction is m.Direction.UP:
            return self.latest.value >= self.kpi.target
        return self.latest.value <= self.kpi.target

    @property
    def verdict(self) -> str:
        """'target reached', 'on track', 'off track', 'no reading yet' or 'no baseline'."""
        if self.latest is None:
            return "no reading yet"
        if self.target_reached:
            return "target reached"
        if self.on_track is None:
            return "no baseline"
        return "on track" if self.on_track else "off track"

    def chart_values(self) -> list[float]:
        """Baseline then every reading, as floats for a small chart (display only)."""
        values = [self.kpi.baseline] if self.kpi.baseline is not None else []
        values += [r.value for r in self.readings]
        return [float(v) for v in values]


def with_unit(value: Decimal | None, unit: str) -> str:
    """A KPI value with its unit ('12%', '7.25 hours'), or '—' when there is no value."""
    if value is None:
        return "—"
    number = format(value, "f")
    if not unit:
        return number
    return (
        f"{number}{unit}" if unit in ("%", "$", "€", "£") or len(unit) == 1 else f"{number} {unit}"
    )


def kpi_statuses(store: Store, session_id: int) -> list[KpiStatus]:
    """Every KPI of the session with its readings in date order, read from the store."""
    return kpi_statuses_of(store.rows(m.Kpi, session_id), store.rows(m.KpiReading, session_id))


def kpi_statuses_of(kpis: Iterable[m.Kpi], readings: Iterable[m.KpiReading]) -> list[KpiStatus]:
    """Every KPI with its readings in date order (a day's readings in the order entered)."""
    by_kpi: dict[int | None, list[m.KpiReading]] = {}
    for reading in sorted(readings, key=lambda r: (r.date, r.id or 0)):
        by_kpi.setdefault(reading.kpi_id, []).append(reading)
    return [KpiStatus(kpi, tuple(by_kpi.get(kpi.id, ()))) for kpi in kpis]


def reviewer_name(session: m.Session, user: str | None) -> str:
    """Who a review is recorded for: the session's facilitator, else the login name."""
    return session.facilitator or (user or "")


def start_review(store: Store, session_id: int, reviewer: str, today: dt.date) -> m.Review:
    """Record that a review happens today; the same reviewer reopening the same day reuses it."""
    for review in store.rows(m.Review, session_id):
        if review.date == today and review.reviewer == reviewer:
            return review
    return store.add(m.Review(date=today, reviewer=reviewer), session_id)


def cycle_item(store: Store, item: m.ActionItem) -> m.ActionItem:
    """Move an item to its next status, as in the live workshop."""
    return cycle_status(store, item)


def reschedule(store: Store, item: m.ActionItem, due: str | dt.date | None) -> m.ActionItem:
    """Give an item a new due date (empty: none); a past date is allowed (the UI flags it)."""
    edited: m.ActionItem = m.build(m.ActionItem, {**item.model_dump(), "due": due})
    return store.update(edited)


def add_note(
    store: Store,
    session_id: int,
    text: str,
    *,
    author: str,
    today: dt.date,
    action_item_id: int | None = None,
) -> m.ReviewNote:
    """Save a review note, about one action item (a progress note) or the session in general."""
    note: m.ReviewNote = m.build(
        m.ReviewNote,
        {"text": text, "author": author, "date": today, "action_item_id": action_item_id},
    )
    return store.add(note, session_id)


def parse_reading(text: str | Decimal) -> Decimal:
    """Read a KPI value typed as '12', '12.5%', '1,200', '$25k' exactly."""
    raw = str(text).strip().removesuffix("%").strip()
    if not raw:
        raise ValidationFailed("value: is required")
    try:
        return m.parse_money(raw)
    except ValueError:
        raise ValidationFailed(f"value: must be a number such as 12.5 (got {text!r})") from None


def record_reading(
    store: Store,
    session_id: int,
    kpi_id: int,
    value: str | Decimal,
    *,
    date: str | dt.date,
    note: str = "",
) -> m.KpiReading:
    """Save one measured value of a KPI on a date."""
    reading: m.KpiReading = m.build(
        m.KpiReading,
        {"kpi_id": kpi_id, "value": parse_reading(value), "date": date or None, "note": note},
    )
    return store.add(reading, session_id)


@dataclass(frozen=True)
class ReviewSummary:
    """The review state of a session as of a day, built from its stored rows.

    It is everything the review shows except the action items as models: the plan's Progress
    section and `workshop status --json` print it (see `workshop.review.report`).
    """

    session: m.Session
    today: dt.date
    since: SincePoint
    rows: tuple[PlacedRow, ...]
    """The stored action items of the "since last time" view, in its order."""
    teams: tuple[Progress, ...]
    categories: tuple[Progress, ...]
    kpis: tuple[KpiStatus, ...]
    reviews: tuple[m.Review, ...]
    notes: tuple[m.ReviewNote, ...]
    owners: dict[int, str]
    titles: dict[int, str] = field(default_factory=dict)
    """Titles of the action items that notes are about, by id."""

    def placed(self, section: Section) -> list[PlacedRow]:
        """The stored rows of one section, in order."""
        return [row for row in self.rows if row.section is section]

    def notes_on(self, action_item_id: int) -> list[m.ReviewNote]:
        """Progress notes on one item, newest first."""
        mine = [n for n in self.notes if n.action_item_id == action_item_id]
        return sorted(mine, key=lambda n: (n.date, n.id or 0), reverse=True)

    def notes_since(self) -> list[m.ReviewNote]:
        """Notes taken since the fixed point, newest first."""
        recent = [n for n in self.notes if n.date >= self.since.date]
        return sorted(recent, key=lambda n: (n.date, n.id or 0), reverse=True)

    def about(self, note: m.ReviewNote) -> str | None:
        """The title of the action item a note is about, or None for a general note."""
        return self.titles.get(note.action_item_id) if note.action_item_id else None


@dataclass(frozen=True, kw_only=True)
class ReviewBoard(ReviewSummary):
    """Everything the review view shows, read in one go (off the UI thread)."""

    items: tuple[ReviewItem, ...]
    """The rows of the "since last time" view with each action item as a model."""

    def section(self, section: Section) -> list[ReviewItem]:
        """The rows of one section, in order."""
        return [row for row in self.items if row.section is section]


def summary_from_rows(rows: ReviewRows, today: dt.date) -> ReviewSummary:
    """The session's review state as of `today`, from its rows (no store access)."""
    owners = {p.id or 0: p.name for p in rows.participants}
    items = rows.action_items
    referred = {n.action_item_id for n in rows.review_notes if n.action_item_id}
    since = since_from(rows.session, rows.reviews, today)
    return ReviewSummary(
        session=rows.session,
        today=today,
        since=since,
        rows=tuple(since_last_time(items, owners, since, today)),
        teams=tuple(progress_by_team(items)),
        categories=tuple(progress_by_category(items)),
        kpis=tuple(kpi_statuses_of(rows.kpis, rows.kpi_readings)),
        reviews=tuple(sorted(rows.reviews, key=lambda r: (r.date, r.id or 0))),
        notes=rows.review_notes,
        owners=owners,
        titles={row["id"]: row["title"] for row in items if row["id"] in referred},
    )


def board_from_rows(rows: BoardRows, today: dt.date) -> ReviewBoard:
    """The review view as of `today`, from the session's rows (no store access).

    Raises DamagedData naming every damaged action item (a file edited by hand).
    """
    summary = summary_from_rows(rows, today)
    models = {item.id: item for item in all_valid(m.ActionItem, list(rows.action_items))}
    items = (ReviewItem(models[p.row["id"]], p.section, p.owner) for p in summary.rows)
    return ReviewBoard(**vars(summary), items=tuple(items))


def review_board(store: Store, session_id: int, today: dt.date) -> ReviewBoard:
    """Read the session's review state as of `today`."""
    return board_from_rows(read_board(store, session_id), today)
