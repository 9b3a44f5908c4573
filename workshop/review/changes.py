"""What changed: the change log in plain words ("MQL definition changed; sales sign-off cleared").

The log keeps before/after rows as JSON; this module reads them like a person would and
says what moved, so a review can see the weeks since the last one at a glance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from workshop import models as m
from workshop.errors import ValidationFailed
from workshop.review.board import with_unit
from workshop.storage.store import Change, Store


class ChangeKind(StrEnum):
    """What a change is about, to filter the view by."""

    TERMS = "terms"
    ACTIONS = "actions"
    KPIS = "kpis"
    NOTES = "notes"
    OTHER = "other"


_KINDS = {
    "terms": ChangeKind.TERMS,
    "action_items": ChangeKind.ACTIONS,
    "kpis": ChangeKind.KPIS,
    "kpi_readings": ChangeKind.KPIS,
    "review_notes": ChangeKind.NOTES,
    "reviews": ChangeKind.NOTES,
}
_HIDDEN = {"timeboxes"}
"""Bookkeeping nobody reviews: the step timer saves itself every time it is paused."""
_BOOKKEEPING = {"id", "version", "session_id", "created_at", "updated_at", "done_at", "name_key"}
_TEAMS = ("sales", "marketing")
_MEANING = ("definition", "entry_criteria", "exit_criteria")


def kind_of(entity: str) -> ChangeKind:
    """The kind of a change to rows of the table `entity`."""
    return _KINDS.get(entity, ChangeKind.OTHER)


@dataclass(frozen=True)
class ChangeLine:
    """One change of the log, said in plain words."""

    change_id: int
    at: dt.datetime
    who: str
    kind: ChangeKind
    text: str


class Names:
    """Names of rows by table and id, taken from the log so deleted rows keep their name."""

    def __init__(self, changes: Sequence[Change]) -> None:
        self._names: dict[tuple[str, int], dict[str, Any]] = {}
        self.changes: dict[int, Change] = {c.id: c for c in changes}
        """Every change by id, so an undo can be worded through the change it undid."""
        for change in changes:
            row = change.after or change.before
            if row is not None:
                self._names[(change.entity, change.entity_id)] = row

    def row(self, entity: str, row_id: Any) -> dict[str, Any]:
        """The last logged row of `entity` with `row_id` (empty if never logged)."""
        return self._names.get((entity, int(row_id)), {}) if row_id is not None else {}

    def name(self, entity: str, row_id: Any) -> str:
        """The name, title or text of a row, or '#id' when unknown."""
        row = self.row(entity, row_id)
        text = row.get("name") or row.get("title") or row.get("text")
        return str(text) if text else f"#{row_id}"


def _shorten(text: Any, limit: int = 60) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _value(value: Any) -> str:
    if value is None or value == "":
        return "nothing"
    return _shorten(value, 40)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in after if k not in _BOOKKEEPING and before.get(k) != after.get(k)]


def _field(name: str) -> str:
    return name.replace("_id", "").replace("_", " ")


def _term_update(before: dict[str, Any], after: dict[str, Any]) -> str:
    name = after.get("name") or before.get("name")
    parts: list[str] = []
    if before.get("name") != after.get("name"):
        parts.append(f"renamed from '{before.get('name')}'")
    meaning = [_field(f) for f in (*_MEANING, "example") if before.get(f) != after.get(f)]
    if meaning:
        parts.append(" and ".join(meaning) + " changed")
    meaning_changed = any(before.get(f) != after.get(f) for f in _MEANING)
    cleared = [
        t for t in _TEAMS if before.get(f"{t}_signoff_at") and not after.get(f"{t}_signoff_at")
    ]
    signed = [
        t for t in _TEAMS if after.get(f"{t}_signoff_at") and not before.get(f"{t}_signoff_at")
    ]
    if cleared:
        verb = "cleared" if meaning_changed or after.get("disputed") else "withdrawn"
        noun = "sign-offs" if len(cleared) > 1 else "sign-off"
        parts.append(f"{' and '.join(cleared)} {noun} {verb}")
    for team in signed:
        who = after.get(f"{team}_signoff_by")
        parts.append(f"signed off by {team}" + (f" ({who})" if who and who != team else ""))
    if after.get("disputed") and not before.get("disputed"):
        parts.append("marked disputed")
    elif before.get("disputed") and not after.get("disputed"):
        parts.append("no longer disputed")
    if after.get("status") == "agreed" and before.get("status") != "agreed":
        parts.append("now agreed by both teams")
    if not parts:
        parts.append("edited")
    return f"{name} {parts[0]}" + "".join(f"; {p}" for p in parts[1:])


def _action_update(before: dict[str, Any], after: dict[str, Any], names: Names) -> str:
    parts: list[str] = []
    for field in _changed(before, after):
        old, new = before.get(field), after.get(field)
        if field == "status":
            parts.append(f"moved to {new}")
        elif field == "due":
            if new is None:
                parts.append("due date removed")
            elif old is None:
                parts.append(f"due date set to {new}")
            else:
                parts.append(f"rescheduled to {new} (was {old})")
        elif field == "owner_id":
            parts.append(
                f"reassigned to {names.name('participants', new)}" if new else "owner removed"
            )
        elif field == "title":
            parts.append(f"renamed from '{_shorten(old, 40)}'")
        elif field in ("priority", "team", "category"):
            parts.append(f"{field} set to {new}")
        elif field == "description":
            parts.append("description edited")
        elif field.endswith("_id"):
            parts.append(f"{_field(field)} link {'changed' if new else 'removed'}")
    title = _shorten(after.get("title") or before.get("title"), 50)
    return f"Action '{title}' " + ("; ".join(parts) if parts else "edited")


def _reading(row: dict[str, Any], names: Names) -> str:
    kpi = names.row("kpis", row.get("kpi_id"))
    name = kpi.get("name", f"#{row.get('kpi_id')}")
    value = with_unit(Decimal(str(row.get("value"))), str(kpi.get("unit") or ""))
    return f"KPI '{name}' reading {value}"


def _note(row: dict[str, Any], names: Names) -> str:
    about = row.get("action_item_id")
    where = f"Note on action '{_shorten(names.name('action_items', about), 40)}'" if about else ""
    return (where or "Review note") + f": {_shorten(row.get('text', ''))}"


def _generic_update(label: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    parts = []
    for field in _changed(before, after):
        old, new = before.get(field), after.get(field)
        if len(str(old or "")) > 40 or len(str(new or "")) > 40:
            parts.append(f"{_field(field)} edited")
        else:
            parts.append(f"{_field(field)} changed from {_value(old)} to {_value(new)}")
    return f"{label} " + ("; ".join(parts) if parts else "edited")


def _label(entity: str, row: dict[str, Any], names: Names) -> str:
    kind = m.MODELS_BY_TABLE.get(entity)
    label = kind.label if kind else entity
    if entity == "sessions":
        return f"Session '{row.get('title')}'"
    if entity == "answers":
        statement = _shorten(names.name("statements", row.get("statement_id")), 40)
        return f"{str(row.get('team', '')).capitalize()} answer to '{statement}'"
    if entity == "gates":
        return f"Gate at step {row.get('step')}"
    text = row.get("name") or row.get("title") or row.get("text")
    return f"{label} '{_shorten(text, 50)}'" if text else f"{label} #{row.get('id')}"


def describe(change: Change, names: Names) -> str:
    """One change in plain words (an undo is worded through the change it undid)."""
    before, after = change.before or {}, change.after or {}
    entity, action = change.entity, change.action
    if action == "undo":
        return "Undone: " + _undo_words(change, names)
    if entity == "terms" and action == "update":
        return _term_update(before, after)
    if entity == "action_items" and action == "update":
        return _action_update(before, after, names)
    if entity == "kpi_readings":
        row = after or before
        when = f" for {row.get('date')}" if row.get("date") else ""
        verb = {"create": "recorded", "delete": "removed", "update": "corrected"}[action]
        return f"{_reading(row, names)}{when} {verb}"
    if entity == "review_notes":
        prefix = {"create": "", "delete": "Removed: ", "update": "Edited: "}[action]
        return prefix + _note(after or before, names)
    if entity == "reviews" and action == "create":
        by = f" by {after.get('reviewer')}" if after.get("reviewer") else ""
        return f"Review of {after.get('date')} started{by}"
    if (
        entity == "sessions"
        and action == "update"
        and _only_changed(before, after) == {"revealed_at"}
    ):
        return (
            "Assessment revealed to the room"
            if after.get("revealed_at")
            else ("Assessment hidden again")
        )
    if entity == "gates" and action == "create":
        answer = "continued anyway" if after.get("continued") else "stayed"
        return f"Leaving step {after.get('step')} with open issues: {answer}"
    label = _label(entity, after or before, names)
    if action == "create":
        return f"{label} added"
    if action == "delete":
        return f"{label} deleted"
    return _generic_update(label, before, after)


def _undo_words(change: Change, names: Names) -> str:
    original = names.changes.get(change.undoes or 0)
    if original is not None:
        return describe(original, names)
    return change.summary.removeprefix("undo: ")


def _only_changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The fields an update changed, bookkeeping (the version) aside."""
    return {
        key
        for key in before.keys() | after.keys()
        if key != "version" and before.get(key) != after.get(key)
    }


def describe_changes(
    changes: Sequence[Change],
    *,
    since: dt.datetime | None = None,
    kinds: Collection[ChangeKind] | None = None,
) -> list[ChangeLine]:
    """Plain-word lines of `changes` at or after `since`, of the given kinds, newest first."""
    names = Names(changes)
    lines = []
    for change in changes:
        at = change.at if change.at.tzinfo else change.at.replace(tzinfo=dt.UTC)
        if change.entity in _HIDDEN or (since is not None and at < since):
            continue
        kind = kind_of(change.entity)
        if kinds is not None and kind not in kinds:
            continue
        lines.append(ChangeLine(change.id, at, change.who, kind, describe(change, names)))
    lines.reverse()
    return lines


def what_changed(
    store: Store,
    session_id: int,
    *,
    since: dt.date | dt.datetime | None = None,
    kinds: Collection[ChangeKind] | None = None,
) -> list[ChangeLine]:
    """The session's changes since a date (or a moment) in plain words, newest first."""
    start: dt.datetime | None
    if isinstance(since, dt.datetime) or since is None:
        start = since
    else:
        start = dt.datetime.combine(since, dt.time(0), tzinfo=dt.UTC)
    return describe_changes(store.changes(session_id), since=start, kinds=kinds)


def parse_since(text: str) -> dt.date:
    """Read the date typed in the "since" box (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"since: '{text.strip()}' is not a date such as 2026-12-15"
        ) from None
