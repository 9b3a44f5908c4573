"""Opening a workshop database safely: refuse foreign or newer files, migrate, and write durably.

The guarantees (see DESIGN.md, "Storage guarantees") live here: WAL journal,
`synchronous=FULL`, foreign keys on, owner-only files, and every write one transaction
begun with `BEGIN IMMEDIATE` so two processes on one file wait for each other instead of
failing with "database is locked".

A file may come from someone else or be edited by hand ("Trust" in DESIGN.md): it is read
with `trusted_schema=OFF`, its schema is checked against ours before use
(`workshop.storage.schema_check`), and no statement may run longer than `QUERY_TIME_LIMIT`. Each
write checks that the path still names the file that was opened, so a save is never
acknowledged into a file that was deleted, renamed or replaced meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workshop.errors import DatabaseMoved, DatabaseRefused, StorageError
from workshop.storage.schema import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    create_newest,
    split_sql,
)
from workshop.storage.schema_check import schema_problem

if TYPE_CHECKING:
    import sqlite_utils

    from workshop.storage.tables import KnownTable

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
"""How long a writer waits for another process's transaction before giving up."""

CORE_TABLES = frozenset({"sessions", "changes"})
"""Tables every workshop database has from its first version on."""

QUERY_TIME_LIMIT = 5.0
"""Seconds one statement may run before it is stopped: nothing a damaged file holds can hang."""
_PROGRESS_STEPS = 1000
"""How many SQLite instructions run between two looks at the clock (cheap at this rate)."""
_PAUSE = 1.0
"""A gap this long between two looks at the clock means another statement is running."""


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
        _refuse_orphan_journal(path)
        return 0
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):  # a named pipe would block the open, a device never end
        from workshop.export.files import file_kind

        raise DatabaseRefused(
            f"{path} is {file_kind(mode)}, not a workshop database file; left unchanged."
        )
    try:
        header = _read_header(path)
    except OSError as error:
        raise DatabaseRefused(f"Cannot read {path}: {error.strerror}.") from None
    if not header:
        _refuse_orphan_journal(path)
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


def _refuse_orphan_journal(path: Path) -> None:
    """Refuse to start a new database where another one's WAL file was left behind.

    SQLite would replay it into the new file: pages of a deleted or moved database.
    """
    orphan = Path(f"{path}-wal")
    if orphan.exists() and orphan.stat().st_size:
        raise DatabaseRefused(
            f"{orphan} was left by a database that was deleted or moved while open; move it "
            f"away (it may hold its last changes) before creating {path.name} there."
        )


def holds_session(path: Path, session_id: int) -> bool:
    """Whether the workshop database at `path` holds session `session_id`, asked without
    the store: `workshop open ID` checks it before the app starts, so the app still draws
    its first frame before the storage layer (models, sqlite-utils) is loaded.

    The file is checked as `inspect_file` does (DatabaseRefused for a foreign one); a file
    that does not exist yet holds no session. Nothing in it is changed.
    """
    if inspect_file(path) == 0 or not -(2**63) <= session_id < 2**63:  # no SQLite integer
        return False
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA query_only = ON")
            found = conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,))
            return found.fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise storage_error(error, path) from None


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


def make_private_folders(folder: Path) -> None:
    """Create `folder` and every missing parent, each owner-only (0700) whatever the umask.

    `Path.mkdir(parents=True)` would give the parents the umask's mode, so each missing
    level is made here.
    """
    missing: list[Path] = []
    level = folder
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    for level in reversed(missing):
        try:
            os.mkdir(level, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: not ours to change
        os.chmod(level, 0o700)


def _create_owner_only(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (it holds names and revenue).

    A symbolic link is followed the way SQLite follows it, so a dangling link creates its
    target, owner-only too. Every folder created for it is owner-only, whatever the umask.
    """
    target = Path(os.path.realpath(path))
    try:
        make_private_folders(target.parent)
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if target.parent.is_dir():
            return
        raise StorageError(f"Cannot create {path}: {target.parent} is not a folder.") from None
    except OSError as error:
        raise StorageError(f"Cannot create {path}: {error.strerror}.") from None
    try:
        os.fchmod(fd, 0o600)  # exactly, whatever the umask took away
    finally:
        os.close(fd)


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file `path` names now (following links), or None if none."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def default_copy_path(path: Path) -> Path:
    """A free name next to `path` for a copy of it: `workshop-copy.db`, `workshop-copy-2.db`…"""
    number = 1
    while True:
        tail = "-copy" if number == 1 else f"-copy-{number}"
        candidate = path.with_name(f"{path.stem}{tail}{path.suffix}")
        if not _name_taken(candidate):
            return candidate
        number += 1


def _name_taken(path: Path) -> bool:
    """Whether `path`, or a journal SQLite would read with it, exists (even as a broken link)."""
    return any(os.path.lexists(f"{path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal"))


def _is_damaged(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def storage_error(error: sqlite3.Error, path: Path | str) -> StorageError:
    """Translate an SQLite failure into one plain sentence a facilitator can act on."""
    text = str(error).lower()
    if text == "interrupted":
        message = (
            f"The database took too long to answer (over {QUERY_TIME_LIMIT:g} seconds): {path} "
            "may be damaged or hold something this version does not expect; nothing was changed."
        )
    elif _is_damaged(error):
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


class _BoundedConnection(sqlite3.Connection):
    """A connection that times each statement, so that its progress handler can stop one.

    `execute` and `executemany` restart the clock; a statement begun some other way is
    recognised by the pause before it. The clock starts at the handler's first call, so
    waiting for another process's lock does not count.
    """

    started = 0.0
    last_seen = 0.0

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """Run one statement (timed from its start)."""
        self.started = 0.0
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        """Run one statement for each set of parameters (timed as a whole)."""
        self.started = 0.0
        return super().executemany(sql, parameters)

    def too_long(self) -> int:
        """The progress handler: non-zero stops the running statement ("interrupted")."""
        now = time.monotonic()
        if not self.started or now - self.last_seen > _PAUSE:
            self.started = now
        self.last_seen = now
        return int(now - self.started > QUERY_TIME_LIMIT)


class Database:
    """One open workshop database file: the connection, its lock and its transactions."""

    def __init__(self, path: Path | str, *, copy_hint: str = "") -> None:
        """Open (creating and migrating if needed) the workshop database at `path`.

        `copy_hint` tells how to save a copy when the file has gone (the app names its key).
        """
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.copy_hint = copy_hint or "save a copy of the database elsewhere"
        self._lock = threading.RLock()
        self._identity: tuple[int, int] | None = None
        self._schema_cookie: int | None = None
        self._utils: sqlite_utils.Database | None = None
        self._tables: dict[str, KnownTable] = {}
        in_memory = str(path) == ":memory:"
        if not in_memory:
            self.path = self.path.expanduser()
            inspect_file(self.path)
            _create_owner_only(self.path)
        try:
            self.conn = self._connect()
            if not in_memory:
                self._identity = _identity(self.path)  # the file SQLite has just opened
                # Both before switching to WAL changes the file.
                self._refuse_without_tables()
                self._refuse_foreign_schema(int(self.schema_version))
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
            self._schema_cookie = self._cookie()
        except BaseException:
            self.conn.close()  # a refused open must not keep the file open
            raise

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path),
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
            factory=_BoundedConnection,
        )
        conn.set_progress_handler(conn.too_long, _PROGRESS_STEPS)
        # A view or trigger in the file may not call functions or virtual tables with side
        # effects; only our own write transactions lift this, after checking the schema.
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _refuse_without_tables(self) -> None:
        """Refuse a file marked as a workshop database whose tables are missing (damaged)."""
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        names = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")}
        if version and not CORE_TABLES.issubset(names):
            raise DatabaseRefused(
                f"{self.path} is marked as a workshop database but its tables are missing; "
                "left unchanged."
            )

    def _refuse_foreign_schema(self, version: int) -> None:
        """Refuse a file whose schema differs from ours in a way the app cannot live with."""
        problem = schema_problem(self.conn, version, self.path)
        if problem:
            raise DatabaseRefused(
                f"{self.path} is not safe to use: {problem}. The file was left unchanged."
            )

    def _cookie(self) -> int:
        """SQLite's schema counter: it changes whenever anyone changes the schema."""
        return int(self.conn.execute("PRAGMA schema_version").fetchone()[0])

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection as a sqlite-utils Database (made on first use, as is its import).

        Use it under the connection's lock: inside `transaction()`, or through `rows_where`
        and `row` for reads. Writes to the tables that feed search need `transaction()`
        (outside it the schema is not trusted).
        """
        if self._utils is None or self._utils.conn is not self.conn:
            from workshop.storage.tables import wrap

            self._utils = wrap(self.conn)
            self._tables = {}
        return self._utils

    def table(self, name: str) -> KnownTable:
        """One of our tables, for sqlite-utils' get, insert, update, delete and rows_where."""
        db = self.db
        found = self._tables.get(name)
        if found is None:
            from workshop.storage.tables import KnownTable

            found = self._tables[name] = KnownTable(db, name)
        return found

    def rows_where(
        self,
        table: str,
        where: str | None = None,
        args: tuple[Any, ...] = (),
        *,
        order_by: str | None = None,
        select: str = "*",
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of `table` matching `where` (sqlite-utils' `rows_where`), read whole."""
        with self._lock:
            try:
                found = self.table(table).rows_where(
                    where, args, order_by=order_by, select=select, limit=limit
                )
                return list(found)
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None

    def row(self, table: str, row_id: int) -> dict[str, Any] | None:
        """The row of `table` with primary key `row_id` (sqlite-utils' `get`), or None."""
        from sqlite_utils.db import NotFoundError

        with self._lock:
            try:
                return self.table(table).get(row_id)
            except NotFoundError:
                return None
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None

    @property
    def schema_version(self) -> int:
        """The file's `PRAGMA user_version`."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Bring the file to the newest schema, each step all-or-nothing with its version bump.

        A new file is built at the newest version in one step; a file of an older version
        goes through each migration it has not had.
        """
        while (current := self.schema_version) < SCHEMA_VERSION:
            with self.transaction():
                if self.schema_version != current:  # another process migrated meanwhile
                    continue
                if current == 0:  # a new file: the newest schema at once, from sqlite-utils
                    self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    create_newest(self.db)
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    continue
                for statement in split_sql(MIGRATIONS[current]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {current + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction begun with BEGIN IMMEDIATE; nested calls share the outer one.

        It is refused, before anything is written, if the path no longer names the file
        that was opened or if someone changed the schema into one the app cannot trust.
        Inside it the schema is trusted: our search triggers write to an FTS5 table, which
        SQLite does not let an untrusted schema do.
        """
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None
            try:
                self._check_still_ours()
                self.conn.execute("PRAGMA trusted_schema = ON")
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise storage_error(error, self.path) from None
            except BaseException:
                self._rollback()
                raise
            finally:
                self.conn.execute("PRAGMA trusted_schema = OFF")

    def _check_still_ours(self) -> None:
        """Refuse to write if the path names another file now, or the schema changed unsafely."""
        if self._identity is not None and _identity(self.path) != self._identity:
            raise DatabaseMoved(self._moved_message())
        if self._schema_cookie is not None and self._cookie() != self._schema_cookie:
            problem = schema_problem(self.conn, self.schema_version, self.path)
            if problem:
                raise StorageError(
                    f"{self.path} was changed by another program and {problem}; "
                    "this change was not saved."
                )
            self._schema_cookie = self._cookie()

    def _moved_message(self) -> str:
        what = "replaced by another file" if self.path.exists() else "deleted or moved"
        return (
            f"{self.path} was {what} while it was open, so this change was NOT saved. "
            f"Everything saved before is still here until you quit: {self.copy_hint}, "
            "then open that copy."
        )

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
                columns = [d[0] for d in cursor.description]
                return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            except sqlite3.Error as error:
                raise storage_error(error, self.path) from None

    def save_copy(self, target: Path | str) -> Path:
        """Write a complete copy of the open database to `target`, which must not exist yet.

        It reads through the open connection, so every change saved so far is in the copy,
        even when the file was deleted, moved or replaced meanwhile. The copy is owner-only
        and appears whole or not at all. Returns the path written.
        """
        target = Path(target).expanduser()
        if _name_taken(target):
            raise StorageError(f"{target} already exists; choose another name (nothing written).")
        partial: Path | None = None
        try:
            make_private_folders(target.parent)
            # A new file of a random name, created here (O_EXCL, 0600): never one planted at
            # a name known in advance, nor the target of a link put there.
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".partial", dir=target.parent
            )
            os.close(fd)
            partial = Path(name)
            self._copy_into(partial)
            _publish(partial, target)
        except FileExistsError:
            raise StorageError(
                f"{target} already exists; choose another name (nothing written)."
            ) from None
        except sqlite3.Error as error:
            raise storage_error(error, target) from None
        except OSError as error:
            raise StorageError(f"Cannot write {target}: {error.strerror}.") from None
        finally:
            for suffix in ("", "-journal", "-wal", "-shm") if partial else ():
                Path(f"{partial}{suffix}").unlink(missing_ok=True)
        return target

    def _copy_into(self, partial: Path) -> None:
        """Copy every page into the empty file `partial`, as a self-contained file."""
        copy = sqlite3.connect(str(partial), isolation_level=None)
        try:
            with self._lock:
                self.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # no WAL file left behind the copy
        finally:
            copy.close()

    def close(self) -> None:
        """Close the connection (every change is already committed)."""
        with self._lock:
            self.conn.close()


def _publish(partial: Path, target: Path) -> None:
    """Give the finished copy its name, never replacing a file that took it meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if _name_taken(target):
            raise FileExistsError(target) from None
        os.rename(partial, target)
