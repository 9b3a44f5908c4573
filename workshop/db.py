"""Opening a workshop database safely: refuse foreign or newer files, migrate, and write durably.

The guarantees (see DESIGN.md, "Storage guarantees") live here: WAL journal,
`synchronous=FULL`, foreign keys on, owner-only files, and every write one transaction
begun with `BEGIN IMMEDIATE` so two processes on one file wait for each other instead of
failing with "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workshop.errors import DatabaseRefused, StorageError
from workshop.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
"""How long a writer waits for another process's transaction before giving up."""

CORE_TABLES = frozenset({"sessions", "changes"})
"""Tables every workshop database has from its first version on."""


APP_DIR_NAME = "alignment-workshop"
DB_ENV_VAR = "WORKSHOP_DB"


def default_database_path() -> Path:
    """The database used when neither `--db` nor `WORKSHOP_DB` names one."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)) / "workshop.db"


def _read_header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(100)


def inspect_file(path: Path) -> int:
    """Check that `path` may be opened as a workshop database, without changing a byte.

    Returns the file's schema version (0 for an empty or new file). Raises
    DatabaseRefused for a directory, a file that is not SQLite, another application's
    SQLite database, or a file written by a newer version of this tool.
    """
    if path.is_dir():
        raise DatabaseRefused(f"{path} is a directory, not a workshop database file.")
    if not path.exists():
        return 0
    try:
        header = _read_header(path)
    except OSError as error:
        raise DatabaseRefused(f"Cannot read {path}: {error.strerror}.") from None
    if not header:
        return 0
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise DatabaseRefused(
            f"{path} is not a workshop database (not an SQLite file); left unchanged."
        )
    user_version = int.from_bytes(header[60:64], "big")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != APPLICATION_ID:
        if application_id != 0 or user_version != 0 or _has_tables(path):
            raise DatabaseRefused(
                f"{path} is an SQLite database of another application, not a workshop "
                "database; left unchanged."
            )
        return 0
    if user_version > SCHEMA_VERSION:
        raise DatabaseRefused(
            f"{path} was written by a newer version of Alignment Workshop (schema "
            f"{user_version}; this version reads up to {SCHEMA_VERSION}); upgrade to open it. "
            "The file was left unchanged."
        )
    return user_version


def _has_tables(path: Path) -> bool:
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise DatabaseRefused(
            f"{path} is not a readable SQLite database; left unchanged."
        ) from None


def _create_owner_only(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (it holds names and revenue).

    A folder created for it is owner-only too, whatever the umask.
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if path.parent.is_dir():
            return
        raise StorageError(f"Cannot create {path}: {path.parent} is not a folder.") from None
    except OSError as error:
        raise StorageError(f"Cannot create {path}: {error.strerror}.") from None
    os.close(fd)


def _is_damaged(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def storage_error(error: sqlite3.Error, path: Path | str) -> StorageError:
    """Translate an SQLite failure into one plain sentence a facilitator can act on."""
    text = str(error).lower()
    if _is_damaged(error):
        message = f"{path} is damaged ({error}); nothing was saved."
    elif "readonly" in text or "read-only" in text:
        message = f"{path} is read-only: the change was not saved."
    elif "full" in text:
        message = "The disk is full: the change was not saved."
    elif "locked" in text or "busy" in text:
        message = (
            "Another program kept the database busy too long: the change was not saved; try again."
        )
    elif "disk i/o" in text:
        message = f"The disk could not write {path}: the change was not saved."
    else:
        message = f"The database refused the change ({error}); nothing was saved."
    return StorageError(message)


class Database:
    """One open workshop database file: the connection, its lock and its transactions."""

    def __init__(self, path: Path | str) -> None:
        """Open (creating and migrating if needed) the workshop database at `path`."""
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self._lock = threading.RLock()
        in_memory = str(path) == ":memory:"
        if not in_memory:
            self.path = self.path.expanduser()
            inspect_file(self.path)
            _create_owner_only(self.path)
        try:
            self.conn = sqlite3.connect(
                str(self.path),
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                self._refuse_without_tables()  # before switching to WAL changes the file
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as error:
            if hasattr(self, "conn"):
                self.conn.close()  # a refused open must not keep the file open
            if _is_damaged(error):
                raise DatabaseRefused(
                    f"{self.path} is damaged or incomplete ({error}) and cannot be opened; "
                    "left unchanged."
                ) from None
            raise storage_error(error, self.path) from None
        except DatabaseRefused:
            self.conn.close()
            raise
        try:
            self.migrate()
        except BaseException:
            self.conn.close()  # a refused open must not keep the file open
            raise

    def _refuse_without_tables(self) -> None:
        """Refuse a file marked as a workshop database whose tables are missing (damaged)."""
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        names = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")}
        if version and not CORE_TABLES.issubset(names):
            raise DatabaseRefused(
                f"{self.path} is marked as a workshop database but its tables are missing; "
                "left unchanged."
            )

    @property
    def db(self) -> Any:
        """The same connection as a sqlite-utils Database, for scripts and tools.

        Imported on first use: the app's start-up does not need it.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @property
    def schema_version(self) -> int:
        """The file's `PRAGMA user_version`."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply every pending migration, each all-or-nothing with its version bump."""
        while (current := self.schema_version) < SCHEMA_VERSION:
            with self.transaction():
                if self.schema_version != current:  # another process migrated meanwhile
                    continue
                if current == 0:
                    self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                for statement in _split_sql(MIGRATIONS[current]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {current + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction begun with BEGIN IMMEDIATE; nested calls share the outer one."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise storage_error(error, self.path) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def query(
        self, sql: str, params: tuple[object, ...] | dict[str, object] = ()
    ) -> list[dict[str, object]]:
        """Rows of a read query as dicts."""
        with self._lock:
            try:
                cursor = self.conn.execute(sql, params)
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        """Close the connection (every change is already committed)."""
        with self._lock:
            self.conn.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
