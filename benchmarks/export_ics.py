"""Calendar export timing script (not a timed test): the ICS of 10,000 action items.

Budget (issue 13): the ICS export of 10,000 action items takes at most 1 s, from the store
to the text. Run it with `uv run python -m benchmarks.export_ics [rounds]`; it prints the
best and the median of the rounds, each with its budget and PASS or MISS. It holds no tests.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.export_markdown import add_perf_session, timed_renders, verdict
from workshop.storage.store import Store

COUNT = 10_000
BUDGET_MS = 1000.0
"""Issue 13: the ICS export of 10,000 action items takes at most this long."""


def main(rounds: int = 5) -> None:
    """Print the best and median time of the ICS export against its budget."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db") as store:
        times = timed_renders(store, add_perf_session(store, COUNT), "ics", rounds)
    best, median = min(times), statistics.median(times)
    print(
        f"ICS export, {rounds} rounds, {COUNT:,} action items: best {best:6.1f} ms "
        f"{verdict(best <= BUDGET_MS)}, median {median:6.1f} ms {verdict(median <= BUDGET_MS)}"
        f"  (budget {BUDGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
