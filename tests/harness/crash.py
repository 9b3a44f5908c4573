"""The crash harness: kill a process editing a workshop database at random moments, then check.

Each round forks a child (tests/harness/crash_child.py) that edits one session through the
library, or opens an old file that needs migrating, and kills it with SIGKILL after a
random (seeded) delay. After every kill the file must pass `integrity_check` and
`foreign_key_check`, hold every acknowledged save with its last acknowledged content (the
one save in flight may be there or not, whole), keep its change log in step with its rows,
have an exported plan that is the old or the new one (never partial), and a migration must
be all-or-nothing.

Run: `uv run python -m tests.harness.crash --kills 200` (the suite runs a short version).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import select
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop import models as m
from workshop.export import render
from workshop.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from workshop.storage.store import Store

from .checks import (
    State,
    apply,
    check_file,
    differences,
    log_disagreements,
    parse,
    read_state,
    schema_of,
)
from .crash_child import run_edits, run_migration, writer

MIGRATION_EVERY = 5
"""Every fifth round kills a child while it opens a file that needs migrating."""
EDIT_WINDOW_S = 0.4
"""An editing child is killed up to this long after it is ready."""


@dataclass
class Report:
    """What a run did and found."""

    kills: int = 0
    edit_rounds: int = 0
    acknowledged: int = 0
    in_flight_applied: int = 0
    in_flight_lost: int = 0
    refused: int = 0
    exports: int = 0
    migration_versions: dict[int, int] = field(default_factory=dict)
    leftover_temporaries: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """The figures as a few lines."""
        versions = ", ".join(f"v{v}: {n}" for v, n in sorted(self.migration_versions.items()))
        return (
            f"kills: {self.kills} ({self.edit_rounds} while editing, "
            f"{sum(self.migration_versions.values())} while migrating)\n"
            f"acknowledged saves checked: {self.acknowledged} (+ {self.refused} refused); "
            f"in-flight saves found whole: {self.in_flight_applied}, "
            f"found absent: {self.in_flight_lost}\n"
            f"exports acknowledged: {self.exports}; leftover temporary files: "
            f"{self.leftover_temporaries}\n"
            f"schema version found after a kill during migration: {versions or 'none'}\n"
            f"failures: {len(self.failures)}\n"
            f"duration: {self.seconds:.1f} s"
        )


# -- running a child ---------------------------------------------------------------------------


def fork_child(body: Callable[[Callable[[str], None]], None]) -> tuple[int, int]:
    """Fork a child running `body(emit)`; returns its pid and the read end of its output."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller
        code = 0
        try:
            os.close(read_fd)
            body(writer(write_fd))
        except BaseException as error:  # report, so the parent can fail with the reason
            with_reason = f"CRASH {type(error).__name__}: {error}\n".encode()
            os.write(write_fd, with_reason[:4000])
            code = 1
        os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def kill_after(pid: int, fd: int, start_marker: str, delay: float, limit: float = 30.0) -> str:
    """Read the child's output; SIGKILL it `delay` s after it printed `start_marker`."""
    chunks: list[bytes] = []
    deadline: float | None = None
    give_up = time.monotonic() + limit
    while True:
        now = time.monotonic()
        if deadline is None and start_marker.encode() in b"".join(chunks[-3:]):
            deadline = now + delay
        if (deadline is not None and now >= deadline) or now >= give_up:
            break
        wait = (deadline - now) if deadline is not None else 0.05
        ready, _, _ = select.select([fd], [], [], max(wait, 0))
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break  # the child ended by itself (a crash): nothing left to read
            chunks.append(chunk)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


# -- the rounds ----------------------------------------------------------------------------------


@dataclass
class Workbench:
    """The files a run works on and what the parent knows about them."""

    folder: Path
    db: Path
    export: Path
    session_id: int
    state: State
    export_sha: str | None = None
    old_file: Path | None = None
    old_counts: tuple[int, int] = (0, 0)
    schemas: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    open_seconds: float = 0.1


def prepare(folder: Path, *, migrations: bool = True) -> Workbench:
    """A database with one session to edit, and (with `migrations`) an old file to migrate."""
    db, export = folder / "crash.db", folder / "exports" / "plan.md"
    export.parent.mkdir()
    with Store(db, who="setup") as store:
        session = store.create_session(m.Session(title="Crash", date=dt.date(2026, 11, 23)))
        assert session.id is not None
        for index in range(3):
            store.add(m.Participant(name=f"Person {index}", team=m.Team.SALES), session.id)
            store.add(m.Term(name=f"Seed {index}", definition="seed"), session.id)
            store.add(m.ActionItem(title=f"Seed {index}"), session.id)
        render(store, session.id, "md")  # import Jinja now, so forked children start warm
        conn = store.database.conn
        state = read_state(conn, session.id)
    bench = Workbench(folder, db, export, session.id, state)
    if not migrations:
        return bench
    bench.old_file = folder / "version-1.db"
    bench.old_counts = build_old_file(bench.old_file)
    for version in range(1, SCHEMA_VERSION + 1):
        bench.schemas[version] = schema_of_version(folder / f"schema-{version}.db", version)
    probe = folder / "probe.db"
    shutil.copyfile(bench.old_file, probe)
    started = time.perf_counter()
    Store(probe).close()
    bench.open_seconds = time.perf_counter() - started
    return bench


def build_old_file(path: Path, terms: int = 1500, actions: int = 1500) -> tuple[int, int]:
    """A file as version 1 left it, large enough that migrating it takes a while."""
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO sessions (id, title, date) VALUES (1, 'Old', '2025-01-01')")
    conn.executemany(
        "INSERT INTO terms (session_id, name, name_key, definition) VALUES (1, ?, ?, ?)",
        [(f"T{i}", f"t{i}", f"definition number {i} of the old file") for i in range(terms)],
    )
    conn.executemany(
        "INSERT INTO action_items (session_id, title, team, category, priority, status) "
        "VALUES (1, ?, 'sales', 'process', 'medium', 'open')",
        [(f"old action {i}",) for i in range(actions)],
    )
    conn.commit()
    conn.close()
    return terms, actions


def schema_of_version(path: Path, version: int) -> set[tuple[str, str]]:
    """The (type, name) of every schema object of a file at `version`."""
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        conn.executescript(migration)
    found = schema_of(conn)
    conn.close()
    return found


def edit_round(bench: Workbench, rng: random.Random, report: Report, seed: int) -> None:
    """Kill an editing child, then check the file against what it acknowledged."""
    pid, fd = fork_child(lambda emit: run_edits(bench.db, bench.export, seed, emit))
    output = kill_after(pid, fd, "READY\n", rng.uniform(0, EDIT_WINDOW_S))
    verify_edits(bench, output, report)


def verify_edits(bench: Workbench, output: str, report: Report) -> None:
    """Check the database and the export after a killed edit run whose output was `output`."""
    acked, pending, refused, crash = parse(output)
    where = f"edit round {report.kills}"
    if crash:
        report.failures.append(f"{where}: the child failed: {crash}")
    report.refused += refused
    expected = bench.state
    for effects in acked:  # an acknowledged add comes back as a put with its new id
        expected = apply(expected, effects)
        report.acknowledged += 1
        report.exports += sum(e["op"] == "export" for e in effects)
    export_acked = next(
        (e["sha"] for effects in reversed(acked) for e in effects if e["op"] == "export"),
        bench.export_sha,
    )
    conn, problems = check_file(bench.db)
    assert conn is not None
    try:
        found = read_state(conn, bench.session_id)
        problems += log_disagreements(conn, bench.session_id, found)
    finally:
        conn.close()
    candidates = [expected]
    if pending is not None:
        added = [e for e in pending if e["op"] == "add"]
        new_keys = sorted(set(found) - set(expected))
        new_ids = [key[1] for key in new_keys] if len(new_keys) == len(added) else []
        if len(new_ids) == len(added):
            candidates.append(apply(expected, pending, new_ids))
    if found == expected:
        report.in_flight_lost += pending is not None and any(e["op"] != "export" for e in pending)
    elif len(candidates) > 1 and found == candidates[1]:
        report.in_flight_applied += 1
    else:
        problems.append(f"rows differ from the acknowledged saves: {differences(expected, found)}")
    problems += check_export(bench, export_acked, pending)
    report.failures += [f"{where}: {problem}" for problem in problems]
    bench.state = found


def check_export(
    bench: Workbench, acked: str | None, pending: list[dict[str, Any]] | None
) -> list[str]:
    """The plan is absent (never written), the last acknowledged one, or the one in flight."""
    allowed = {acked} | {e["sha"] for e in pending or [] if e["op"] == "export"}
    if not bench.export.exists():
        bench.export_sha = None
        return [] if acked is None else ["the acknowledged export is gone"]
    sha = hashlib.sha256(bench.export.read_bytes()).hexdigest()
    bench.export_sha = sha
    return [] if sha in allowed else ["the export is neither the old nor the new plan (partial?)"]


def migration_round(bench: Workbench, rng: random.Random, report: Report) -> None:
    """Kill a child while it opens a version-1 file; the migration must be all or nothing."""
    assert bench.old_file is not None
    path = bench.folder / "migrating.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(bench.old_file, path)
    pid, fd = fork_child(lambda emit: run_migration(path, emit))
    output = kill_after(pid, fd, "OPENING\n", rng.uniform(0, bench.open_seconds * 1.3))
    acked, _, _, crash = parse(output)
    where = f"migration round {report.kills}"
    conn, problems = check_file(path)
    assert conn is not None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        report.migration_versions[version] = report.migration_versions.get(version, 0) + 1
        if crash:
            problems.append(f"the child failed: {crash}")
        if acked and version != SCHEMA_VERSION:
            problems.append(f"migration acknowledged but the file is at version {version}")
        if schema_of(conn) != bench.schemas.get(version):
            problems.append(f"the schema is not exactly that of version {version}")
        counts = tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("terms", "action_items")
        )
        if counts != bench.old_counts:
            problems.append(f"rows lost in migration: {counts} != {bench.old_counts}")
    finally:
        conn.close()
    with Store(path) as store:  # the next run finishes the migration
        indexed = store.database.query("SELECT count(*) AS n FROM search_index")[0]["n"]
        if store.database.schema_version != SCHEMA_VERSION or indexed != sum(bench.old_counts):
            problems.append(f"reopening did not finish the migration ({indexed} rows indexed)")
    report.failures += [f"{where}: {problem}" for problem in problems]


def collect_temporaries(bench: Workbench, report: Report) -> None:
    """Count (and clear) temporary files a killed export left beside the plan."""
    for leftover in bench.export.parent.glob(".*.tmp"):
        report.leftover_temporaries += 1
        leftover.unlink()


def run(kills: int, seed: int = 7, folder: Path | None = None) -> Report:
    """Run `kills` rounds (every fifth one during a migration) and return what was found."""
    report = Report()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workshop-crash-") as scratch:
        bench = prepare(folder or Path(scratch))
        rng = random.Random(seed)
        for round_number in range(kills):
            if round_number % MIGRATION_EVERY == MIGRATION_EVERY - 1:
                migration_round(bench, rng, report)
            else:
                edit_round(bench, rng, report, seed * 100_003 + round_number)
                report.edit_rounds += 1
            report.kills += 1
            collect_temporaries(bench, report)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: run the harness and print the figures; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="how many times to SIGKILL")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random delays and edits")
    args = parser.parse_args(argv)
    report = run(args.kills, args.seed)
    print(report.summary())
    for failure in report.failures[:20]:
        print(f"FAIL {failure}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
