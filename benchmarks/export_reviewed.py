"""Export timing script (not a timed test): the Markdown plan of a reviewed 10,000-item session.

Budget (DESIGN.md): the Markdown export of a reviewed session of 10,000 action items takes
at most 150 ms. A reviewed session's plan has a Progress section on top of the usual
tables (overdue, still open and done since the last review, progress by team and
category, KPIs, review notes), built from the same rows. The figure is printed with its
budget and PASS or MISS. Run it with `uv run python -m benchmarks.export_reviewed [rounds]`;
it holds no tests.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.export_markdown import BUDGET_MS, add_perf_session, timed_renders, verdict
from tests.test_export_fixtures import TODAY
from workshop import models as m
from workshop.export import render
from workshop.storage.store import Store

COUNT = 10_000
REVIEWS = (TODAY - dt.timedelta(days=14), TODAY - dt.timedelta(days=7), TODAY)
"""Three reviews, the last one today: "since last time" counts from the one a week ago."""
NOTES = 200
READINGS = 50
SAVED_AT = dt.datetime.combine(REVIEWS[1] + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)
"""The store's clock while the session is built: its done items count as done since the
last review, whatever day the benchmark runs."""


def add_reviewed_session(store: Store, count: int = COUNT) -> int:
    """The perf session of `count` action items, reviewed: reviews, notes and KPI readings."""
    session_id = add_perf_session(store, count)
    items = store.rows(m.ActionItem, session_id, where="id % 50 = 0")
    kpis = store.rows(m.Kpi, session_id)
    with store.transaction():
        for number, day in enumerate(REVIEWS):
            store.add(m.Review(date=day, reviewer=f"Reviewer {number}"), session_id)
        for i in range(NOTES):
            about = items[i % len(items)].id if i % 2 else None
            store.add(
                m.ReviewNote(
                    text=f"Progress note {i}: *both* teams | report back",
                    author="Fay",
                    date=REVIEWS[i % len(REVIEWS)],
                    action_item_id=about,
                ),
                session_id,
            )
        for i in range(READINGS):
            store.add(
                m.KpiReading(
                    kpi_id=kpis[i % len(kpis)].id,
                    value=40 - i % 30,
                    date=TODAY - dt.timedelta(days=READINGS - i),
                ),
                session_id,
            )
    return session_id


def main(rounds: int = 15) -> None:
    """Print the best and median time of the export, each against the budget."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "bench.db", clock=lambda: SAVED_AT) as store,
    ):
        session_id = add_reviewed_session(store)
        plan = render(store, session_id, "md", today=TODAY)
        assert "## Progress" in plan, "the session was not exported as reviewed"
        times = timed_renders(store, session_id, "md", rounds)
    best, median = min(times), statistics.median(times)
    print(f"Markdown export of a reviewed session, {rounds} rounds:")
    print(
        f"{COUNT:>6} action items: best {best:6.1f} ms {verdict(best <= BUDGET_MS)}, "
        f"median {median:6.1f} ms {verdict(median <= BUDGET_MS)}  (budget {BUDGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
