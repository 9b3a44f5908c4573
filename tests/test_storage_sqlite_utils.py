"""sqlite-utils doing the storage's work: a new file's tables, and the store's rows.

- A new file is built by sqlite-utils in one step, and its schema is the one a file of
  version 1 gets through every migration: same columns, types, defaults, keys, references,
  CHECK and UNIQUE constraints, indexes and triggers.
- The store reads and writes through sqlite-utils inside its own `BEGIN IMMEDIATE`
  transactions: nothing is committed before the transaction ends, a failed one leaves
  nothing, and no save asks SQLite about the schema (the tables are known).
- An index of ours is compared by what it does, however sqlite-utils spells it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from workshop import models as m
from workshop.errors import DatabaseRefused
from workshop.storage.database import Database
from workshop.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from workshop.storage.store import Store


def version_1_file(path: Path) -> None:
    """A file as the first version of the tool left it."""
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.commit()


def schema_of(path: Path) -> dict[str, Any]:
    """Everything SQLite says about a file's schema, by object name (not how it is spelled)."""
    shape: dict[str, Any] = {}
    with closing(sqlite3.connect(path)) as conn:
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        shape["pragmas"] = [
            conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("user_version", "application_id")
        ]
        objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        for kind, name, table, sql in objects:
            if kind == "table" and name.startswith("search_index_"):
                shape[name] = (kind, table)  # FTS5's own tables, made by the statement below
            elif kind == "table" and not sql.upper().startswith("CREATE VIRTUAL"):
                indexes = conn.execute(f"PRAGMA index_list({name})").fetchall()
                shape[name] = (
                    conn.execute(f"PRAGMA table_xinfo({name})").fetchall(),
                    sorted(conn.execute(f"PRAGMA foreign_key_list({name})").fetchall()),
                    sorted(row[1:] for row in indexes),  # (name, unique, origin, partial)
                    sorted(" ".join(check.check.split()) for check in db.table(name).checks),
                )
            elif kind == "index":
                shape[name] = (table, conn.execute(f"PRAGMA index_xinfo({name})").fetchall())
                shape[name] += (sql and sql.upper().partition(" WHERE ")[2],)
            else:  # triggers and the search index: our own statements in both files
                shape[name] = (kind, table, " ".join((sql or "").split()))
    return shape


def test_a_new_file_has_exactly_the_schema_every_migration_builds(tmp_path: Path) -> None:
    new, migrated = tmp_path / "new.db", tmp_path / "migrated.db"
    Database(new).close()
    version_1_file(migrated)
    Database(migrated).close()
    expected, found = schema_of(migrated), schema_of(new)
    assert found["pragmas"] == [SCHEMA_VERSION, APPLICATION_ID]
    assert sorted(found) == sorted(expected)
    for name, shape in expected.items():
        assert found[name] == shape, name
    assert len(expected["answers"][3]) == len(expected["changes"][3]) == 1  # CHECKs compared
    with closing(sqlite3.connect(new)) as conn:  # and sqlite-utils made the new one
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'terms'").fetchone()[0]
    assert sql.startswith('CREATE TABLE "terms"')


def test_a_changed_index_is_refused_however_it_is_spelled(db_path: Path) -> None:
    Database(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DROP INDEX idx_stages_session")  # the same index, spelled another way
        conn.execute("create index [idx_stages_session] on stages(session_id,   position)")
        conn.commit()
    Database(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DROP INDEX idx_stages_session")
        conn.execute('CREATE INDEX "idx_stages_session" ON "stages" ("position")')
        conn.commit()
    with pytest.raises(DatabaseRefused, match="the index idx_stages_session was changed"):
        Database(db_path)


def test_a_changed_partial_index_is_refused(db_path: Path) -> None:
    Database(db_path).close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DROP INDEX idx_changes_cause")
        conn.execute("CREATE INDEX idx_changes_cause ON changes (cause) WHERE cause > 0")
        conn.commit()
    with pytest.raises(DatabaseRefused, match="the index idx_changes_cause was changed"):
        Database(db_path)


def test_a_save_asks_sqlite_nothing_about_the_schema(store: Store, session: m.Session) -> None:
    statements: list[str] = []
    store.database.conn.set_trace_callback(statements.append)
    term = store.add(m.Term(name="MQL"), session.id)
    item = store.add(m.ActionItem(title="Call back", term_id=term.id), session.id)
    store.update(store.get(m.ActionItem, item.id or 0).model_copy(update={"title": "Call"}))
    store.rows(m.ActionItem, session.id or 0)
    store.delete(store.get(m.Term, term.id or 0))
    store.undo(session.id or 0)
    store.database.conn.set_trace_callback(None)
    asked = [s for s in statements if "sqlite_master" in s or "table_info" in s.lower()]
    assert statements and asked == []


def test_sqlite_utils_writes_stay_inside_the_stores_transaction(
    store: Store, session: m.Session, db_path: Path
) -> None:
    with closing(sqlite3.connect(db_path)) as other:
        count = lambda: other.execute("SELECT count(*) FROM terms").fetchone()[0]  # noqa: E731
        with pytest.raises(RuntimeError), store.transaction():
            store.add(m.Term(name="First"), session.id)
            store.add(m.Term(name="Second"), session.id)
            assert count() == 0  # nothing committed yet
            raise RuntimeError("changed my mind")
        assert count() == 0
        assert store.rows(m.Term, session.id or 0) == []
        assert not store.database.conn.in_transaction


def test_the_connection_is_left_as_the_store_set_it(store: Store, session: m.Session) -> None:
    """sqlite-utils switches recursive triggers on by default; the store's connection keeps
    SQLite's defaults."""
    store.add(m.Term(name="MQL"), session.id)
    assert store.database.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0


def test_an_imported_session_is_inserted_in_batches_with_its_log(store: Store) -> None:
    session = m.Session(title="Imported", date=dt.date(2026, 3, 1))
    items: list[m.SessionRecord] = [m.ActionItem(title=f"Item {n}") for n in range(250)]
    created = store.import_session(session, {"action_items": items})
    assert created.id is not None
    stored = store.rows(m.ActionItem, created.id)
    assert [item.title for item in stored] == [f"Item {n}" for n in range(250)]
    log = store.changes(created.id)
    assert [(c.action, c.entity_id) for c in log[1:]] == [("create", i.id) for i in stored]
    assert log[-1].after is not None and log[-1].after["title"] == "Item 249"
