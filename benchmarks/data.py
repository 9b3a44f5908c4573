"""The databases the benchmarks open: 200 sessions; sessions of 1,000 terms and 5,000 actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workshop import models as m
from workshop.sessions import create_session
from workshop.storage.store import Store

TERMS = 1_000
ACTIONS = 5_000
SESSIONS = 200
DAY = dt.date(2026, 11, 23)


def many_sessions(path: Path, count: int = SESSIONS) -> None:
    """`count` sessions, each seeded from the starter like a new one, a few with actions."""
    with Store(path) as store:
        for i in range(count):
            session = create_session(
                store,
                title=f"Alignment workshop {i}",
                organisation=f"Company {i % 37}",
                facilitator="Fay",
                date=DAY - dt.timedelta(days=i),
            )
            assert session.id is not None
            with store.transaction():
                for j in range(i % 5 * 4):
                    store.add(m.ActionItem(title=f"Follow up {j}"), session.id)


def large_session(store: Store, step: int, terms: int = TERMS, actions: int = ACTIONS) -> int:
    """A session on `step` with `terms` terms (some signed off) and `actions` action items.

    Its 20 owners are in leadership or other, so a sign-off key saves at once instead of
    asking which salesperson signs.
    """
    session = store.create_session(
        m.Session(
            title=f"Large session (step {step})",
            organisation="Benchmark Ltd",
            facilitator="Fay",
            date=DAY,
            step_reached=step,
        )
    )
    session_id = session.id
    assert session_id is not None
    now = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    with store.transaction():
        owners = [
            store.add(
                m.Participant(name=f"Owner {i}", team=("leadership", "other")[i % 2]), session_id
            )
            for i in range(20)
        ]
        term_ids = []
        for i in range(terms):
            signed = i % 3 == 0
            term = store.add(
                m.Term(
                    name=f"Term {i:04d}",
                    definition=f"What both teams mean by term {i}: a contact who fits the ICP "
                    "and has shown intent, agreed at the workshop.",
                    entry_criteria="Fits the ICP",
                    exit_criteria="Accepted by sales",
                    example=f"Example {i}",
                    sales_signoff_by="Sam" if signed else None,
                    sales_signoff_at=now if signed else None,
                ),
                session_id,
            )
            term_ids.append(term.id)
        categories, priorities, statuses = list(m.Category), list(m.Priority), list(m.ActionStatus)
        for i in range(actions):
            store.add(
                m.ActionItem(
                    title=f"Follow up on lead batch {i} with both teams",
                    description="Make sure both teams agree, then report back." if i % 3 else "",
                    owner_id=owners[i % 20].id if i % 7 else None,
                    team=("sales", "marketing", "leadership")[i % 3],
                    category=categories[i % len(categories)],
                    priority=priorities[i % len(priorities)],
                    status=statuses[i % len(statuses)],
                    due=DAY + dt.timedelta(days=i % 90 - 30) if i % 11 else None,
                    term_id=term_ids[i % len(term_ids)] if i % 5 == 0 else None,
                ),
                session_id,
            )
    return session_id


def large_sessions(path: Path) -> dict[int, int]:
    """Two large sessions, one left on step 3 and one on step 5: step number → session id."""
    with Store(path) as store:
        return {step: large_session(store, step) for step in (3, 5)}


def first_session(path: Path) -> int:
    """The id of the newest session in the database at `path`."""
    with Store(path) as store:
        summary = store.sessions()[0]
    assert summary.session.id is not None
    return summary.session.id
