"""What importing the library loads: never the app's UI, and no template engine at start-up.

Imports are process-wide, so each case runs in a fresh interpreter, then prints the forbidden
top-level packages that ended up in `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DEMO = PROJECT / "sample_sessions" / "demo.json"

UI = ("textual", "rich", "tui")
"""What the headless library and the commands that need no screen must never load."""
TEMPLATE_ENGINES = ("jinja2", "icalendar", "markupsafe")
"""What only an export loads, so start-up stays fast."""
BEFORE_THE_FIRST_FRAME = ("pydantic", "jinja2", "icalendar", "textual", "rich", "tui")
"""What the `workshop` command must not load before it starts the app (issue 13: the models
and their validators cost about 250 ms of start-up)."""

HEADLESS_COMMANDS = """
from workshop.cli import main

db, demo = sys.argv[2], sys.argv[3]
for args in (
    ["import", demo],
    ["list"],
    *(["export", "1", "--format", kind, "-o", "-"] for kind in ("md", "csv", "ics", "json")),
    ["status", "1", "--json"],
    ["schema"],
):
    try:
        main(["--db", db, *args])
    except SystemExit as done:
        if done.code:
            raise SystemExit(f"workshop {' '.join(args)} exited with {done.code}") from None
"""
"""Every command that needs no screen, run on the demo session."""

REPORT = """
print()
print(json.dumps(sorted(n for n in sys.modules if n.split(".")[0] in sys.argv[1].split(","))))
"""


@pytest.mark.parametrize(
    ("code", "forbidden"),
    [
        pytest.param(
            "import workshop.storage.store, workshop.models, workshop.storage.database",
            UI,
            id="library",
        ),
        pytest.param("import workshop.revenue", UI, id="revenue"),
        pytest.param("import workshop.assessment", UI, id="assessment"),
        pytest.param(HEADLESS_COMMANDS, UI, id="headless-commands"),
        pytest.param(
            "import workshop.export, workshop.storage.store", TEMPLATE_ENGINES, id="export"
        ),
        pytest.param("import workshop.cli", BEFORE_THE_FIRST_FRAME, id="command-start"),
    ],
)
def test_forbidden_packages_are_not_loaded(
    code: str, forbidden: tuple[str, ...], tmp_path: Path
) -> None:
    script = "import json, sys\n" + code + REPORT
    args = [",".join(forbidden), str(tmp_path / "workshop.db"), str(DEMO)]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=PROJECT
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
