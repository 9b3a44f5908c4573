"""The `workshop` command through click's CliRunner: commands, round trips and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop.cli import main
from workshop.resources import sample_session


@pytest.fixture
def run(db_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, db: Path | None = db_path):  # type: ignore[no-untyped-def]
        prefix = ["--db", str(db)] if db is not None else []
        return runner.invoke(main, [*prefix, *args], catch_exceptions=False)

    return invoke


def assert_one_line_error(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_help_lists_every_command(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help")
    assert result.exit_code == 0
    for command in ("new", "list", "open", "import", "export", "schema", "demo"):
        assert f"  {command}" in result.output


def test_every_command_has_help_text() -> None:
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        assert command.help and command.help.strip(), name


def test_new_then_list(run) -> None:  # type: ignore[no-untyped-def]
    created = run(
        "new", "--title", "Q3 alignment", "--organisation", "Acme", "--date", "2026-11-20"
    )
    assert created.exit_code == 0, created.output
    session_id = int(created.output.strip())
    listed = run("list", "--json")
    rows = json.loads(listed.output)
    assert [(r["id"], r["title"], r["date"]) for r in rows] == [
        (session_id, "Q3 alignment", "2026-11-20")
    ]
    table = run("list")
    assert "Q3 alignment (Acme)" in table.output


def test_new_refuses_an_empty_title(run) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(run("new", "--title", "   "), "title")


def test_demo_round_trip_gives_identical_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported = run("import", str(sample_session("demo")))
    assert imported.exit_code == 0, imported.stderr
    first = run("export", imported.output.strip(), "--format", "json", "-o", "-").output
    copy = tmp_path / "copy.json"
    copy.write_text(first, encoding="utf-8")
    other_db = tmp_path / "other.db"
    again = run("import", str(copy), db=other_db)
    assert again.exit_code == 0, again.stderr
    second = run("export", again.output.strip(), "--format", "json", "-o", "-", db=other_db).output
    assert first == second
    assert json.loads(first)["session"]["title"]


def test_export_writes_a_file_and_refuses_to_overwrite(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session_id = run("import", str(sample_session("demo"))).output.strip()
    target = tmp_path / "plan.md"
    written = run("export", session_id, "--format", "md", "-o", str(target))
    assert written.exit_code == 0, written.stderr
    original = target.read_bytes()
    assert original.startswith(b"# ")
    refused = run("export", session_id, "--format", "md", "-o", str(target))
    assert_one_line_error(refused, "--force")
    assert target.read_bytes() == original
    forced = run("export", session_id, "--format", "md", "-o", str(target), "--force")
    assert forced.exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("export", "999", "--format", "json", "-o", "-"), ("999",)),
        (("open", "999"), ("999",)),
        (("import", "missing.json"), ("missing.json",)),
        (("export", "1", "--format", "pdf"), ("pdf",)),
        (("export", "abc"), ("abc",)),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(run, args, words) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(run(*args), *words)


def test_a_file_that_is_not_a_workshop_database_is_refused_untouched(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 20)
    before = notes.read_bytes()
    assert_one_line_error(run("list", db=notes), "not a workshop database")
    assert notes.read_bytes() == before


def test_a_bad_session_file_is_refused_with_its_problems(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "alignment-workshop-session", "format_version": 1}')
    result = run("import", str(bad))
    assert result.exit_code == 2
    assert "session" in result.stderr
    assert json.loads(run("list", "--json").output) == []


def test_schema_is_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("schema")
    assert result.exit_code == 0
    assert "properties" in json.loads(result.output)


def test_demo_no_open_prints_where_the_copy_is(run) -> None:  # type: ignore[no-untyped-def]
    result = run("demo", "--no-open", db=None)
    assert result.exit_code == 0, result.stderr
    assert "demo.db" in result.output


OPEN_WITHOUT_THE_STORE = """
import json, sys
from workshop.cli import common, main
common.launch_tui = lambda db, **kwargs: print(json.dumps(
    [kwargs.get("session_id"), sorted(m for m in ("workshop.models", "pydantic", "sqlite_utils")
     if m in sys.modules)]))
main(sys.argv[1:])
"""


def test_open_checks_the_session_without_loading_the_storage_layer(tmp_path: Path) -> None:
    """`workshop open ID` starts the app with nothing of the store loaded, so the session
    screen's first frame does not wait for the models and sqlite-utils."""
    import subprocess
    import sys

    db = tmp_path / "workshop.db"
    imported = CliRunner().invoke(main, ["--db", str(db), "import", str(sample_session("demo"))])
    assert imported.exit_code == 0, imported.output
    done = subprocess.run(
        [sys.executable, "-c", OPEN_WITHOUT_THE_STORE, "--db", str(db), "open", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [1, []]
