"""The review summary as plain data: `workshop status --json` and the plan's Progress section.

Every value is a string, number, bool or None, so JSON and templates print it as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from workshop import models as m
from workshop.blind_round import Disclosure
from workshop.review.board import (
    NO_OWNER,
    KpiStatus,
    PlacedRow,
    Progress,
    ReviewSummary,
    Section,
    summary_from_rows,
    text_bar,
)
from workshop.storage.rows import ReviewRows, read_session, stored_moment
from workshop.storage.store import Store


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _item_dict(placed: PlacedRow, today: dt.date) -> dict[str, Any]:
    item, section, owner = placed
    due, done_at = item["due"], item["done_at"]
    return {
        "id": item["id"],
        "title": item["title"],
        "owner": owner if owner != NO_OWNER else None,
        "team": item["team"],
        "category": item["category"],
        "priority": item["priority"],
        "status": item["status"],
        "due": due,
        "days_late": (today - dt.date.fromisoformat(due)).days
        if section is Section.OVERDUE  # an overdue item has a due date
        else 0,
        "done_at": _moment_text(done_at) if done_at else None,
    }


def _moment_text(stored: str) -> str | None:
    """A stored timestamp as ISO text, as its model prints it ('…T10:05:00+00:00')."""
    moment = stored_moment(stored)
    return moment.isoformat() if moment else None


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


def _note_dict(board: ReviewSummary, note: m.ReviewNote) -> dict[str, Any]:
    return {
        "date": note.date.isoformat(),
        "author": note.author,
        "text": note.text,
        "action": board.about(note),
    }


def _score(value: Decimal | None) -> str | None:
    """A score or gap as read out: '4', '3.5' (kept to 0.01 for the sums, not for people)."""
    return None if value is None else _number(value.normalize())


def assessment_report(round_: Disclosure) -> dict[str, Any]:
    """The assessment as `workshop status --json` prints it: before the reveal only how many
    statements each team has scored; the indices and the largest gaps once it is revealed."""
    result = round_.result
    return {
        "revealed": round_.revealed,
        "revealed_at": round_.revealed_at.isoformat() if round_.revealed_at else None,
        "progress": round_.progress,
        "statements": round_.total,
        "scored": dict(round_.scored),
        "indices": None
        if result is None
        else {team: _number(result.index_for(team)) for team in round_.scored},
        "largest_gaps": [
            {
                "statement": statement,
                "sales": _score(gap.sales),
                "marketing": _score(gap.marketing),
                "gap": _score(gap.gap),
                "severity": gap.severity.value,
                "marker": gap.marker,
            }
            for statement, gap in round_.largest_gaps(5)
        ],
    }


def board_report(board: ReviewSummary) -> dict[str, Any]:
    """The review summary as JSON-ready data (what `workshop status --json` prints).

    Notes are all of the session's review notes, oldest first, each with the title of the
    action item it is about (None for a general note).
    """
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
        "overdue": [_item_dict(r, board.today) for r in board.placed(Section.OVERDUE)],
        "open": [_item_dict(r, board.today) for r in board.placed(Section.OPEN)],
        "done_since": [_item_dict(r, board.today) for r in board.placed(Section.DONE)],
        "progress": {
            "teams": [_progress_dict(p) for p in board.teams],
            "categories": [_progress_dict(p) for p in board.categories],
        },
        "kpis": [_kpi_dict(k) for k in board.kpis],
        "notes": [
            _note_dict(board, n) for n in sorted(board.notes, key=lambda n: (n.date, n.id or 0))
        ],
    }


def progress_report(store: Store, session_id: int, today: dt.date) -> dict[str, Any] | None:
    """The plan's "Progress" section of a session read from the store (see `progress_of`)."""
    return progress_of(read_session(store, session_id), today)


def progress_of(rows: ReviewRows, today: dt.date) -> dict[str, Any] | None:
    """Data for the exported plan's "Progress" section, or None when the session has no review."""
    if not rows.reviews:
        return None
    board = summary_from_rows(rows, today)
    report = board_report(board)
    done_total = sum(p.done for p in board.teams)
    total = sum(p.total for p in board.teams)
    return {
        **report,
        "reviews": [{"date": r.date.isoformat(), "reviewer": r.reviewer} for r in board.reviews],
        "done": done_total,
        "total": total,
        "percent": done_total * 100 // total if total else 0,
        "bar": text_bar(done_total, total),
        "open_count": len(report["open"]) + len(report["overdue"]),
    }
