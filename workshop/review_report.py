"""The review summary as plain data: `workshop status --json` and the plan's Progress section.

Every value is a string, number, bool or None, so JSON and templates print it as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from workshop import models as m
from workshop.review import (
    NO_OWNER,
    KpiStatus,
    Progress,
    ReviewBoard,
    ReviewItem,
    Section,
    review_board,
    text_bar,
)
from workshop.store import Store


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _item_dict(row: ReviewItem, today: dt.date) -> dict[str, Any]:
    item = row.item
    late = (today - item.due).days if item.due and row.section is Section.OVERDUE else 0
    return {
        "id": item.id,
        "title": item.title,
        "owner": row.owner if row.owner != NO_OWNER else None,
        "team": item.team.value,
        "category": item.category.value,
        "priority": item.priority.value,
        "status": item.status.value,
        "due": item.due.isoformat() if item.due else None,
        "days_late": late,
        "done_at": item.done_at.isoformat() if item.done_at else None,
    }


def _kpi_dict(status: KpiStatus) -> dict[str, Any]:
    latest = status.latest
    return {
        "name": status.kpi.name,
        "unit": status.kpi.unit,
        "direction": status.kpi.direction.value,
        "baseline": _number(status.kpi.baseline),
        "target": _number(status.kpi.target),
        "latest": _number(latest.value) if latest else None,
        "latest_date": latest.date.isoformat() if latest else None,
        "on_track": status.on_track,
        "verdict": status.verdict,
        "readings": [
            {"date": r.date.isoformat(), "value": _number(r.value), "note": r.note}
            for r in status.readings
        ],
    }


def _progress_dict(progress: Progress) -> dict[str, Any]:
    return {
        "label": progress.label,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "bar": text_bar(progress.done, progress.total),
    }


def board_report(board: ReviewBoard) -> dict[str, Any]:
    """The review summary as JSON-ready data (what `workshop status --json` prints)."""
    last = board.reviews[-1] if board.reviews else None
    since = board.since
    return {
        "session": {
            "id": board.session.id,
            "title": board.session.title,
            "organisation": board.session.organisation,
            "date": board.session.date.isoformat(),
        },
        "as_of": board.today.isoformat(),
        "since": {
            "date": since.date.isoformat(),
            "label": since.label,
            "review": since.review is not None,
        },
        "reviews": len(board.reviews),
        "last_review": (
            {"date": last.date.isoformat(), "reviewer": last.reviewer} if last else None
        ),
        "overdue": [_item_dict(r, board.today) for r in board.section(Section.OVERDUE)],
        "open": [_item_dict(r, board.today) for r in board.section(Section.OPEN)],
        "done_since": [_item_dict(r, board.today) for r in board.section(Section.DONE)],
        "progress": {
            "teams": [_progress_dict(p) for p in board.teams],
            "categories": [_progress_dict(p) for p in board.categories],
        },
        "kpis": [_kpi_dict(k) for k in board.kpis],
    }


def progress_report(store: Store, session_id: int, today: dt.date) -> dict[str, Any] | None:
    """Data for the exported plan's "Progress" section, or None when the session has no review."""
    if not store.rows(m.Review, session_id):
        return None
    board = review_board(store, session_id, today)
    report = board_report(board)
    done_total = sum(p.done for p in board.teams)
    total = sum(p.total for p in board.teams)
    notes = sorted(board.notes, key=lambda n: (n.date, n.id or 0))
    # Only the items notes refer to: reading every item again doubled the export of big plans.
    referred = {n.action_item_id for n in notes if n.action_item_id}
    titles = (
        {
            i.id: i.title
            for i in store.rows(
                m.ActionItem,
                session_id,
                where="id IN (SELECT value FROM json_each(?))",
                params=(json.dumps(sorted(referred)),),
            )
        }
        if referred
        else {}
    )
    return {
        **report,
        "reviews": [{"date": r.date.isoformat(), "reviewer": r.reviewer} for r in board.reviews],
        "done": done_total,
        "total": total,
        "percent": done_total * 100 // total if total else 0,
        "bar": text_bar(done_total, total),
        "open_count": len(report["open"]) + len(report["overdue"]),
        "notes": [
            {
                "date": n.date.isoformat(),
                "author": n.author,
                "text": n.text,
                "action": titles.get(n.action_item_id) if n.action_item_id else None,
            }
            for n in notes
        ],
    }
