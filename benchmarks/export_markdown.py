"""Export timing script (not a timed test): the Markdown plan of 10,000 and 20,000 action items.

Budget (DESIGN.md): 10,000 items in at most 150 ms, and 20,000 in at most 2.2 times that;
each figure is printed with its budget and PASS or MISS. Run it with
`uv run python -m benchmarks.export_markdown [rounds]`; the two sizes are timed alternately
so a change in the machine's load affects both alike. It holds no tests.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.test_export_fixtures import TODAY, add_full_session
from workshop import models as m
from workshop.export import render
from workshop.storage.store import Store

SIZES = (10_000, 20_000)


def add_perf_session(store: Store, count: int) -> int:
    """A full session plus `count` action items: mostly plain text, some to escape."""
    session = add_full_session(store, title=f"Benchmark {count}")
    assert session.id is not None
    owners = [
        store.add(m.Participant(name=f"Owner {i}", team="sales"), session.id) for i in range(20)
    ]
    categories, priorities, statuses = list(m.Category), list(m.Priority), list(m.ActionStatus)
    with store.transaction():
        for i in range(count):
            store.add(
                m.ActionItem(
                    title=f"Follow up on lead batch {i}"
                    if i % 10
                    else f"Check *lead* {i} | report",
                    description="Make sure both teams agree, then report back."
                    if i % 3 == 0
                    else "",
                    owner_id=owners[i % 20].id if i % 7 else None,
                    category=categories[i % 8],
                    priority=priorities[i % 4],
                    status=statuses[i % 4],
                    due=dt.date(2026, 12, 1) + dt.timedelta(days=i % 200) if i % 11 else None,
                ),
                session.id,
            )
    return session.id


BUDGET_MS = 150.0
"""DESIGN.md: the Markdown export of 10,000 action items takes at most this long."""
BUDGET_RATIO = 2.2
"""DESIGN.md: 20,000 items take at most this many times as long as 10,000."""


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def timed_renders(store: Store, session_id: int, fmt: str, rounds: int) -> list[float]:
    """Milliseconds of each of `rounds` exports of the session as `fmt`, after one untimed
    export that compiles the templates and warms the caches."""
    render(store, session_id, fmt, today=TODAY)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render(store, session_id, fmt, today=TODAY)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(rounds: int = 15) -> None:
    """Print the best and median time of each size and their ratio, each against its budget.

    The ratio is given three ways: of the best times, of the medians, and the median of
    each round's own ratio (the two sizes run back to back, so they share the machine's load).
    """
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db") as store:
        sessions = {count: add_perf_session(store, count) for count in SIZES}
        render(store, sessions[SIZES[0]], "md", today=TODAY)  # compile the templates once
        times: dict[int, list[float]] = {count: [] for count in SIZES}
        for _ in range(rounds):
            for count, session_id in sessions.items():
                start = time.perf_counter()
                render(store, session_id, "md", today=TODAY)
                times[count].append((time.perf_counter() - start) * 1000)
    small, big = SIZES
    best = {count: min(values) for count, values in times.items()}
    median = {count: statistics.median(values) for count, values in times.items()}
    paired = statistics.median(b / s for s, b in zip(times[small], times[big], strict=True))
    print(f"Markdown export, {rounds} rounds:")
    print(
        f"{small:>6} action items: best {best[small]:6.1f} ms "
        f"{verdict(best[small] <= BUDGET_MS)}, median {median[small]:6.1f} ms "
        f"{verdict(median[small] <= BUDGET_MS)}  (budget {BUDGET_MS:.0f} ms)"
    )
    print(f"{big:>6} action items: best {best[big]:6.1f} ms, median {median[big]:6.1f} ms")
    ratios = {
        "best": best[big] / best[small],
        "median": median[big] / median[small],
        "paired median": paired,
    }
    print(
        f"ratio {big // 1000}k/{small // 1000}k: "
        + ", ".join(
            f"{name} {ratio:.2f} {verdict(ratio <= BUDGET_RATIO)}" for name, ratio in ratios.items()
        )
        + f"  (budget {BUDGET_RATIO}×)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
