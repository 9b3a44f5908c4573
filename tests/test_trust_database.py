"""The database file itself as untrusted input: moved under the app, hostile, damaged, private.

- A save is refused (never acknowledged) once the path no longer names the open file, and a
  copy saved through the open connection keeps every save acknowledged before.
- A schema we did not make (a trigger, a view in a table's place, a changed table) is
  refused with one line at once, and no statement runs unbounded.
- A value stored with sqlite-utils that fails validation is reported by table, row and
  field; the other sessions stay usable in the CLI and the TUI.
- Files and folders made for a database are owner-only whatever the umask or symlink.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from workshop import models as m
from workshop.cli import main
from workshop.errors import DatabaseRefused, StorageError, WorkshopError
from workshop.storage import database as db_module
from workshop.storage.store import Store

INFINITE = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT max(i) FROM r"


def add_term(store: Store, session: m.Session, name: str) -> m.Term:
    return store.add(m.Term(name=name, definition="d"), session.id)


def term_names(path: Path, session_id: int) -> list[str]:
    with Store(path) as reader:
        return [term.name for term in reader.rows(m.Term, session_id)]


def run_cli(db: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def two_sessions(path: Path) -> tuple[int, int]:
    with Store(path) as store:
        first = store.create_session(m.Session(title="First", date=dt.date(2026, 1, 10)))
        second = store.create_session(m.Session(title="Second", date=dt.date(2026, 2, 10)))
        store.add(m.ActionItem(title="Call back"), second.id)
    assert first.id is not None and second.id is not None
    return first.id, second.id


# -- the file moved under an open store -------------------------------------------------------


@pytest.mark.parametrize("how", ["delete", "rename", "replace"])
def test_a_save_after_the_file_went_is_refused_and_a_copy_keeps_every_save(
    store: Store, session: m.Session, db_path: Path, tmp_path: Path, how: str
) -> None:
    add_term(store, session, "Acknowledged one")
    add_term(store, session, "Acknowledged two")
    if how == "delete":
        db_path.unlink()
    elif how == "rename":
        db_path.rename(tmp_path / "renamed.db")
    else:
        other = tmp_path / "other.db"
        with Store(other) as stranger:
            stranger.create_session(m.Session(title="Someone else's"))
        os.replace(other, db_path)
    replacement = db_path.read_bytes() if how == "replace" else b""
    with pytest.raises(StorageError) as refused:
        add_term(store, session, "Never acknowledged")
    message = str(refused.value)
    assert "NOT saved" in message and "\n" not in message
    assert ("replaced" if how == "replace" else "deleted or moved") in message
    copy = store.save_copy(tmp_path / "saved" / "copy.db")
    names = term_names(copy, session.id or 0)
    assert names[-2:] == ["Acknowledged one", "Acknowledged two"]
    assert "Never acknowledged" not in names
    assert copy.stat().st_mode & 0o777 == 0o600
    if how == "replace":  # the file now at the path was not written to
        assert db_path.read_bytes() == replacement


def test_no_new_database_starts_over_the_wal_a_deleted_one_left(
    store: Store, session: m.Session, db_path: Path
) -> None:
    add_term(store, session, "In the WAL only")
    db_path.unlink()
    store.close()
    assert Path(f"{db_path}-wal").stat().st_size > 0
    with pytest.raises(DatabaseRefused, match="left by a database that was deleted or moved"):
        Store(db_path)
    assert not db_path.exists()


def test_a_repointed_symlink_is_seen_as_another_file(tmp_path: Path) -> None:
    real, elsewhere, link = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "link.db"
    Store(elsewhere).close()
    link.symlink_to(real)
    with Store(link) as store:
        session = store.create_session(m.Session(title="Through a link"))
        add_term(store, session, "Kept")  # the link itself is fine
        link.unlink()
        link.symlink_to(elsewhere)
        with pytest.raises(StorageError, match="replaced by another file"):
            add_term(store, session, "Lost")
    assert term_names(real, session.id or 0)[-1] == "Kept"


def test_a_copy_never_overwrites_a_file_or_lands_beside_a_stale_journal(
    store: Store, session: m.Session, tmp_path: Path
) -> None:
    add_term(store, session, "Kept")
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"precious")
    with pytest.raises(StorageError, match="already exists"):
        store.save_copy(taken)
    assert taken.read_bytes() == b"precious"
    beside_wal = tmp_path / "orphan.db"
    Path(f"{beside_wal}-wal").write_bytes(b"old frames")
    with pytest.raises(StorageError, match="already exists"):
        store.save_copy(beside_wal)
    assert not beside_wal.exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_copy_is_never_written_through_a_file_planted_beside_it(
    store: Store, session: m.Session, tmp_path: Path
) -> None:
    """Someone who can write to the folder plants a link (and a world-readable file) at the
    names a copy's temporary file could take: the copy goes to a new file of its own."""
    add_term(store, session, "Kept")
    victim = tmp_path / "victim"
    victim.write_bytes(b"")
    target = tmp_path / "copy.db"
    for planted in (f".{target.name}.{os.getpid()}.partial", f".{target.name}.partial"):
        (tmp_path / planted).symlink_to(victim)
    readable = tmp_path / f".{target.name}.{os.getpid() + 1}.partial"
    readable.write_bytes(b"")
    readable.chmod(0o644)
    copy = store.save_copy(target)
    assert victim.read_bytes() == b""  # never written through the link
    assert not copy.is_symlink() and copy.stat().st_mode & 0o777 == 0o600
    assert "Kept" in term_names(copy, session.id or 0)


async def test_a_save_refused_in_the_tui_names_the_key_that_saves_a_copy(
    make_tui, session: m.Session, db_path: Path, tmp_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        db_path.unlink()
        await pilot.press("1", "a", *"Ann Lee", "ctrl+s")
        await pilot.pause()
        shown = str(app.screen.query_one("#form-error").render())
        assert "NOT saved" in shown and "ctrl+o" in shown, shown
        await pilot.press("ctrl+o")  # from the form that showed the message
        await pilot.pause()
        assert type(app.screen).__name__ == "FormModal"
        assert "copy" in str(app.screen.query_one(".form-title").render()).lower()
        await pilot.press("ctrl+s")
        await pilot.pause()
        copy = tmp_path / "workshop-copy.db"
        assert copy.exists()
        assert any(str(copy) in str(n.message) for n in app._notifications)
    with Store(copy) as reader:
        assert reader.get_session(session.id or 0).title == session.title


# -- a hostile schema ---------------------------------------------------------------------------


def test_an_added_looping_trigger_is_refused_at_once_by_new_and_list(db_path: Path) -> None:
    two_sessions(db_path)
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"CREATE TRIGGER spin AFTER INSERT ON terms BEGIN {INFINITE}; END")
        conn.commit()
    before = db_path.read_bytes()
    env = {**os.environ, "WORKSHOP_DB": str(db_path)}
    for args in (["new", "--title", "X"], ["list"]):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", "from workshop.cli import main; main()", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert time.monotonic() - started < 20
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "spin" in lines[0] and "DROP TRIGGER" in lines[0], lines
    assert db_path.read_bytes() == before


def test_a_looping_view_in_a_tables_place_is_refused(db_path: Path) -> None:
    two_sessions(db_path)
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DROP TABLE kpi_readings")
        conn.execute(f"CREATE VIEW kpi_readings AS {INFINITE}")
        conn.commit()
    with pytest.raises(DatabaseRefused, match="kpi_readings is a view, not a table"):
        Store(db_path)


def test_a_changed_table_is_refused_and_left_unchanged(db_path: Path) -> None:
    two_sessions(db_path)
    sqlite_utils.Database(db_path)["terms"].transform(drop={"example"})
    before = db_path.read_bytes()
    with pytest.raises(DatabaseRefused, match=r"column terms\.example is missing"):
        Store(db_path)
    assert db_path.read_bytes() == before


def test_the_schema_is_not_trusted_and_no_query_runs_unbounded(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.database.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    monkeypatch.setattr(db_module, "QUERY_TIME_LIMIT", 0.3)
    started = time.monotonic()
    with pytest.raises(StorageError, match="took too long"):
        store.database.query(INFINITE)
    assert time.monotonic() - started < 10


def test_sqlite_utils_edits_stay_usable_and_a_trigger_is_refused_with_its_undo(
    tmp_path: Path,
) -> None:
    edits = {
        "insert": lambda db: db["action_items"].insert(
            {
                "session_id": 2,
                "title": "Added by hand",
                "team": "sales",
                "category": "process",
                "priority": "high",
                "status": "open",
            }
        ),
        "add-column": lambda db: db["terms"].add_column("colour", str),
        "create-index": lambda db: db["action_items"].create_index(["title"]),
        "enable-fts": lambda db: db["terms"].enable_fts(["name", "definition"]),
        "create-view": lambda db: db.create_view("open_items", "SELECT * FROM action_items"),
    }
    for name, edit in edits.items():
        path = tmp_path / f"{name}.db"
        _, second = two_sessions(path)
        edit(sqlite_utils.Database(path))
        with Store(path) as store:
            session = store.get_session(second)
            add_term(store, session, "Still works")
            store.add(m.ActionItem(title="So do actions"), second)
            assert len(store.sessions()) == 2, name
    path = tmp_path / "fts-triggers.db"
    two_sessions(path)
    sqlite_utils.Database(path)["action_items"].enable_fts(["title"], create_triggers=True)
    with pytest.raises(DatabaseRefused) as refused:
        Store(path)
    assert "sqlite-utils disable-fts" in str(refused.value)
    assert "action_items_ai" in str(refused.value)


# -- damaged rows ---------------------------------------------------------------------------


def test_a_bad_date_lists_the_other_sessions_and_marks_the_damaged_one(db_path: Path) -> None:
    first, second = two_sessions(db_path)
    sqlite_utils.Database(db_path)["sessions"].update(first, {"date": "garbage"})
    listed = run_cli(db_path, "list")
    assert listed.exit_code == 2
    assert "Second" in listed.stdout and "damaged" in listed.stdout
    assert f"table sessions, row {first}, field date" in listed.stderr
    assert "garbage" in listed.stderr and "Traceback" not in listed.output
    as_json = run_cli(db_path, "list", "--json")
    assert as_json.exit_code == 2
    import json

    entries = {entry["id"]: entry for entry in json.loads(as_json.stdout)}
    assert entries[second]["title"] == "Second" and "problems" not in entries[second]
    assert entries[first]["date"] is None and "field date" in entries[first]["problems"][0]


def test_a_bad_team_status_or_number_fails_export_and_status_with_table_row_and_field(
    db_path: Path,
) -> None:
    _, second = two_sessions(db_path)
    with Store(db_path) as store:
        item = store.rows(m.ActionItem, second)[0]
        person = store.add(m.Participant(name="Ann", team=m.Team.SALES), second)
        timebox = store.add(m.Timebox(step=1, planned_minutes=20), second)
    edit = sqlite_utils.Database(db_path)
    edit["participants"].update(person.id, {"team": "weird"})
    edit["action_items"].update(item.id, {"status": "weird"})
    edit["timeboxes"].update(timebox.id, {"planned_minutes": "lots"})
    for args in (["export", str(second), "-o", "-"], ["status", str(second)]):
        result = run_cli(db_path, *args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        named = [f"table {t}, row " in result.stderr for t in ("participants", "action_items")]
        assert any(named), result.stderr
        assert "field team" in result.stderr or "field status" in result.stderr


FORMATS = ("md", "csv", "ics")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "weird"),
        ("priority", "urgent!"),
        ("due", "garbage"),
        ("due", "2026-13-45"),  # shaped like a date, but no day of the calendar
        ("due", "2020-02-30"),
        ("title", "a\x1b[2Jb"),
    ],
)
def test_a_damaged_action_item_alone_fails_every_export_with_its_row_and_field(
    db_path: Path, field: str, value: str
) -> None:
    """The plan reads action items as raw rows for speed: a bad one is still named."""
    _, second = two_sessions(db_path)
    with Store(db_path) as store:
        item = store.rows(m.ActionItem, second)[0]
    sqlite_utils.Database(db_path)["action_items"].update(item.id, {field: value})
    exports = [("export", str(second), "--format", fmt, "-o", "-") for fmt in FORMATS]
    for args in (*exports, ("status", str(second))):
        result = run_cli(db_path, *args)
        assert result.exit_code == 2, result.output
        assert f"table action_items, row {item.id}, field {field}" in result.stderr
        assert "\x1b" not in result.output


def test_every_damaged_row_is_one_line_and_terminal_safe(store: Store, session: m.Session) -> None:
    first = store.add(m.ActionItem(title="One"), session.id)
    second = store.add(m.ActionItem(title="Two"), session.id)
    edit = sqlite_utils.Database(store.path)
    edit["action_items"].update(first.id, {"status": "weird\x1b[2J"})
    edit["action_items"].update(second.id, {"priority": "urgent"})
    with pytest.raises(WorkshopError) as caught:
        store.rows(m.ActionItem, session.id or 0)
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert problems[0].startswith(f"table action_items, row {first.id}, field status:")
    assert problems[1].startswith(f"table action_items, row {second.id}, field priority:")
    assert all("\x1b" not in line and "\n" not in line for line in problems)


async def test_the_tui_lists_the_other_sessions_and_marks_the_damaged_one(
    make_tui, db_path: Path
) -> None:
    first, second = two_sessions(db_path)
    sqlite_utils.Database(db_path)["sessions"].update(first, {"step_reached": 99})
    from tui.widgets.tables import RecordTable

    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions-table", RecordTable)
        titles = [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
        assert "Second" in titles
        assert any("damaged" in title and "First" in title for title in titles), titles
        hint = str(app.screen.query_one("#sessions-empty").render())
        assert "Reading" not in hint and "damaged" in hint
        table.select_id(first)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SessionListScreen"
        assert any("field step_reached" in str(n.message) for n in app._notifications)
        table.select_id(second)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SessionScreen"


# -- permissions ------------------------------------------------------------------------------


@pytest.fixture
def umask_000() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_a_database_made_through_a_dangling_symlink_is_owner_only(
    tmp_path: Path, umask_000: None
) -> None:
    target = tmp_path / "real.db"
    link = tmp_path / "link.db"
    link.symlink_to(target)
    with Store(link) as store:
        store.create_session(m.Session(title="Private"))
        for sibling in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            assert sibling.stat().st_mode & 0o777 == 0o600, sibling


def test_every_folder_made_for_a_database_is_owner_only_under_umask_000(
    tmp_path: Path, umask_000: None
) -> None:
    path = tmp_path / "one" / "two" / "three" / "workshop.db"
    Store(path).close()
    for folder in (tmp_path / "one", tmp_path / "one" / "two", path.parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert path.stat().st_mode & 0o777 == 0o600
