"""Action items as template data: sorted, flagged overdue, grouped by owner and by due month.

Plans can hold tens of thousands of items and the export budget is 150 ms for 10,000, so
the items come as stored rows in plan order, checked but not validated as models (see
`workshop.storage.rows`, which reads them). For the same reason the rows of the plan's two
large tables are written here, in the one pass over the items, instead of by a template
loop: each group gets its table body as ready Markdown (`table_rows`, user text escaped
with the `cell` filter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from workshop import models as m
from workshop.export.escape import cell, is_plain
from workshop.storage.rows import Row, is_overdue

STATUSES: tuple[str, ...] = tuple(status.value for status in m.ActionStatus)
NO_DUE_DATE = "No due date"
UNASSIGNED = "Unassigned"
OVERDUE_MARK = ", **overdue**"
"""What the tables print after the status of an overdue item."""

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
    rows: Iterable[Row],
    today: dt.date,
    names: dict[str, dict[Any, Any]],
    *,
    tables: bool = True,
) -> dict[str, Any]:
    """The `actions` entry of the template context (see docs/templates.md), from the stored
    rows in plan order (`SessionRows.action_items`, the plan's columns).

    Without `tables` the groups' `table_rows` are left empty (CSV and ICS do not print them).
    """
    items = [row.copy() for row in rows]  # the plan adds its keys to a copy of each row
    people: dict[Any, m.Participant] = names["participants"]
    owner_names = {key: person.name for key, person in people.items()}
    owner_teams = {key: person.team.value for key, person in people.items()}
    owner_cells = {key: cell(name) for key, name in owner_names.items()}
    cutoff = today.isoformat()
    # Per owner and per month: the items and their table rows. Items come in due order, so
    # a month's items are consecutive.
    by_owner: dict[Any, tuple[list[dict[str, Any]], list[str]]] = {}
    by_month: dict[Any, tuple[list[dict[str, Any]], list[str]]] = {}
    month: Any = ()
    counts = dict.fromkeys(STATUSES, 0)
    overdue = 0
    for item in items:
        owner_id, due, status = item["owner_id"], item["due"], item["status"]
        owner = owner_id if owner_id in owner_names else None
        item["owner"] = owner_names.get(owner)
        item["owner_team"] = owner_teams.get(owner)
        due_month = due[:7] if due else None
        if due_month != month:  # a new month (they come in order; setdefault in case not)
            month = due_month
            month_items, month_rows = by_month.setdefault(month, ([], []))
        item["due_month"] = month
        item["overdue"] = late = is_overdue(item, cutoff)
        item["serves"] = serves = (
            _serves(item, names)
            if item["term_id"] or item["stage_id"] or item["statement_id"]
            else []
        )
        if owner not in by_owner:
            by_owner[owner] = ([], [])
        owner_items, owner_rows = by_owner[owner]
        owner_items.append(item)
        month_items.append(item)
        counts[status] += 1
        overdue += late
        if tables:
            # The rows the template wrote before, byte for byte (see partials/actions.md.j2).
            title, description, priority = item["title"], item["description"], item["priority"]
            title = title if is_plain(title) else cell(title)
            state = status + OVERDUE_MARK if late else status
            day = due or ""
            owner_rows.append(
                f"| {day} | **{title}**{'<br>' + cell(description) if description else ''} "
                f"| {state} | {priority} | {item['category']} "
                f"| {cell('; '.join(serves)) if serves else ''} |"
            )
            month_rows.append(
                f"| {day} | {title} | {owner_cells.get(owner, '')} | {state} | {priority} |"
            )
    owners = sorted(by_owner, key=lambda key: _owner_order(people.get(key)))
    return {
        "all": items,
        "by_owner": [
            {
                "owner": owner_names.get(key, UNASSIGNED),
                "team": owner_teams.get(key),
                "assigned": key is not None,
                "actions": by_owner[key][0],
                "table_rows": "\n".join(by_owner[key][1]),
            }
            for key in owners
        ],
        "by_month": [
            {
                "month": key,
                "label": _month_label(key) if key else NO_DUE_DATE,
                "actions": month_items,
                "table_rows": "\n".join(month_rows),
            }
            for key, (month_items, month_rows) in by_month.items()  # due order, undated last
        ],
        "counts": counts,
        "overdue": overdue,
        "total": len(items),
    }


def _owner_order(owner: m.Participant | None) -> tuple[bool, str, str, int]:
    """Owners by name, unassigned items last."""
    if owner is None:
        return (True, "", "", 0)
    return (False, owner.name.casefold(), owner.name, owner.id or 0)
