"""Golden files: the demo session exported as Markdown, CSV and ICS, compared byte for byte.

After a deliberate change to the plan's format, regenerate them with
`UPDATE_GOLDEN=1 uv run pytest tests/test_export_golden.py`, read the diff, and commit it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from workshop.export import render
from workshop.resources import sample_session
from workshop.storage.session_file import import_json
from workshop.storage.store import Store

GOLDEN = Path(__file__).parent / "golden"
REVIEW_DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, int]:
    store = Store(tmp_path_factory.mktemp("golden") / "demo.db")
    session = import_json(store, sample_session("demo").read_bytes())
    assert session.id is not None
    return store, session.id


@pytest.mark.parametrize("fmt", ["md", "csv", "ics"])
def test_the_demo_export_matches_its_golden_file(demo: tuple[Store, int], fmt: str) -> None:
    store, session_id = demo
    produced = render(store, session_id, fmt, today=REVIEW_DAY).encode("utf-8")
    golden = GOLDEN / f"demo_action_plan.{fmt}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(produced)
    assert golden.exists(), f"{golden.name} is missing: run with UPDATE_GOLDEN=1 once"
    assert produced == golden.read_bytes()
