"""One committed edit through the store: median and p95 of 1,000 durable updates.

Run: `uv run python -m benchmarks.store_edit [edits]`. Each edit is one BEGIN IMMEDIATE
transaction with its change-log entry, committed with synchronous=FULL on a WAL file.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from workshop import models as m
from workshop.storage.store import Store

BUDGET_P95_MS = 5.0


def measure(edits: int) -> list[float]:
    """Seconds per committed update of one action item, `edits` times."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db") as store:
        session = store.create_session(m.Session(title="Store benchmark"))
        item = store.add(m.ActionItem(title="Edit me"), session.id)
        timings = []
        for number in range(edits):
            started = time.perf_counter()
            item = store.update(item.model_copy(update={"title": f"Edit {number}"}))
            timings.append(time.perf_counter() - started)
        return timings


def main() -> None:
    """Print the median, p95 and max of one committed edit, with the budget."""
    edits = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    timings = sorted(measure(edits))
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    verdict = "PASS" if p95 <= BUDGET_P95_MS else "MISS"
    print(
        f"store edit x{edits}: median {statistics.median(timings) * 1000:.2f} ms, "
        f"p95 {p95:.2f} ms, max {timings[-1] * 1000:.2f} ms "
        f"(budget p95 <= {BUDGET_P95_MS:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
