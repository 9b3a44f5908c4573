"""The plan's Progress section: there once a session has a review, built from the review data."""

from __future__ import annotations

import datetime as dt

import pytest
from test_export_fixtures import TODAY, WORKSHOP_DAY, add_full_session, table_problems

from workshop import models as m
from workshop.export import build_context, render
from workshop.review.board import add_note, cycle_item
from workshop.storage.store import Store


@pytest.fixture
def full(store: Store) -> int:
    session = add_full_session(store)
    assert session.id is not None
    return session.id


def reviewed(store: Store, session_id: int) -> None:
    """Two reviews, a note on an item and a general one, and one item done since the first."""
    store.add(m.Review(date=WORKSHOP_DAY + dt.timedelta(days=2), reviewer="Rev | One"), session_id)
    store.add(m.Review(date=TODAY, reviewer=""), session_id)
    items = {item.title: item for item in store.rows(m.ActionItem, session_id)}
    item = items["Set up lead scoring"]
    note = "Scoring *model* v1\nis live"
    add_note(store, session_id, note, author="Mia", today=TODAY, action_item_id=item.id)
    add_note(store, session_id, "Budget | approved", author="", today=WORKSHOP_DAY)


def section(text: str) -> str:
    start = text.index("## Progress\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_without_a_review_there_is_no_progress(store: Store, full: int) -> None:
    assert build_context(store, full, today=TODAY)["progress"] is None
    assert "## Progress" not in render(store, full, "md", today=TODAY)


def test_the_progress_section_sums_up_the_reviews(store: Store, full: int) -> None:
    reviewed(store, full)
    text = render(store, full, "md", today=TODAY)
    assert text.index("## Action items") < text.index("## Progress") < text.index("## Cadence")
    progress = section(text)
    assert progress.startswith(
        "## Progress\n\nReviewed on 2026-11-19 (Rev \\| One), 2026-11-23.\n\n"
        "**1 of 5 action items done (20%)** as of 2026-11-23: 1 overdue, 3 still open, "
        "0 done since the review of 2026-11-19 (Rev \\| One).\n"
    )
    assert "### Overdue\n\n| Due | Action | Owner | Priority | Days late |" in progress
    assert "| 2026-11-20 | Agree the ICP | Sam Seller | high | 3 |" in progress
    assert "### Still open\n" in progress
    assert "### Done since" not in progress  # nothing was done since the last review
    assert "| sales | 1 of 2 | 50% | █████░░░░░ |" in progress
    assert "### Done by category\n" in progress
    assert "| Speed to lead | 4 hours | 20 hours on 2026-11-22 | on track |" in progress
    assert "| Lead-to-opportunity conversion | 12% | none yet | no reading yet |" in progress
    assert (
        "- **2026-11-17**: Budget \\| approved\n"
        "- **2026-11-23, Mia** on *Set up lead scoring*: Scoring \\*model\\* v1\\\nis live\n"
    ) in progress
    assert table_problems(text)[1] == []


def test_items_done_since_the_last_review_are_listed(store: Store, full: int) -> None:
    reviewed(store, full)
    items = {item.title: item for item in store.rows(m.ActionItem, full)}
    item = items["Set up lead scoring"]
    while item.status is not m.ActionStatus.DONE:
        item = cycle_item(store, item)
    progress = section(render(store, full, "md", today=TODAY + dt.timedelta(days=1)))
    assert "### Done since the review of 2026-11-23\n" in progress
    assert item.done_at is not None
    assert f"| {item.done_at:%Y-%m-%d} | Set up lead scoring | Mia Marketer |" in progress


def test_the_progress_section_is_deterministic(store: Store, full: int) -> None:
    reviewed(store, full)
    first = render(store, full, "md", today=TODAY)
    assert render(store, full, "md", today=TODAY) == first
