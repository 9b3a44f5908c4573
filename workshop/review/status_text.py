"""The review summary as plain text lines: what `workshop status` prints.

Lines are returned as they are; the caller makes them terminal-safe.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from workshop.blind_round import Disclosure
from workshop.models import ReviewNote
from workshop.review.board import (
    NO_OWNER,
    KpiStatus,
    PlacedRow,
    ReviewSummary,
    Section,
    text_bar,
    with_unit,
)
from workshop.storage.rows import stored_moment


def _index(index: Decimal | None) -> str:
    return "—" if index is None else str(index)


def assessment_lines(round_: Disclosure) -> list[str]:
    """The assessment as `workshop status` prints it: before the reveal only how far each team
    has got, after it the indices and the largest gaps."""
    lines = ["", "Assessment", f"  {round_.progress}"]
    result = round_.result
    if result is None:
        if round_.started:
            lines.append("  The scores stay hidden until both teams' scores are revealed.")
        return lines
    assert round_.revealed_at is not None
    indices = ", ".join(f"{team} {_index(result.index_for(team))}" for team in round_.scored)
    lines[1] += f" (revealed {round_.revealed_at.date().isoformat()})"
    lines.append(f"  Alignment index (0–100): {indices}")
    for statement, gap in round_.largest_gaps(5):
        size = f"{gap.gap.normalize():f}" if gap.gap is not None else "?"
        lines.append(f"  - {statement}: gap {size} {gap.marker}")
    return lines


def _item_line(placed: PlacedRow, today: dt.date) -> str:
    item, section, owner = placed
    owner = owner if owner != NO_OWNER else "no owner"
    due = f"due {item['due']}" if item["due"] else "no due date"
    if section is Section.OVERDUE and item["due"]:
        late = (today - dt.date.fromisoformat(item["due"])).days
        due += f", {_plural(late, 'day')} late"
    if section is Section.DONE and (done_at := stored_moment(item["done_at"])):
        due = f"done {done_at.date().isoformat()}"
    return f"  - {item['title']} — {owner} ({item['team']}), {item['status']}, {due}"


def status_lines(board: ReviewSummary) -> list[str]:
    """The review summary as plain text lines, as `workshop status` prints them."""
    session = board.session
    organisation = f" — {session.organisation}" if session.organisation else ""
    last = board.reviews[-1] if board.reviews else None
    reviewed = (
        f"{_plural(len(board.reviews), 'review')}, last on {last.date.isoformat()}"
        + (f" by {last.reviewer}" if last.reviewer else "")
        if last
        else "not reviewed yet"
    )
    lines = [
        f"{session.title}{organisation} (session {session.id}, workshop {session.date})",
        f"As of {board.today.isoformat()}, {board.since.label}; {reviewed}.",
    ]
    titles = {
        Section.OVERDUE: "Overdue",
        Section.OPEN: "Open and blocked, by owner",
        Section.DONE: f"Done since {board.since.date.isoformat()}",
    }
    for section, title in titles.items():
        rows = board.placed(section)
        lines += ["", f"{title} ({len(rows)})"]
        lines += [_item_line(row, board.today) for row in rows] or ["  (none)"]
    lines += ["", "Progress by team"]
    width = max((len(p.label) for p in (*board.teams, *board.categories)), default=0)
    for progress in board.teams:
        bar = text_bar(progress.done, progress.total)
        lines.append(f"  {progress.label:<{width}}  {bar}  {progress.done}/{progress.total}")
    lines += ["", "Progress by category"]
    for progress in board.categories:
        bar = text_bar(progress.done, progress.total)
        lines.append(f"  {progress.label:<{width}}  {bar}  {progress.done}/{progress.total}")
    lines += ["", f"KPIs ({len(board.kpis)})"]
    lines += [_kpi_line(kpi) for kpi in board.kpis] or ["  (none)"]
    notes = board.notes_since()
    lines += ["", f"Notes since {board.since.date.isoformat()} ({len(notes)})"]
    lines += [line for note in notes for line in _note_lines(board, note)] or ["  (none)"]
    return lines


def _kpi_line(kpi: KpiStatus) -> str:
    unit = kpi.kpi.unit
    # Without a reading the verdict is "no reading yet": said once, not twice.
    latest = (
        f"latest {with_unit(kpi.latest.value, unit)} on {kpi.latest.date.isoformat()} — "
        if kpi.latest
        else ""
    )
    return (
        f"  - {kpi.kpi.name}: baseline {with_unit(kpi.kpi.baseline, unit)}, "
        f"target {with_unit(kpi.kpi.target, unit)}; {latest}{kpi.verdict}"
    )


def _note_lines(board: ReviewSummary, note: ReviewNote) -> list[str]:
    """A note as '  - 2026-12-15, Sam, on "Fix the sync": text', its further lines indented."""
    author = f", {note.author}" if note.author else ""
    about = board.about(note)
    on = f', on "{about}"' if about else ""
    first, *more = note.text.splitlines() or [""]
    return [f"  - {note.date.isoformat()}{author}{on}: {first}", *(f"    {line}" for line in more)]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
