"""Action items as template data: sorted, flagged overdue, grouped by owner and by due month.

Plans can hold tens of thousands of items and the export budget is 150 ms for 10,000, so
the items are read as plain rows in one query rather than validated one by one as models
(which alone costs more than the budget); every row was validated when it was saved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from workshop import models as m
from workshop.store import Store

PRIORITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUSES: tuple[str, ...] = tuple(status.value for status in m.ActionStatus)
NO_DUE_DATE = "No due date"
UNASSIGNED = "Unassigned"

_COLUMNS = (
    "id", "title", "description", "owner_id", "team", "category", "priority", "due",
    "status", "term_id", "stage_id", "statement_id", "done_at",
)  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month_label(month: str) -> str:
    return f"{_MONTHS[int(month[5:7]) - 1]} {month[:4]}"


def _serves(row: dict[str, Any], names: dict[str, dict[Any, Any]]) -> list[str]:
    """What an item serves, e.g. ['Term: MQL', 'Gap: Lead quality']."""
    serves = []
    if row["term_id"] is not None:
        serves.append(f"Term: {names['terms'].get(row['term_id'], '?')}")
    if row["stage_id"] is not None:
        serves.append(f"Stage: {names['stages'].get(row['stage_id'], '?')}")
    if row["statement_id"] is not None:
        serves.append(f"Gap: {names['statements'].get(row['statement_id'], '?')}")
    return serves


def action_items(
    store: Store, session_id: int, today: dt.date, names: dict[str, dict[Any, Any]]
) -> dict[str, Any]:
    """The `actions` entry of the template context (see docs/templates.md)."""
    # Each row dict becomes the item itself: no second dict per item.
    items: list[dict[str, Any]] = store.database.query(
        f"SELECT {', '.join(_COLUMNS)} FROM {m.ActionItem.table} WHERE session_id = ?",
        (session_id,),
    )
    items.sort(key=_plan_order)
    people: dict[Any, m.Participant] = names["participants"]
    owner_names = {key: person.name for key, person in people.items()}
    owner_teams = {key: person.team.value for key, person in people.items()}
    cutoff = today.isoformat()
    by_owner: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    by_month: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    counts = dict.fromkeys(STATUSES, 0)
    overdue = 0
    for item in items:
        owner_id, due, status = item["owner_id"], item["due"], item["status"]
        item["owner"] = owner_names.get(owner_id)
        item["owner_team"] = owner_teams.get(owner_id)
        item["due_month"] = month = due[:7] if due else None
        item["overdue"] = late = due is not None and due < cutoff and status != "done"
        item["serves"] = (
            _serves(item, names)
            if item["term_id"] or item["stage_id"] or item["statement_id"]
            else []
        )
        by_owner[owner_id if owner_id in owner_names else None].append(item)
        by_month[month].append(item)
        counts[status] += 1
        overdue += late
    owners = sorted(by_owner, key=lambda key: _owner_order(people.get(key)))
    return {
        "all": items,
        "by_owner": [
            {
                "owner": owner_names.get(key, UNASSIGNED),
                "team": owner_teams.get(key),
                "assigned": key is not None,
                "actions": by_owner[key],
            }
            for key in owners
        ],
        "by_month": [
            {
                "month": month,
                "label": _month_label(month) if month else NO_DUE_DATE,
                "actions": actions,
            }
            for month, actions in by_month.items()  # already in due order, undated last
        ],
        "counts": counts,
        "overdue": overdue,
        "total": len(items),
    }


def _plan_order(item: dict[str, Any]) -> tuple[str, int, int]:
    """Earliest due first and undated last, then the most urgent, then the order of entry."""
    return (item["due"] or "~", PRIORITY_RANK.get(item["priority"], 9), item["id"])


def _owner_order(owner: m.Participant | None) -> tuple[bool, str, str, int]:
    """Owners by name, unassigned items last."""
    if owner is None:
        return (True, "", "", 0)
    return (False, owner.name.casefold(), owner.name, owner.id or 0)
