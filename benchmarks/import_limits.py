"""Session files at and past their limits: time and peak memory to refuse or import them.

`uv run python -m benchmarks.import_limits` builds its files in a temporary folder and prints:

- the time and peak memory (VmHWM of the `workshop` process itself) to refuse `/dev/zero`,
  a 45 MB file of bad rows, files of bad rows under the size limit (millions of tiny ones;
  10,000 long ones, within the count) and files of a million participants or as many as
  fit under the size limit;
- the time and peak memory to import the largest file within the limits (every kind at its
  count in `MAX_ROWS`, rows like the demo's), then to export it as Markdown and to run
  `workshop status` on it;
- the time to import 10,000 action items (the budget of DESIGN.md: ≤ 2 s);
- how long a second process's save waits while the largest file is imported: a writer
  saving every 20 ms through its own Store on the same database.

Every command runs in a fresh process, as a facilitator runs it. It prints figures and
asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop import models as m
from workshop.resources import sample_session
from workshop.storage.session_file import MAX_FILE_BYTES, MAX_ROWS

TIMEOUT = 300.0
"""Seconds after which a command is stopped and reported as hanging."""
MB = 1024 * 1024


@dataclass
class Run:
    """A finished (or stopped) command: wall time, peak memory, exit status and output."""

    seconds: float
    peak_mb: float
    status: int | None
    stdout: str
    stderr: str

    def describe(self) -> str:
        """'1.23 s, 45 MB peak, exit 2: workshop: …' (the first line of what it said)."""
        said = (self.stderr or self.stdout).strip().splitlines()
        first = said[0][:90] if said else ""
        status = "stopped (hung)" if self.status is None else f"exit {self.status}"
        return f"{self.seconds:7.2f} s  {self.peak_mb:7.0f} MB peak  {status}: {first}"


CHILD = """
import atexit, sys


def note_peak():  # VmHWM: this process's own peak, not its parent's before the exec
    with open("/proc/self/status") as status, open(sys.argv[1], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])


atexit.register(note_peak)
from workshop.cli import main
main(sys.argv[2:])
"""


def workshop(db: Path, *args: str, timeout: float = TIMEOUT) -> Run:
    """Run `workshop --db DB ARGS` in a fresh process; its time and peak resident memory."""
    peak = db.with_name("peak")
    peak.unlink(missing_ok=True)
    command = [sys.executable, "-c", CHILD, str(peak), "--db", str(db), *args]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Run(time.perf_counter() - start, 0.0, None, "", "")
    seconds = time.perf_counter() - start
    peak_mb = int(peak.read_text()) / 1024 if peak.exists() else 0.0
    out, err = (stream.decode("utf-8", "replace") for stream in (done.stdout, done.stderr))
    return Run(seconds, peak_mb, done.returncode, out, err)


def show(label: str, run: Run) -> Run:
    """Print one figure."""
    print(f"  {label:<50}{run.describe()}")
    return run


# -- files -------------------------------------------------------------------------------------


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample_session("demo").read_text(encoding="utf-8"))
    return data


def document(counts: Mapping[str, int]) -> dict[str, Any]:
    """The demo session with `counts` rows of each kind, each a copy of a demo row with its
    own id, references to existing rows and unique names where names must be unique."""
    demo = _demo()
    doc: dict[str, Any] = {
        "format": demo["format"],
        "format_version": demo["format_version"],
        "session": demo["session"],
        "revenue_goal": demo["revenue_goal"],
    }
    for name, count in counts.items():
        if name == "timeboxes":
            count = min(count, 6)  # one per step
        rows = []
        for index in range(count):
            row = dict(demo[name][index % len(demo[name])])
            row["id"] = index + 1
            for field, target in m.REFERENCES.items():
                if row.get(field) is not None:
                    row[field] = index % counts[target] + 1 if counts.get(target) else None
            if name == "terms":
                row["name"] = f"{row['name']} {index}"
            if name == "timeboxes":
                row["step"] = index + 1
            rows.append(row)
        doc[name] = rows
    return doc


def write(path: Path, doc: Any) -> Path:
    """`doc` as a session file, laid out as the app writes one."""
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def bad_rows(path: Path, size: int, *, long: bool = False) -> Path:
    """A session file of about `size` bytes whose action items are all invalid: many tiny
    ones, or (`long`) rows within the count limit whose titles are far too long."""
    if long:
        count = min(MAX_ROWS["action_items"], 10_000)
        row: dict[str, Any] = {"title": "x" * (size // count), "status": "someday"}
    else:
        row = {"title": "", "status": "someday", "priority": 7, "owner_id": "x", "due": "soon"}
        count = size // (len(json.dumps(row)) + 2)
    path.write_text(json.dumps(document({}) | {"action_items": [row] * count}), encoding="utf-8")
    return path


def crowd(path: Path, size: int) -> Path:
    """A file naming as many participants as fit in `size` bytes (far over the count)."""
    row = '{"id":100000,"name":"P","team":"sales"},'
    rows = [{"id": i, "name": "P", "team": "sales"} for i in range(1, size // len(row))]
    path.write_text(json.dumps(document({}) | {"participants": rows}, separators=(",", ":")))
    return path


# -- a live session saving while a file is imported ---------------------------------------------

WRITER = """
import json, sys, time
from pathlib import Path
from workshop import models as m
from workshop.storage.store import Store
store = Store(sys.argv[1])
session = store.create_session(m.Session(title="Live session"))
item = store.add(m.ActionItem(title="Saved every 20 ms"), session.id)
waits = []
stop = Path(sys.argv[2])
print("ready", flush=True)
while not stop.exists():
    start = time.perf_counter()
    item = store.update(item.model_copy(update={"title": f"Saved {len(waits)}"}))
    waits.append(time.perf_counter() - start)
    time.sleep(0.02)
print(json.dumps(waits))
"""


def saves_during_import(db: Path, file: Path) -> tuple[Run, list[float]]:
    """Import `file` while another process saves every 20 ms; the import and every save's time."""
    stop = db.with_suffix(".stop")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    imported = workshop(db, "import", str(file))
    time.sleep(0.5)
    stop.touch()
    waits: list[float] = json.loads(writer.stdout.read())
    writer.wait()
    return imported, waits


# -- the run -----------------------------------------------------------------------------------


def in_process_import(file: Path, db: Path) -> float:
    """Seconds `import_json` takes in this process (no start-up): read, check and write."""
    from workshop.storage.session_file import import_json, read_session_file
    from workshop.storage.store import Store

    with Store(db) as store:
        start = time.perf_counter()
        import_json(store, read_session_file(file))
        return time.perf_counter() - start


def main() -> None:
    """Build the files, run every command, print the figures."""
    with tempfile.TemporaryDirectory(prefix="import-limits-") as folder:
        root = Path(folder)
        db = root / "workshop.db"
        print(f"Session-file limits: {MAX_FILE_BYTES / MB:.0f} MiB; rows {dict(MAX_ROWS)}")
        show("start-up, `workshop list`", workshop(db, "list"))

        print("Refused")
        show("/dev/zero", workshop(db, "import", "/dev/zero", timeout=60))
        cases = [
            ("45 MB of bad rows", 45 * 1_000_000, False),
            ("tiny bad rows, under the size limit", MAX_FILE_BYTES - 100_000, False),
            ("10,000 long bad rows", MAX_FILE_BYTES - 1_000_000, True),
        ]
        for name, size, long in cases:
            bad = bad_rows(root / "bad.json", size, long=long)
            label = f"{name} ({bad.stat().st_size / MB:.1f} MiB)"
            show(label, workshop(db, "import", str(bad)))
        many = crowd(root / "crowd.json", MAX_FILE_BYTES - 100_000)
        show(
            f"participants, under the size limit ({many.stat().st_size / MB:.1f} MiB)",
            workshop(db, "import", str(many)),
        )
        show(
            "participants, over the size limit (38 MiB)",
            workshop(db, "import", str(crowd(many, 40_000_000))),
        )

        print("Largest file within the limits (every kind at its count, rows like the demo's)")
        largest = write(root / "largest.json", document(MAX_ROWS))
        size, rows = largest.stat().st_size / MB, sum(MAX_ROWS.values())
        print(f"  file: {size:.1f} MiB, {rows:,} rows")
        imported, waits = saves_during_import(db, largest)
        show("import (while another process saves)", imported)
        session_id = imported.stdout.strip()
        show("export --format md", workshop(db, "export", session_id, "-o", str(root / "plan.md")))
        show("status", workshop(db, "status", session_id))
        waits_ms = sorted(w * 1000 for w in waits)
        print(
            f"  the other process's saves, every 20 ms meanwhile: {len(waits_ms)} saves, "
            f"longest wait {waits_ms[-1]:.0f} ms, median {waits_ms[len(waits_ms) // 2]:.1f} ms"
        )
        alone = in_process_import(largest, root / "alone.db")
        print(f"  in this process, `import_json` alone: {alone:.2f} s")

        print("10,000 action items (budget: ≤ 2 s)")
        ten_k = write(root / "ten-k.json", document({"participants": 20, "action_items": 10_000}))
        show(
            f"`workshop import` ({ten_k.stat().st_size / MB:.1f} MiB)",
            workshop(root / "k.db", "import", str(ten_k)),
        )
        best = min(in_process_import(ten_k, root / "k.db") for _ in range(3))
        print(f"  in this process, `import_json` alone (best of 3): {best:.2f} s")


if __name__ == "__main__":
    main()
