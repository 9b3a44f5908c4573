"""One read of a session: each table's rows read once, for the plan and the review board.

An export and the review board look at most tables of a session. They read them here, one
query a table, and build everything else from these rows with pure functions.

Rows are models, validated as read, except action items. A plan may hold tens of thousands,
and validating each as a model costs more than the export's budget (150 ms for 10,000), so
they stay the stored rows, dicts of column values in plan order. Each gets a cheap check of
the values the plan and the review rely on. A row that fails it is validated through the
models, which name the table, the row and the field of what is damaged (DamagedData); a
row that passes is used in its canonical stored form.

The plan and the review summary read the plan's columns of an action item (`ReviewRows`,
`SessionRows`); the review board, which edits items, reads every column (`BoardRows`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Any, TypeVar

from workshop import models as m
from workshop.storage.store import Store, to_row
from workshop.text import find_control

Row = dict[str, Any]
"""A stored row: column name to value, as SQLite returns it. Read it, never change it: the
rows are shared by everything built from one read."""

PLAN_ORDER = (
    "due IS NULL, due, CASE priority "
    + " ".join(f"WHEN '{p.value}' THEN {p.rank}" for p in m.PRIORITY_ORDER)
    + " ELSE 9 END, id"
)
"""The order of the plan's action items: earliest due first and undated last, then the most
urgent (an unknown priority after the known ones), then the order of entry. SQLite sorts
faster than Python here."""

_STATUSES = frozenset(status.value for status in m.ActionStatus)
_PRIORITIES = frozenset(priority.value for priority in m.Priority)
_TEAMS = frozenset(team.value for team in m.Team)
_CATEGORIES = frozenset(category.value for category in m.Category)
_DONE = m.ActionStatus.DONE.value
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHOICES = (
    ("status", _STATUSES),
    ("priority", _PRIORITIES),
    ("category", _CATEGORIES),
    ("team", _TEAMS),
)
"""The columns that hold one of a few values, with those values."""
BOOKKEEPING: tuple[str, ...] = ("version", "session_id", "created_at", "updated_at")
"""The columns of an action item that only an edit needs (its version, its timestamps)."""
ALL_COLUMNS: tuple[str, ...] = tuple(m.ActionItem.model_fields)
PLAN_COLUMNS: tuple[str, ...] = tuple(c for c in ALL_COLUMNS if c not in BOOKKEEPING)
"""The columns of an action item the plan and the review summary read."""


@dataclass(frozen=True)
class ReviewRows:
    """The rows a review summary reads: the session, its people, action items, KPIs, reviews."""

    session: m.Session
    participants: tuple[m.Participant, ...]
    action_items: tuple[Row, ...]
    """The stored rows with (at least) PLAN_COLUMNS, checked (see the module's docstring), in
    plan order (PLAN_ORDER)."""
    kpis: tuple[m.Kpi, ...]
    kpi_readings: tuple[m.KpiReading, ...]
    reviews: tuple[m.Review, ...]
    review_notes: tuple[m.ReviewNote, ...]


@dataclass(frozen=True)
class BoardRows(ReviewRows):
    """The rows of the review board, whose action items hold every column (ALL_COLUMNS), so
    they can be made the models that an edit saves."""


@dataclass(frozen=True)
class SessionRows(ReviewRows):
    """Every table of a session: what the plan reads, the review board's rows included."""

    statements: tuple[m.Statement, ...]
    answers: tuple[m.Answer, ...]
    terms: tuple[m.Term, ...]
    stages: tuple[m.Stage, ...]
    revenue_goals: tuple[m.RevenueGoal, ...]
    cadences: tuple[m.Cadence, ...]
    gates: tuple[m.Gate, ...]
    timeboxes: tuple[m.Timebox, ...]


_Rows = TypeVar("_Rows", bound=ReviewRows)


def read_board(store: Store, session_id: int) -> BoardRows:
    """The rows of the review board, each table read once; NotFound for a missing session."""
    return _read(BoardRows, store, session_id, ALL_COLUMNS)


def read_session(store: Store, session_id: int) -> SessionRows:
    """Every table of the session, each read once; NotFound for a missing session."""
    return _read(SessionRows, store, session_id, PLAN_COLUMNS)


def _read(shape: type[_Rows], store: Store, session_id: int, columns: tuple[str, ...]) -> _Rows:
    """`shape` filled from the store: each field after the session is the table of its name,
    action items with `columns`."""
    values: dict[str, Any] = {"session": store.get_session(session_id)}
    for field in fields(shape):
        if field.name == "action_items":
            values[field.name] = action_rows(store, session_id, columns)
        elif field.name != "session":
            values[field.name] = tuple(store.rows(m.MODELS_BY_TABLE[field.name], session_id))
    return shape(**values)


def action_rows(
    store: Store, session_id: int, columns: tuple[str, ...] = PLAN_COLUMNS
) -> tuple[Row, ...]:
    """The session's action items as checked stored rows of `columns`, in plan order (one
    query). Raises DamagedData naming every damaged row and field, if any row is damaged.
    """
    rows: list[Row] = store.database.query(
        f"SELECT {', '.join(columns)} FROM {m.ActionItem.table} "
        f"WHERE session_id = ? ORDER BY {PLAN_ORDER}",
        (session_id,),
    )
    if plausible(rows):
        return tuple(rows)
    # Validates every row: raises DamagedData for the bad ones, else gives their stored form
    # (a row deleted by another process in between is left out).
    valid = {item.id: to_row(item) for item in store.rows(m.ActionItem, session_id)}
    kept = []
    for row in rows:
        if plausible((row,)):
            kept.append(row)
        elif row["id"] in valid:  # valid, but not in its stored form: use the stored form
            kept.append({column: valid[row["id"]][column] for column in columns})
    return tuple(kept)


def plausible(rows: Sequence[Row]) -> bool:
    """Whether every stored action item holds values of the kinds the plan and the review
    rely on, in their canonical form (a cheap check, not the model's full validation).

    It checks a column at a time in C loops, several times faster than row by row.
    """
    for column, allowed in _CHOICES:
        if not allowed.issuperset(map(itemgetter(column), rows)):
            return False
    titles = list(map(itemgetter("title"), rows))
    descriptions = list(map(itemgetter("description"), rows))
    dues = [due for due in map(itemgetter("due"), rows) if due is not None]
    moments = [at for at in map(itemgetter("done_at"), rows) if at is not None]
    return (
        _all_text(titles, descriptions, dues, moments)
        and find_control("".join(titles)) is None
        and find_control("".join(descriptions), multiline=True) is None
        and all(map(_ISO_DATE.fullmatch, dues))
        and all(map(_real_date, dues))
        and all(map(stored_moment, moments))
    )


def _all_text(*columns: list[Any]) -> bool:
    """Whether every value in `columns` is a str."""
    return all(set(map(type, values)) <= {str} for values in columns)


def is_overdue(row: Row, cutoff: str) -> bool:
    """Whether a stored action item is due before `cutoff`, today's ISO date, and not done
    (`m.ActionItem.is_overdue` for a stored row: ISO dates compare as the dates they name)."""
    due = row["due"]
    return due is not None and due < cutoff and row["status"] != _DONE


def _real_date(text: str) -> bool:
    """Whether `text` (already shaped YYYY-MM-DD) names a day of the calendar."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def stored_moment(value: Any) -> dt.datetime | None:
    """A timestamp column's ISO text as a datetime (None if it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
