"""The crash harness, short run: SIGKILL a process editing the database, then check the file.

The long run is one command: `uv run python -m tests.harness.crash --kills 200`, or
`CRASH_KILLS=200 uv run pytest tests/test_crash.py` (docs/guarantees.md records its result).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from harness import crash

PROJECT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("CRASH_KILLS", "25"))


def test_killing_at_random_moments_loses_no_acknowledged_save() -> None:
    report = crash.run(KILLS, seed=int(os.environ.get("CRASH_SEED", "7")))
    print(report.summary())
    assert report.failures == [], "\n".join(report.failures[:10])
    assert report.kills == KILLS >= 20
    assert report.edit_rounds >= KILLS * 3 // 4
    assert sum(report.migration_versions.values()) == KILLS - report.edit_rounds
    assert report.acknowledged >= 5 * report.edit_rounds, "too few saves to prove anything"


def test_the_child_runs_as_a_script_and_its_kill_is_checked(tmp_path: Path) -> None:
    """The same check on a child started as its own program rather than forked."""
    bench = crash.prepare(tmp_path, migrations=False)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.harness.crash_child",
            "edit",
            str(bench.db),
            str(bench.export),
            "11",
        ],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    lines: list[bytes] = []
    while sum(line.startswith(b"A ") for line in lines) < 25:
        line = child.stdout.readline()
        assert line, b"".join(lines).decode()
        lines.append(line)
    child.send_signal(signal.SIGKILL)
    child.wait()
    rest = child.stdout.read()
    child.stdout.close()
    report = crash.Report()
    crash.verify_edits(bench, (b"".join(lines) + rest).decode(), report)
    assert report.failures == []
    assert report.acknowledged >= 25


def test_the_checks_catch_a_lost_save_and_a_partial_export(tmp_path: Path) -> None:
    """The harness can fail: a row changed behind its back and a cut export are reported."""
    bench = crash.prepare(tmp_path, migrations=False)
    bench.export.write_text("# the whole plan\n" * 100)
    bench.export_sha = hashlib.sha256(bench.export.read_bytes()).hexdigest()
    conn = sqlite3.connect(bench.db)
    conn.execute("UPDATE terms SET definition = 'changed behind its back' WHERE id = 1")
    conn.execute("DELETE FROM participants WHERE id = 2")
    conn.commit()
    conn.close()
    bench.export.write_bytes(bench.export.read_bytes()[:700])
    report = crash.Report()
    crash.verify_edits(bench, "READY\n", report)
    joined = "\n".join(report.failures)
    assert "rows differ" in joined and "('terms', 1)" in joined
    assert "logged as deleted" in joined or "('participants', 2)" in joined
    assert "partial" in joined


def test_a_save_in_flight_may_be_there_or_not_but_nothing_else(tmp_path: Path) -> None:
    bench = crash.prepare(tmp_path, migrations=False)
    pending = {"op": "delete", "table": "action_items", "id": 1}
    output = f'READY\nI {{"effects": [{str(pending).replace(chr(39), chr(34))}]}}\n'
    report = crash.Report()
    crash.verify_edits(bench, output, report)  # not applied: fine
    assert report.failures == []
    conn = sqlite3.connect(bench.db)
    conn.execute("DELETE FROM action_items WHERE id = 2")  # a different row went: not fine
    conn.commit()
    conn.close()
    crash.verify_edits(bench, output, report)
    assert any("rows differ" in failure for failure in report.failures)
