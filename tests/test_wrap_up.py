"""The wrap-up's action line: how many items, how many still open, how many overdue today."""

from __future__ import annotations

import datetime as dt

import pytest

from workshop import models as m
from workshop.storage.store import Store
from workshop.wrap_up import wrap_up_summary

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def items(store: Store, session: m.Session) -> int:
    """Five items: two late and not done, one late but done, one due today, one with no date."""
    sid = session.id or 0
    late = dt.date(2026, 11, 1)
    for title, due, status in [
        ("Late and open", late, m.ActionStatus.OPEN),
        ("Late and blocked", late, m.ActionStatus.BLOCKED),
        ("Late but done", late, m.ActionStatus.DONE),
        ("Due today", TODAY, m.ActionStatus.IN_PROGRESS),
        ("No date", None, m.ActionStatus.OPEN),
    ]:
        store.add(m.ActionItem(title=title, due=due, status=status), sid)
    return sid


def test_the_wrap_up_counts_late_items_not_done_as_overdue(store: Store, items: int) -> None:
    actions = wrap_up_summary(store, items, TODAY)[-1]
    assert actions.endswith(": 5 items, 4 open, 2 overdue"), actions


def test_the_wrap_up_says_nothing_of_overdue_before_anything_is_late(
    store: Store, items: int
) -> None:
    actions = wrap_up_summary(store, items, dt.date(2026, 11, 1))[-1]
    assert actions.endswith(": 5 items, 4 open"), actions
