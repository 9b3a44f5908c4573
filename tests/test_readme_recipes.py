"""The README's `sqlite-utils` recipes ("Scripting against the file"), run as written.

Each recipe is read from the README, run through sqlite-utils' own command line on a file
holding the demo session and a second session, and its output compared with what the
store says. None of them may change the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shlex
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils.cli import cli

from workshop import models as m
from workshop.resources import sample_session
from workshop.review.search import search
from workshop.storage.schema import TABLES
from workshop.storage.session_file import import_json
from workshop.storage.store import Store

README = Path(__file__).resolve().parent.parent / "README.md"


def recipes() -> list[list[str]]:
    """The command lines of the README's section, split as a shell would split them."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Scripting against the file", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the section has no sh block"
    lines = [line for line in block.group(1).splitlines() if line.startswith("sqlite-utils ")]
    return [shlex.split(line)[1:] for line in lines]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recipes") / "workshop.db"
    with Store(path) as store:
        session = import_json(store, sample_session("demo").read_bytes())
        assert session.id == 1  # the recipes name session 1
        store.create_session(m.Session(title="Follow-up", date=dt.date(2027, 3, 1)))
    return path


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def run(path: Path, args: list[str]) -> str:
    result = CliRunner().invoke(cli, [str(path) if a == "workshop.db" else a for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def check_sessions(store: Store, output: str) -> None:
    expected = [
        {"id": s.id, "title": s.title, "organisation": s.organisation, "date": s.date.isoformat()}
        for s in sorted((summary.session for summary in store.sessions()), key=lambda s: s.id or 0)
    ]
    assert len(expected) == 2
    assert json.loads(output) == expected


def check_actions(store: Store, output: str) -> None:
    items = store.rows(m.ActionItem, 1)
    expected = [
        {
            "title": item.title,
            "priority": item.priority.value,
            "status": item.status.value,
            "due": item.due.isoformat() if item.due else "",
        }
        for item in items
    ]
    assert len(expected) > 10
    assert list(csv.DictReader(io.StringIO(output))) == expected


def check_search(store: Store, output: str) -> None:
    found = {(row["entity"], row["entity_id"], row["session_id"]) for row in json.loads(output)}
    hits = search(store, "pipeline")
    assert len(hits) > 3
    assert found == {(hit.entity, hit.entity_id, hit.session_id) for hit in hits}
    titles = {row["title"] for row in json.loads(output)}
    assert {hit.title for hit in hits if hit.entity != "review_notes"} <= titles


def check_schema(store: Store, output: str) -> None:
    for table in TABLES:
        assert f'CREATE TABLE "{table}" (' in output, table
    assert "CREATE VIRTUAL TABLE search_index USING fts5" in output
    assert '"session_id" INTEGER NOT NULL REFERENCES "sessions"("id") ON DELETE CASCADE' in output


CHECKS: list[Callable[[Store, str], None]] = [
    check_sessions,
    check_actions,
    check_search,
    check_schema,
]


def test_the_readme_has_one_recipe_per_check() -> None:
    assert len(recipes()) == len(CHECKS)


@pytest.mark.parametrize("index", range(len(CHECKS)), ids=[c.__name__ for c in CHECKS])
def test_each_recipe_prints_what_the_store_holds_and_changes_nothing(
    demo: Path, index: int
) -> None:
    before = dump(demo)
    output = run(demo, recipes()[index])
    assert dump(demo) == before
    with Store(demo) as store:
        CHECKS[index](store, output)
