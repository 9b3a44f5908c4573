"""Tests of opening a workshop database: durability settings, permissions, migrations, refusals."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import pytest

from workshop import models as m
from workshop.errors import DatabaseRefused, NotFound, StorageError
from workshop.storage import database as db_module
from workshop.storage.database import Database, default_database_path, inspect_file, storage_error
from workshop.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from workshop.storage.store import Store

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 0, so owner-only files prove the code asks for them (not the umask)."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def tables_of(database: Database) -> set[str]:
    rows = database.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    return {str(row["name"]) for row in rows}


# -- durability settings and permissions -----------------------------------------------------


def test_a_new_file_is_readable_by_its_owner_only(db_path: Path, open_umask: None) -> None:
    database = Database(db_path)
    try:
        assert mode_of(db_path) == 0o600
        with database.transaction() as conn:
            conn.execute("INSERT INTO sessions (title, date) VALUES ('t', '2026-11-23')")
        for suffix in ("-wal", "-shm"):
            sibling = db_path.with_name(db_path.name + suffix)
            assert sibling.exists(), f"{suffix} should exist while the file is open in WAL mode"
            assert mode_of(sibling) == 0o600, suffix
    finally:
        database.close()


def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "workshop.db"
    Database(path).close()
    assert path.is_file()
    assert inspect_file(path) == SCHEMA_VERSION


def test_the_live_connection_is_durable(db_path: Path) -> None:
    database = Database(db_path)
    try:
        pragma = lambda name: database.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == db_module.BUSY_TIMEOUT_MS
        assert pragma("application_id") == APPLICATION_ID
        assert pragma("user_version") == SCHEMA_VERSION
    finally:
        database.close()


def test_a_write_transaction_takes_the_write_lock_at_begin(db_path: Path) -> None:
    """BEGIN IMMEDIATE, not a deferred BEGIN: a second writer must wait from the start."""
    database = Database(db_path)
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with (
            database.transaction(),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
        database.close()


def test_a_failed_transaction_leaves_nothing_behind(db_path: Path) -> None:
    database = Database(db_path)
    try:
        with pytest.raises(RuntimeError), database.transaction() as conn:
            conn.execute("INSERT INTO sessions (title, date) VALUES ('t', '2026-11-23')")
            with database.transaction() as inner:  # nested: shares the outer transaction
                inner.execute("INSERT INTO sessions (title, date) VALUES ('u', '2026-11-23')")
            raise RuntimeError("boom")
        assert database.query("SELECT count(*) AS n FROM sessions") == [{"n": 0}]
        assert not database.conn.in_transaction
    finally:
        database.close()


def test_an_sqlite_failure_in_a_transaction_becomes_a_storage_error(db_path: Path) -> None:
    database = Database(db_path)
    try:
        with pytest.raises(StorageError) as caught, database.transaction() as conn:
            conn.execute("INSERT INTO participants (session_id, name, team) VALUES (99, 'x', 'y')")
        assert "\n" not in str(caught.value)
        assert not database.conn.in_transaction
    finally:
        database.close()


def test_a_writer_kept_waiting_too_long_gets_a_plain_storage_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    database = Database(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError) as caught, database.transaction():
            pass
        message = str(caught.value)
        assert "busy" in message
        assert "\n" not in message
    finally:
        other.execute("ROLLBACK")
        other.close()
        database.close()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
        (sqlite3.OperationalError("database or disk is full"), "disk is full"),
        (sqlite3.OperationalError("database is locked"), "busy"),
        (sqlite3.OperationalError("disk I/O error"), "could not write"),
        (sqlite3.IntegrityError("CHECK constraint failed: score"), "refused"),
    ],
)
def test_storage_errors_are_one_plain_sentence(error: sqlite3.Error, words: str) -> None:
    message = str(storage_error(error, "/tmp/w.db"))
    assert words in message
    assert "\n" not in message
    assert "not saved" in message or "nothing was saved" in message


def test_a_killed_writer_loses_no_acknowledged_change_and_leaves_a_sound_file(
    db_path: Path,
) -> None:
    """Every change a killed process reported as saved is in the file, and the file is intact."""
    writer = textwrap.dedent(
        f"""
        import datetime as dt, sys
        from workshop import models as m
        from workshop.storage.store import Store
        store = Store({str(db_path)!r})
        session = store.create_session(m.Session(title="t", date=dt.date(2026, 11, 23)))
        print(session.id, flush=True)
        while True:
            added = store.add(m.Participant(name="p"), session.id)
            print(added.id, flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True, cwd=PROJECT
    )
    assert child.stdout is not None
    session_id = int(child.stdout.readline())
    saved = [int(child.stdout.readline()) for _ in range(40)]
    child.kill()
    child.wait()
    with Store(db_path) as store:
        assert store.database.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        stored = {p.id for p in store.rows(m.Participant, session_id)}
    assert set(saved) <= stored


# -- migrations ------------------------------------------------------------------------------


def empty_sqlite_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scratch (a)")
    conn.execute("DROP TABLE scratch")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "prepare",
    [
        lambda path: None,
        lambda path: path.write_bytes(b""),
        empty_sqlite_file,
    ],
    ids=["missing file", "0-byte file", "empty SQLite file"],
)
def test_a_blank_file_is_migrated_to_the_current_schema(
    db_path: Path, prepare: Callable[[Path], None]
) -> None:
    prepare(db_path)
    assert inspect_file(db_path) == 0
    database = Database(db_path)
    try:
        assert database.schema_version == SCHEMA_VERSION
        assert database.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        expected = {kind.table for kind in (m.Session, *m.ENTITIES)} | {"changes", "search_index"}
        assert expected <= tables_of(database)
        assert database.query("PRAGMA foreign_key_check") == []
    finally:
        database.close()
    assert inspect_file(db_path) == SCHEMA_VERSION
    Database(db_path).close()  # reopening a current file is a no-op
    assert inspect_file(db_path) == SCHEMA_VERSION


def build_file_at(path: Path, version: int) -> None:
    """A file as an older version of the tool left it: the first `version` migrations only."""
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        conn.executescript(migration)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO sessions (id, title, date) VALUES (1, 'Q3', '2026-11-23')")
    conn.execute(
        "INSERT INTO terms (session_id, name, name_key, definition, example) "
        "VALUES (1, 'MQL', 'mql', 'A lead that fits the ideal customer profile', 'Acme')"
    )
    after = {"id": 1, "session_id": 1, "name": "MQL", "version": 1}
    conn.execute(
        "INSERT INTO changes (session_id, entity, entity_id, action, after, at) "
        "VALUES (1, 'terms', 1, 'create', ?, '2026-11-23T09:30:00+00:00')",
        (json.dumps(after),),
    )
    conn.commit()
    conn.close()


def test_a_version_1_file_is_migrated_and_its_terms_are_searchable(db_path: Path) -> None:
    build_file_at(db_path, 1)
    assert inspect_file(db_path) == 1
    database = Database(db_path)
    try:
        assert database.schema_version == SCHEMA_VERSION
        indexed = database.query(
            "SELECT title, body, entity, entity_id, session_id FROM search_index"
        )
        assert len(indexed) == 1
        assert indexed[0]["title"] == "MQL"
        assert "ideal customer profile" in str(indexed[0]["body"])
        assert (indexed[0]["entity"], indexed[0]["entity_id"], indexed[0]["session_id"]) == (
            "terms",
            1,
            1,
        )
        found = database.query(
            "SELECT entity_id FROM search_index WHERE search_index MATCH ?", ("customer",)
        )
        assert found == [{"entity_id": 1}]
    finally:
        database.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_older_version_is_migrated_with_its_data_usable(db_path: Path, version: int) -> None:
    build_file_at(db_path, version)
    with Store(db_path) as store:
        assert store.database.schema_version == SCHEMA_VERSION
        assert store.get(m.Term, 1).name == "MQL"
        store.update(store.get(m.Term, 1).model_copy(update={"example": "Globex"}))
        assert [c.action for c in store.changes(1)] == ["create", "update"]
        store.undo(1)
        assert store.get(m.Term, 1).example == "Acme"
        undone = store.undo(1)  # the entry written by the older version
        assert undone is not None and undone.action == "create"
        with pytest.raises(NotFound):
            store.get(m.Term, 1)
    assert inspect_file(db_path) == SCHEMA_VERSION


# -- refusals --------------------------------------------------------------------------------


def snapshot(path: Path) -> tuple[object, ...]:
    """Everything about `path` a refusal must not change, and the files beside it."""
    siblings = sorted(p.name for p in path.parent.iterdir())
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()), path.stat().st_mtime_ns, siblings)
    stat = path.stat()
    return (path.read_bytes(), stat.st_mtime_ns, stat.st_mode, siblings)


def write_text_file(path: Path) -> None:
    path.write_text("Agenda\n1. Terms\n2. Revenue cycle\n" * 20)


def write_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def write_short_garbage(path: Path) -> None:
    path.write_bytes(b"SQLite")


def write_other_application_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ann')")
    conn.commit()
    conn.close()


def write_other_application_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE things (a)")
    conn.commit()
    conn.close()


def write_newer_workshop_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS:
        conn.executescript(migration)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def make_directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("x")


REFUSED: list[tuple[Callable[[Path], None], str]] = [
    (write_text_file, "not a workshop database"),
    (write_random_bytes, "not a workshop database"),
    (write_short_garbage, "not a workshop database"),
    (write_other_application_db, "another application"),
    (write_other_application_id, "another application"),
    (write_newer_workshop_db, "newer version"),
    (make_directory, "directory"),
]


@pytest.mark.parametrize(
    ("prepare", "words"), REFUSED, ids=[prepare.__name__ for prepare, _ in REFUSED]
)
def test_a_file_that_is_not_ours_is_refused_and_left_untouched(
    db_path: Path, prepare: Callable[[Path], None], words: str
) -> None:
    prepare(db_path)
    before = snapshot(db_path)
    for opener in (inspect_file, Database, Store):
        with pytest.raises(DatabaseRefused) as caught:
            opener(db_path)
        message = str(caught.value)
        assert words in message, message
        assert str(db_path) in message
        assert "\n" not in message
        assert snapshot(db_path) == before, f"{opener.__name__} changed the file"


def test_the_newer_version_message_names_both_versions(db_path: Path) -> None:
    write_newer_workshop_db(db_path)
    with pytest.raises(DatabaseRefused) as caught:
        Database(db_path)
    assert f"schema {SCHEMA_VERSION + 1}" in str(caught.value)
    assert f"up to {SCHEMA_VERSION}" in str(caught.value)


# -- where the database lives ----------------------------------------------------------------


def test_workshop_db_overrides_the_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSHOP_DB", str(tmp_path / "elsewhere.db"))
    assert default_database_path() == tmp_path / "elsewhere.db"
    monkeypatch.setenv("WORKSHOP_DB", "~/workshops/q3.db")
    assert default_database_path() == Path.home() / "workshops" / "q3.db"


def test_the_default_path_is_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKSHOP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_database_path()
    assert path.parent == Path(platformdirs.user_data_dir("alignment-workshop", appauthor=False))
    assert path.name == "workshop.db"
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "data" / "alignment-workshop" / "workshop.db"


def test_an_empty_workshop_db_variable_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSHOP_DB", "")
    assert default_database_path().name == "workshop.db"
    assert default_database_path().parent.name == "alignment-workshop"
