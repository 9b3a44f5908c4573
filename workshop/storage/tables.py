"""The open connection as sqlite-utils sees it, without asking SQLite what we already know.

Imported on first use (sqlite-utils takes a while to import, and listing sessions does not
need it). sqlite-utils looks a table up (`sqlite_master`, `PRAGMA table_info`) before each
get, insert, update and delete; for our own tables the answer is known, because the file's
schema is checked when it is opened and again whenever another program changes it, so
`KnownTable` answers itself and a save runs only the statements that do the work.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.db import Table


class KnownTable(Table):
    """One of our tables: it exists and its primary key is `id` (see `workshop.storage.schema`).

    A table dropped behind the app's back therefore fails with SQLite's own "no such
    table", as hand-written SQL would, instead of reading as empty.
    """

    def exists(self) -> bool:
        """Always: the schema was checked."""
        return True

    @property
    def pks(self) -> list[str]:
        """The primary key of every table of ours."""
        return ["id"]


def wrap(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """`conn` as a sqlite-utils Database that changes nothing about the connection.

    sqlite-utils would otherwise switch on `recursive_triggers` and let installed plugins
    register SQL functions on it. It never commits a transaction it did not begin: inside
    ours, each of its writes is a savepoint.
    """
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
