"""Checking a database file's schema against the one our migrations build, before using it.

A file can be edited outside the app (the README invites `sqlite-utils`) or come from
someone else. A trigger on one of our tables runs on our own writes, and a view with the
name of one of our tables runs on our reads: either could loop for ever or change rows
behind the change log's back. So the file is compared with the schema the migrations build
in an empty in-memory database:

- each table of ours must be a table with our columns (type, NOT NULL, default, key) and
  our references; an extra column is fine when a new row may leave it empty
  (`sqlite-utils add-column`);
- each trigger of ours must be there unchanged, and no other trigger may sit on our tables;
- an index of ours must not be changed (a missing one only costs speed); indexes are compared
  by what they do, since a new file gets its indexes from sqlite-utils, spelled its own way;
- extra tables, views, indexes and triggers on them are left alone: the app never reads
  or writes them (`sqlite-utils create-index`, `enable-fts`, `create-view`).
"""

from __future__ import annotations

import functools
import re
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workshop.storage.schema import MIGRATIONS, split_sql
from workshop.text import terminal_safe

Column = tuple[str, int, str | None, int]
"""(type, NOT NULL, default, position in the primary key) of a column."""
Reference = tuple[str, str, str | None, str, str]
"""(table, column, referred column, ON UPDATE, ON DELETE) of a foreign key."""
Index = tuple[str, bool, tuple[tuple[str | None, int, str], ...], str]
"""(table, UNIQUE, key columns as (name, descending, collation), WHERE of a partial index)."""


@dataclass(frozen=True)
class Table:
    """What the app relies on in one table."""

    columns: dict[str, Column]
    references: frozenset[Reference]
    virtual: str | None
    """The normalised CREATE statement of a virtual table (its columns come from its module)."""


@dataclass(frozen=True)
class Schema:
    """The tables, indexes and triggers our migrations make, up to one version."""

    tables: dict[str, Table]
    indexes: dict[str, Index]
    triggers: dict[str, str]


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


def _default(sql: str | None) -> str | None:
    """A column default as written, a quoted number as the number (`sqlite-utils` writes '1')."""
    if sql and NUMBER.fullmatch(sql):
        return sql.strip("'")
    return sql


NUMBER = re.compile(r"'?-?\d+(\.\d+)?'?")


def _is_virtual(sql: str | None) -> bool:
    return _normal(sql).upper().startswith("CREATE VIRTUAL TABLE")


def _table(conn: sqlite3.Connection, name: str, sql: str | None) -> Table:
    if _is_virtual(sql):
        return Table({}, frozenset(), _normal(sql))
    # Rows: cid, name, type, notnull, dflt_value, pk, hidden.
    info = conn.execute(f'PRAGMA table_xinfo("{name}")').fetchall()
    columns = {row[1]: (str(row[2]).upper(), row[3], _default(row[4]), row[5]) for row in info}
    # Rows: id, seq, table, from, to, on_update, on_delete, match.
    keys = conn.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
    references = frozenset(
        (row[2], row[3], row[4], str(row[5]).upper(), str(row[6]).upper()) for row in keys
    )
    return Table(columns, references, None)


def _index(conn: sqlite3.Connection, name: str, table: str, sql: str | None) -> Index:
    """What an index does, however its statement is spelled (sqlite-utils quotes every name)."""
    # Rows: seqno, cid, name, desc, coll, key.
    info = conn.execute(f'PRAGMA index_xinfo("{name}")').fetchall()
    keys = tuple((row[2], row[3], str(row[4])) for row in info if row[5])
    statement = _normal(sql)
    unique = statement.upper().startswith("CREATE UNIQUE ")
    where = re.split(r"\bWHERE\b", statement, maxsplit=1, flags=re.IGNORECASE)[1:]
    return table.casefold(), unique, keys, where[0].strip() if where else ""


@functools.cache
def expected_schema(version: int) -> Schema:
    """The schema our first `version` migrations build (computed once per version)."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            for statement in split_sql(migration):
                conn.execute(statement)
        objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        return Schema(
            tables={
                name: _table(conn, name, sql) for kind, name, _, sql in objects if kind == "table"
            },
            indexes={
                name: _index(conn, name, table, sql)
                for kind, name, table, sql in objects
                if kind == "index" and sql
            },
            triggers={name: _normal(sql) for kind, name, _, sql in objects if kind == "trigger"},
        )
    finally:
        conn.close()


def schema_problem(conn: sqlite3.Connection, version: int, path: Path | str) -> str | None:
    """What makes the file on `conn` unsafe for the app at schema `version`, or None.

    The answer is one phrase naming the object, and how to undo the edit where the usual
    `sqlite-utils` command is known.
    """
    if version <= 0:
        return None
    expected = expected_schema(version)
    found = {
        name: (kind, table, sql)
        for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
        )
    }
    for name, table in expected.tables.items():
        problem = _table_problem(conn, name, table, found.get(name))
        if problem:
            return problem
    for name, sql in expected.triggers.items():
        kind, _, actual = found.get(name, ("", "", None))
        if kind != "trigger" or _normal(actual) != sql:
            return (
                f"the trigger {name} that keeps search up to date is missing or changed "
                "(`sqlite-utils transform` and `add-foreign-key` rebuild a table without its "
                "triggers); use a copy of the file from before that edit"
            )
    ours = {table.casefold() for table in expected.tables}
    for name, (kind, table, actual) in found.items():
        if kind == "trigger" and name not in expected.triggers and table.casefold() in ours:
            return _foreign_trigger(name, table, actual, path)
    for name, index in expected.indexes.items():
        if name not in found:
            continue
        kind, table, sql = found[name]
        if kind != "index" or _index(conn, name, table, sql) != index:
            return f"the index {terminal_safe(name)} was changed"
    return None


def _table_problem(
    conn: sqlite3.Connection, name: str, table: Table, found: tuple[str, str, str | None] | None
) -> str | None:
    if found is None:
        return f"the table {name} is missing"
    kind, _, sql = found
    if kind != "table":
        return f"{name} is a {terminal_safe(kind)}, not a table"
    if table.virtual is not None or _is_virtual(sql):
        return None if _normal(sql) == table.virtual else f"the table {name} was changed"
    actual = _table(conn, name, sql)
    for column, shape in table.columns.items():
        if column not in actual.columns:
            return f"the column {name}.{column} is missing"
        if actual.columns[column] != shape:
            return f"the column {name}.{column} was changed (its type, NOT NULL or default)"
    for column, (_, not_null, default, key) in actual.columns.items():
        if column not in table.columns and not_null and default is None and not key:
            return (
                f"the added column {name}.{terminal_safe(column)} is NOT NULL without a "
                "default, so the app could not add a row"
            )
    missing = table.references - actual.references
    if missing:
        _, column, *_ = sorted(missing)[0]
        return f"the reference of {name}.{column} was changed or removed"
    return None


def _foreign_trigger(name: str, table: str, sql: str | None, path: Path | str) -> str:
    """The problem of a trigger we did not make on one of our tables, and how to remove it."""
    file = shlex.quote(str(path))
    if f"{table}_fts".casefold() in (sql or "").casefold():
        undo = f"`sqlite-utils disable-fts {file} {table}` removes it with its search table"
    else:
        drop = shlex.quote(f'DROP TRIGGER "{name}"')
        undo = f"`sqlite-utils {file} {drop}` removes it"
    return (
        f"it has a trigger the app did not make, {terminal_safe(name)} on {terminal_safe(table)}, "
        f"which would run on every save; {terminal_safe(undo)}"
    )
