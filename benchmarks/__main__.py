"""Every budget of DESIGN.md measured in one run: `uv run python -m benchmarks [--rounds N]`.

Each time is also given as a ratio to a bare Textual hello-world app started the same way in
the same run, so a slower or busier machine moves both alike. Start-ups run in fresh processes,
alternated, and the best of the rounds counts (the least disturbed by the rest of the machine).
The other figures run in their own processes: see startup.py, large_session.py,
save_latency.py, export_markdown.py, export_reviewed.py and export_ics.py. Nothing here is
a test; it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks.startup import ROOT, spawn

LIST_RATIO = 1.2
OPEN_FRAME_RATIO = 1.4
OPEN_ROWS_RATIO = 2.5
SAVE_P95_MS = 5.0
FRAME_MS = 16.0
TABLE_KEY_MS = 33.0
"""DESIGN.md's budgets: start-up ratios to hello-world, save p95, typing and table-key blocks."""
CHILD_TIMEOUT = 240
"""Seconds after which a measuring process is stopped (and the run fails, saying so)."""


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def line(label: str, ms: float, hello: float | None = None, budget: float | None = None) -> str:
    """One figure: its time, its ratio to hello-world, and its budget with PASS/MISS."""
    text = f"  {label:<52}{ms:8.0f} ms"
    if hello:
        ratio = ms / hello
        text += f"  {ratio:5.2f}×"
        if budget is not None:
            text += f"  budget ≤ {budget}×  {verdict(ratio <= budget)}"
    return text


def run_module(module: str, *args: str) -> Any:
    """Run `python -m benchmarks.MODULE ARGS`; its last output line, read as JSON."""
    try:
        done = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-m", f"benchmarks.{module}", *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired as expired:
        raise RuntimeError(f"{module} took over {CHILD_TIMEOUT} s: {expired.stderr!r}") from None
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"{module} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@contextmanager
def section(title: str) -> Iterator[None]:
    """A titled block of output, with how long it took to measure."""
    print(f"\n{title}", flush=True)
    start = time.perf_counter()
    yield
    print(f"  ({time.perf_counter() - start:.0f} s to measure)", flush=True)


def best_of(
    rounds: int, runs: dict[str, Callable[[], dict[str, float]]]
) -> dict[str, dict[str, float]]:
    """Run each start-up `rounds` times, alternated; the best of each mark."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(rounds):
        for name, run in runs.items():
            for mark, value in run().items():
                kept = best.setdefault(name, {})
                kept[mark] = min(kept.get(mark, value), value)
    return best


def startups(folder: Path, sessions: dict[int, int], rounds: int) -> float:
    """Start-up to the session list and to the large session; returns hello-world's time."""
    listing, large = str(folder / "list.db"), str(folder / "large.db")
    runs: dict[str, Callable[[], dict[str, float]]] = {
        "hello": lambda: spawn("hello"),
        "list": lambda: spawn("app-list", listing),
        "cli-list": lambda: spawn("cli-list", listing),
        "open3": lambda: spawn("app-session", large, str(sessions[3]), "3", str(data.TERMS)),
        "open5": lambda: spawn("app-session", large, str(sessions[5]), "5", str(data.ACTIONS)),
    }
    best = best_of(rounds, runs)
    hello = best["hello"]["frame"]
    print(line("bare Textual hello-world: first frame", hello))
    print(
        line(
            f"session list ({data.SESSIONS} sessions): first frame",
            best["list"]["frame"],
            hello,
            LIST_RATIO,
        )
    )
    print(line("  … its rows shown (no budget)", best["list"]["rows"], hello))
    print(
        line(
            "  … through the `workshop` command: first frame",
            best["cli-list"]["frame"],
            hello,
            LIST_RATIO,
        )
    )
    for step, rows in ((3, f"{data.TERMS:,} terms"), (5, f"{data.ACTIONS:,} action items")):
        marks = best[f"open{step}"]
        print(
            line(
                f"`workshop open`, large session on step {step}: first frame",
                marks["frame"],
                hello,
                OPEN_FRAME_RATIO,
            )
        )
        print(line(f"  … every row reachable ({rows})", marks["rows"], hello, OPEN_ROWS_RATIO))
    return hello


def warm_open(folder: Path, sessions: dict[int, int], hello: float, rounds: int) -> dict[str, Any]:
    """Opening the large session from the running app's list; typing blocks."""
    result = run_module(
        "large_session", str(folder / "large.db"), str(sessions[3]), str(sessions[5]), str(rounds)
    )
    for step, rows in ((3, f"{data.TERMS:,} terms"), (5, f"{data.ACTIONS:,} action items")):
        opened = result["open"][str(step)]
        frame = min(run["frame"] for run in opened)
        ready = min(run["rows"] for run in opened)
        print(line(f"open from the list, step {step}: first frame", frame, hello, OPEN_FRAME_RATIO))
        print(line(f"  … every row reachable ({rows})", ready, hello, OPEN_ROWS_RATIO))
    blocks: dict[str, Any] = result["blocks"]
    return blocks


def key_blocks(blocks: dict[str, float]) -> None:
    """The longest event-loop blocks while typing and after each table key."""
    typing = blocks.pop("typing")
    print(
        f"  typing into the action form, longest block (median of 3): {typing:6.1f} ms"
        f"  budget ≤ {FRAME_MS:.0f} ms"
        f"  {verdict(typing <= FRAME_MS)}"
    )
    worst = ", ".join(f"{key} {ms:.0f}" for key, ms in blocks.items())
    longest = max(blocks.values(), default=0.0)
    print(f"  step 5 table keys, longest block after each incl. repaint (ms; median): {worst}")
    print(
        f"  … the longest: {longest:.0f} ms  budget ≤ {TABLE_KEY_MS:.0f} ms"
        f"  {verdict(longest <= TABLE_KEY_MS)}"
    )


def save_latency(folder: Path, sessions: dict[int, int]) -> None:
    """Edit to durable save over 1,000 edits."""
    result = run_module("save_latency", str(folder / "large.db"), str(sessions[5]))
    latency, handler = result["latency"], result["handler"]
    p50, p95, worst = (percentile(latency, f) for f in (0.5, 0.95, 1.0))
    print(
        f"  {len(latency):,} edits, handler start to Store.update returned: "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms"
    )
    print(f"  p95 {p95:.2f} ms  budget ≤ {SAVE_P95_MS:.0f} ms  {verdict(p95 <= SAVE_P95_MS)}")
    print(
        f"  whole handler (save + row + header): p50 {percentile(handler, 0.5):.2f} ms, "
        f"p95 {percentile(handler, 0.95):.2f} ms, max {max(handler):.2f} ms"
    )


def cli(folder: Path, session_id: int, hello: float, rounds: int) -> None:
    """`workshop list` and `workshop status ID`: wall time, and whether Textual was imported."""
    script = str(Path(sys.executable).parent / "workshop")
    database = str(folder / "list.db")
    commands = {"list": ["list"], "status": ["status", str(session_id)]}
    for name, args in commands.items():
        argv = [sys.executable, script, "--db", database, *args]
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=True, cwd=ROOT)
            times.append((time.perf_counter() - start) * 1000)
        traced = subprocess.run(
            [sys.executable, "-X", "importtime", *argv[1:]],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        imported = {
            entry.split("|")[-1].strip()
            for entry in traced.stderr.splitlines()
            if entry.startswith("import time:")
        }
        gui = sorted(name for name in imported if name.split(".")[0] in {"textual", "tui"})
        print(
            line(f"`workshop {name}`: start to exit", min(times), hello)
            + f"  Textual imported: {'yes' if gui else 'no'}  {verdict(not gui)}"
        )


def export(rounds: int, module: str = "export_markdown") -> None:
    """The export figures, as printed by `benchmarks.<module>`."""
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", str(rounds)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    for text in (done.stdout + done.stderr).strip().splitlines():
        print(f"  {text}")


def main() -> None:
    """Build the databases, then measure and print every figure."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=4, help="start-ups per figure (best counts)")
    rounds = parser.parse_args().rounds
    import textual

    print(
        f"Alignment Workshop benchmarks · Python {platform.python_version()} · Textual "
        f"{textual.__version__} · {os.cpu_count()} CPUs · best of {rounds} start-ups each"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as name:
        folder = Path(name)
        data.many_sessions(folder / "list.db")
        sessions = data.large_sessions(folder / "large.db")
        listed = data.first_session(folder / "list.db")
        with section("Start-up, from process spawn (ratio to hello-world, same run)"):
            hello = startups(folder, sessions, rounds)
        with section("Opening the large session inside the running app"):
            blocks = warm_open(folder, sessions, hello, max(2, rounds // 2))
        with section("Key handlers on the large session (event-loop blocks, watchdog)"):
            key_blocks(blocks)
        with section("Edit to durable save, on the app's own clock"):
            save_latency(folder, sessions)
        with section("Commands that never open the app"):
            cli(folder, listed, hello, rounds)
    with section("Markdown export (benchmarks.export_markdown)"):
        export(max(5, rounds * 2))
    with section("Markdown export of a reviewed session (benchmarks.export_reviewed)"):
        export(max(5, rounds * 2), "export_reviewed")
    with section("Calendar export (benchmarks.export_ics)"):
        export(max(3, rounds), "export_ics")
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
