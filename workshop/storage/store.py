"""Typed persistence of workshop sessions: CRUD, optimistic concurrency, change log and undo.

Every public write is one transaction (`BEGIN IMMEDIATE`) that changes the row and
appends its entry to the change log together, so the log never disagrees with the data.
Rows are read and written with sqlite-utils (`get`, `rows_where`, `insert`, `update`,
`delete`) inside those transactions, where each of its writes is a savepoint; SQL is
written here only for what it has no call for (the session list's counts, the next ids).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from workshop import models as m
from workshop.errors import DamagedData, DuplicateName, NotFound, StaleEdit, ValidationFailed
from workshop.models import Record, Session, SessionRecord
from workshop.storage.database import Database, storage_error
from workshop.text import terminal_safe

R = TypeVar("R", bound=Record)
S = TypeVar("S", bound=SessionRecord)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time in UTC, to the second (what the change log records)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Change:
    """One entry of the append-only change log."""

    id: int
    session_id: int
    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    summary: str
    who: str
    at: dt.datetime
    undoes: int | None
    cause: int | None = None
    """The delete this entry is a consequence of (a row that referred to the deleted one)."""


@dataclass(frozen=True)
class SessionSummary:
    """A session as the session list shows it, with its counts."""

    session: Session
    agreed_terms: int
    terms: int
    open_actions: int
    actions: int
    problems: tuple[str, ...] = ()
    """Why the stored session row is damaged, one line per field (empty when it is sound)."""
    damaged: frozenset[str] = frozenset()
    """The fields that could not be read: `session` holds their defaults instead."""


def to_row(record: Record) -> dict[str, Any]:
    """The columns stored for `record`: JSON-mode values, lists as JSON text, derived keys added."""
    row = record.model_dump(mode="json")
    for key, value in row.items():
        if isinstance(value, list):
            row[key] = json.dumps(value)
    if isinstance(record, m.Term):
        row["name_key"] = record.clean_name
    return row


def from_row(kind: type[R], row: dict[str, Any]) -> R:
    """Rebuild a model from a stored row, ignoring derived columns.

    A row that fails validation (edited outside the app) raises DamagedData naming the
    table, the row and each bad field.
    """
    try:
        return _validate(kind, row)
    except ValidationError as error:
        raise damaged(row_problems(kind, row, error)) from None


def _validate(kind: type[R], row: dict[str, Any]) -> R:
    fields = kind.model_fields
    return kind.model_validate({k: v for k, v in row.items() if k in fields})


MAX_SHOWN_PROBLEMS = 10
"""How many damaged fields a message lists before '… and N more'."""


def row_problems(kind: type[Record], row: dict[str, Any], error: ValidationError) -> list[str]:
    """One line per bad field: 'table sessions, row 3, field date: must be … (got 'x')'."""
    lines = []
    for item, problem in zip(error.errors(), m.describe_validation_error(error), strict=True):
        if "(got " not in problem and "input" in item:
            shown = repr(item["input"])
            problem += f" (got {shown if len(shown) <= 40 else shown[:37] + '...'})"
        lines.append(terminal_safe(f"table {kind.table}, row {row.get('id')}, field {problem}"))
    return lines


def damaged(problems: list[str]) -> DamagedData:
    """The error for stored rows with `problems`: one line for one, else a headline and the
    first few, one indented line each (the form of a session file's problems)."""
    count = len(problems)
    values, them = ("values", "them") if count != 1 else ("value", "it")
    headline = (
        f"The database holds {count} damaged {values} (edited outside the app?); correct "
        f"or remove {them} with sqlite-utils, or use a copy from before:"
    )
    if count == 1:
        return DamagedData(f"{headline} {problems[0]}", problems)
    shown = [f"  {problem}" for problem in problems[:MAX_SHOWN_PROBLEMS]]
    if count > MAX_SHOWN_PROBLEMS:
        shown.append(f"  … and {count - MAX_SHOWN_PROBLEMS} more")
    return DamagedData("\n".join([headline, *shown]), problems)


class Store:
    """The workshop database as typed operations; the only place that writes to it for the app."""

    def __init__(
        self, path: Path | str, *, clock: Clock = utc_now, who: str = "", copy_hint: str = ""
    ) -> None:
        """Open the database at `path` (created on first use); `who` is recorded in the log.

        `copy_hint` says how to save a copy if the file is deleted or replaced while open.
        """
        self.database = Database(path, copy_hint=copy_hint)
        self.clock = clock
        self.who = who
        self._references: dict[str, list[tuple[str, str, str]]] | None = None
        self._one_undo: list[int] | None = None
        """While a `transaction(one_undo=True)` runs: the id of its first log entry, once logged."""

    @property
    def path(self) -> Path:
        """Where the database lives."""
        return self.database.path

    def close(self) -> None:
        """Close the file; every change is already durable."""
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, one_undo: bool = False) -> Iterator[None]:
        """Group several writes into one all-or-nothing transaction.

        With `one_undo` they are also one step of undo (a disputed term and the action item
        it opened): every entry logged after the first is logged with `cause` pointing at it.
        """
        with self.database.transaction():
            if not one_undo or self._one_undo is not None:  # an outer group already holds them
                yield
                return
            self._one_undo = []
            try:
                yield
            finally:
                self._one_undo = None

    # -- reading ---------------------------------------------------------------------------

    def get(self, kind: type[R], row_id: int) -> R:
        """The row of `kind` with `row_id`, or NotFound."""
        row = None
        if _SQLITE_MIN_INT <= row_id <= _SQLITE_MAX_INT:  # SQLite cannot even look a larger one up
            row = self.database.row(kind.table, row_id)
        if row is None:
            raise NotFound(f"{kind.label} #{row_id} does not exist (it may have been deleted).")
        return from_row(kind, row)

    def rows(
        self, kind: type[S], session_id: int, *, where: str = "", params: tuple[Any, ...] = ()
    ) -> list[S]:
        """Every row of `kind` in a session, in a stable order (position, then id)."""
        order = "position, id" if "position" in kind.model_fields else "id"
        clause = f" AND ({where})" if where else ""
        rows = self.database.rows_where(
            kind.table, f"session_id = ?{clause}", (session_id, *params), order_by=order
        )
        return all_valid(kind, rows)

    def get_session(self, session_id: int) -> Session:
        """The session with `session_id`, or NotFound with a plain message."""
        try:
            return self.get(Session, session_id)
        except NotFound:
            raise NotFound(f"There is no session {session_id} in {self.path}.") from None

    def sessions(self) -> list[SessionSummary]:
        """Every session with its counts, newest workshop first."""
        rows = self.database.query(
            """
            SELECT s.*,
              (SELECT count(*) FROM terms t WHERE t.session_id = s.id AND t.status = 'agreed')
                AS agreed_terms,
              (SELECT count(*) FROM terms t WHERE t.session_id = s.id) AS term_count,
              (SELECT count(*) FROM action_items a WHERE a.session_id = s.id
                 AND a.status != 'done') AS open_actions,
              (SELECT count(*) FROM action_items a WHERE a.session_id = s.id) AS action_count
            FROM sessions s ORDER BY s.date DESC, s.id DESC
            """
        )
        return [_summary(row) for row in rows]

    def save_copy(self, target: Path | str) -> Path:
        """Write a complete copy of the database to `target` (which must not exist); see Database.

        Every change saved so far is in it, even if the open file was deleted or replaced.
        """
        return self.database.save_copy(target)

    # -- writing ---------------------------------------------------------------------------

    def create_session(self, session: Session) -> Session:
        """Save a new session and return it with its id."""
        with self.database.transaction():
            row = to_row(session)
            row.pop("id")
            row["version"] = 1
            new_id = self._insert(Session.table, row)
            created = session.model_copy(update={"id": new_id, "version": 1})
            self._log(new_id, created, "create", None, to_row(created))
        return created

    def add(self, record: S, session_id: int | None = None) -> S:
        """Save a new row in a session and return it with its id and timestamps."""
        target = session_id if session_id is not None else record.session_id
        if target is None:
            raise ValidationFailed(f"{record.describe()} must belong to a session.")
        now = self.clock()
        update = {"session_id": target, "id": None, "version": 1, **_timestamps(record, now)}
        record = record.model_copy(update=update)
        with self.database.transaction():
            self._check_rules(record)
            row = to_row(record)
            row.pop("id")
            new_id = self._insert(record.table, row)
            created = record.model_copy(update={"id": new_id})
            self._log(target, created, "create", None, to_row(created))
        return created

    def update(self, record: R) -> R:
        """Save an edit of `record`; refused with StaleEdit if the row changed since it was read."""
        if record.id is None:
            raise ValidationFailed(f"{record.describe()} has not been saved yet.")
        row_id = record.id
        record = self._stamp(record)
        with self.database.transaction():
            before = self._current_row(type(record), row_id, record.version)
            if isinstance(record, SessionRecord):
                # A row never changes session: its references and its log belong to that one.
                if record.session_id is None:
                    record = record.model_copy(update={"session_id": before["session_id"]})
                elif record.session_id != before["session_id"]:
                    raise ValidationFailed(f"{record.describe()} cannot move to another session.")
            self._check_rules(record)
            saved = record.model_copy(update={"version": record.version + 1})
            row = to_row(saved)
            try:
                self.database.table(record.table).update(row_id, _without_id(row))
            except OverflowError:
                raise ValidationFailed(_TOO_LARGE) from None
            self._log(self._session_of(saved), saved, "update", before, row)
        return saved

    def delete(self, record: Record) -> None:
        """Delete `record`; refused with StaleEdit if it changed since it was read."""
        if record.id is None:
            raise ValidationFailed(f"{record.describe()} has not been saved yet.")
        with self.database.transaction():
            before = self._current_row(type(record), record.id, record.version)
            if not isinstance(record, Session):  # a session's log goes with it
                session_id = self._session_of(record)
                cause = self._log(session_id, record, "delete", before, None)
                self._detach_dependents(record.table, record.id, session_id, cause)
            self.database.table(record.table).delete(record.id)

    def _detach_dependents(self, table: str, row_id: int, session_id: int, cause: int) -> None:
        """Apply the schema's ON DELETE rules to rows referring to a row about to be deleted.

        Left to SQLite they would change rows silently: undo could not bring back a KPI's
        readings or an action's owner, and a stale copy of such a row would not be refused.
        Done here, each effect bumps the row's version and is logged with `cause`.
        """
        for child_table, column, on_delete in self._references_to(table):
            kind = m.MODELS_BY_TABLE[child_table]
            children = self.database.table(child_table)
            for child in list(children.rows_where(f'"{column}" = ?', (row_id,), order_by="id")):
                if on_delete == "CASCADE":
                    self._detach_dependents(child_table, child["id"], session_id, cause)
                    children.delete(child["id"])
                    record = from_row(kind, child)
                    self._log(session_id, record, "delete", child, None, cause=cause)
                elif on_delete == "SET NULL":
                    after = {**child, column: None, "version": child["version"] + 1}
                    children.update(child["id"], {column: None, "version": after["version"]})
                    record = from_row(kind, after)
                    self._log(session_id, record, "update", child, after, cause=cause)

    def _references_to(self, table: str) -> list[tuple[str, str, str]]:
        """(table, column, ON DELETE action) of every reference to `table`, read from the schema."""
        if self._references is None:
            found: dict[str, list[tuple[str, str, str]]] = {}
            for child_table in m.MODELS_BY_TABLE:
                for key in self.database.table(child_table).foreign_keys:
                    found.setdefault(key.other_table, []).append(
                        (child_table, str(key.column), key.on_delete.upper())
                    )
            self._references = found
        return self._references.get(table, [])

    def _stamp(self, record: R) -> R:
        if not isinstance(record, m.ActionItem):
            return record
        now = self.clock()
        update: dict[str, Any] = {"updated_at": now}
        if record.status is m.ActionStatus.DONE and record.done_at is None:
            update["done_at"] = now
        elif record.status is not m.ActionStatus.DONE:
            update["done_at"] = None
        return record.model_copy(update=update)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert `row` into `table` (inside a transaction) and return its id."""
        try:
            inserted = self.database.table(table).insert(row)
        except sqlite3.IntegrityError as error:
            raise ValidationFailed(_integrity_message(table, error)) from None
        except OverflowError:
            raise ValidationFailed(_TOO_LARGE) from None
        assert inserted.last_rowid is not None  # `id` is the rowid
        return inserted.last_rowid

    def _current_row(self, kind: type[Record], row_id: int, version: int) -> dict[str, Any]:
        row = self.database.row(kind.table, row_id)
        if row is None:
            raise StaleEdit(
                f"{kind.label} #{row_id} was deleted elsewhere; your edit was not saved."
            )
        if row["version"] != version:
            current = from_row(kind, row)
            raise StaleEdit(
                f"{current.describe()} was changed elsewhere since you opened it; "
                "reload to see the latest version (your edit was not saved)."
            )
        return row

    def _session_of(self, record: Record) -> int:
        session_id = (
            record.id if isinstance(record, Session) else getattr(record, "session_id", None)
        )
        assert session_id is not None
        return int(session_id)

    def _check_rules(self, record: Record) -> None:
        """Rules that need the database: unique term names, references within the session."""
        if isinstance(record, m.Term):
            clash = self.database.rows_where(
                m.Term.table,
                "session_id = ? AND name_key = ? AND id IS NOT ?",
                (record.session_id, record.clean_name, record.id),
                select="name",
                limit=1,
            )
            if clash:
                raise DuplicateName(
                    f"A term named '{clash[0]['name']}' already exists in this session."
                )
        if isinstance(record, SessionRecord):
            for field, table in m.REFERENCES.items():
                ref = getattr(record, field, None)
                if ref is None:
                    continue
                found = self.database.rows_where(
                    table, "id = ? AND session_id = ?", (ref, record.session_id), select="1"
                )
                if not found:
                    label = m.MODELS_BY_TABLE[table].label
                    raise ValidationFailed(f"{field}: {label} #{ref} is not part of this session.")

    def _log(
        self,
        session_id: int,
        record: Record,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        undoes: int | None = None,
        cause: int | None = None,
        summary: str | None = None,
    ) -> int:
        assert record.id is not None
        group = self._one_undo
        if group and cause is None and undoes is None:
            cause = group[0]
        entry = {
            "session_id": session_id,
            "entity": record.table,
            "entity_id": record.id,
            "action": action,
            "before": json.dumps(before, sort_keys=True) if before is not None else None,
            "after": json.dumps(after, sort_keys=True) if after is not None else None,
            "summary": summary if summary is not None else f"{action} {record.describe()}",
            "who": self.who,
            "at": self.clock().isoformat(),
            "undoes": undoes,
            "cause": cause,
        }
        logged = self.database.table("changes").insert(entry).last_rowid
        assert logged is not None  # `id` is the rowid
        if group is not None and not group:
            group.append(logged)
        return logged

    # -- change log and undo -----------------------------------------------------------------

    def changes(self, session_id: int, *, since: dt.datetime | None = None) -> list[Change]:
        """The session's change log, oldest first, optionally only entries at or after `since`."""
        where = "session_id = ?"
        params: tuple[Any, ...] = (session_id,)
        if since is not None:
            where += " AND at >= ?"
            params += (since.isoformat(),)
        rows = self.database.rows_where("changes", where, params, order_by="id")
        return [_change(row) for row in rows]

    def undo(self, session_id: int) -> Change | None:
        """Undo the session's latest edit not yet undone; returns it, or None if none is left.

        Bookkeeping is never what is undone: the records of how the workshop ran
        (`NOT_UNDONE`) and updates that only move `BOOKKEEPING_FIELDS` (the step reached)
        are passed over, and stay as they are. What the edit caused is undone with it: what a
        delete cleared or removed, and the rest of a `transaction(one_undo=True)`. The undo
        is itself logged (action 'undo'). It is refused with StaleEdit if a row has changed
        since in a way the log does not explain (for instance by another program).
        """
        with self.database.transaction():
            target = self._last_edit(session_id)
            if target is not None:
                self._revert_with_caused(target, None)
        return target

    def caused_by(self, change_id: int) -> list[Change]:
        """The entries logged as caused by the entry `change_id`, newest first."""
        rows = self.database.rows_where("changes", "cause = ?", (change_id,), order_by="id DESC")
        return [_change(row) for row in rows]

    def _last_edit(self, session_id: int) -> Change | None:
        """The session's latest entry that undo would take back, or None (inside a transaction).

        Entries are read one at a time, newest first: usually the first one is the answer.
        """
        entries = self.database.table("changes").rows_where(
            "session_id = ? AND action != 'undo' AND cause IS NULL AND id NOT IN "
            "(SELECT undoes FROM changes WHERE session_id = ? AND undoes IS NOT NULL) "
            "AND NOT (entity = 'sessions' AND action = 'create') "
            f"AND entity NOT IN ({', '.join(repr(t) for t in NOT_UNDONE)})",
            (session_id, session_id),
            order_by="id DESC",
        )
        for row in entries:
            change = _change(row)
            if not _is_bookkeeping(change):
                return change
        return None

    def _revert_with_caused(self, change: Change, cause: int | None) -> int:
        """Revert `change` and every entry it caused, in the reverse of the order they happened.

        A delete's effects ran before the row itself went: the row comes back first, then
        what referred to it. The rest of a group ran after its first entry: it goes first.
        Every undo entry after the first is logged as caused by the first, whose id is returned.
        """
        caused = self.caused_by(change.id)
        first = cause
        if change.action == "delete":
            first = self._revert(change, cause=first)
        for effect in caused:
            logged = self._revert_with_caused(effect, first)
            first = logged if first is None else first
        if change.action != "delete":
            logged = self._revert(change, cause=first)
            first = logged if first is None else first
        assert first is not None
        return first

    def _revert(self, change: Change, *, cause: int | None = None) -> int:
        kind = m.MODELS_BY_TABLE[change.entity]
        table = self.database.table(kind.table)
        current = self.database.row(kind.table, change.entity_id)
        label = change.summary or change.entity
        if change.action in ("create", "update"):
            if current is None:
                raise StaleEdit(f"Cannot undo '{label}': it was deleted elsewhere since.")
            # Compare with the row's last logged version, not with `change.after`: changes
            # made after this one have all been undone already (or were bookkeeping, left as
            # they are), each raising the version.
            if current["version"] != self._logged_version(change):
                raise StaleEdit(f"Cannot undo '{label}': it was changed elsewhere since.")
        elif current is not None:
            raise StaleEdit(f"Cannot undo '{label}': a row with its id exists again.")
        if change.action == "create":
            table.delete(change.entity_id)
            restored = None
        elif change.action == "update":
            assert current is not None
            # Only what this change changed goes back: bookkeeping logged since stays.
            restored = {**current, **_changed_fields(change), "version": current["version"] + 1}
            table.update(change.entity_id, _without_id(restored))
        else:
            assert change.before is not None
            restored = dict(change.before)
            try:
                self._insert(kind.table, restored)
            except ValidationFailed:
                raise StaleEdit(f"Cannot undo '{label}': what it referred to is gone.") from None
        record = from_row(kind, restored or change.after or {})
        return self._log(
            change.session_id,
            record,
            "undo",
            change.after,
            restored,
            undoes=change.id,
            cause=cause,
            summary=f"undo: {change.summary}",
        )

    def _logged_version(self, change: Change) -> int | None:
        """The version the change log says the row of `change` has now (None: deleted)."""
        found = self.database.rows_where(
            "changes",
            "entity = ? AND entity_id = ? AND session_id = ?",
            (change.entity, change.entity_id, change.session_id),
            order_by="id DESC",
            select="after",
            limit=1,
        )
        after = json.loads(found[0]["after"]) if found and found[0]["after"] else None
        return int(after["version"]) if after else None

    # -- importing ---------------------------------------------------------------------------

    @staticmethod
    def unstorable(record: Record) -> str | None:
        """Why `record` cannot be stored as it is ('position: A whole number is too large to
        store …'), or None. SQLite holds whole numbers of at most 64 bits."""
        for field, value in record.__dict__.items():
            if type(value) is int and not _SQLITE_MIN_INT <= value <= _SQLITE_MAX_INT:
                return f"{field}: {_TOO_LARGE}"
        return None

    def import_session(self, session: Session, rows: dict[str, list[SessionRecord]]) -> Session:
        """Save a new session with all its rows in one short transaction: all of it, or nothing.

        `rows` maps tables to their new rows, parents before children, each table's rows in
        the order their new ids should follow. A row's `id` is its number within the import
        (None if nothing refers to it) and each reference (`owner_id`, `term_id`, …) holds
        such a number, so rows can refer only to rows of the same import. Every row gets its
        change-log entry, as if added one by one; action items keep their timestamps, or
        get the current time as `add` gives it.

        Rules that need no database (each field's value, unique term names) are the caller's
        to check first (a session file's document does); the schema still refuses a broken
        one, and then nothing is written. The rows and their log entries are prepared before
        the write lock is taken, for the ids the new rows will get; the transaction checks
        that those ids are still the next ones (else prepares again) and inserts each table's
        rows many to a statement (sqlite-utils' `insert_all`), so another program's save
        waits about as long as the inserts.
        """
        tables = [Session.table, *rows]
        plan = self._import_plan(session, rows, self._next_ids(tables))
        with self.database.transaction():
            next_ids = self._next_ids(tables)
            if next_ids != plan[0]:  # another program added rows meanwhile
                plan = self._import_plan(session, rows, next_ids)
            _, created, inserts, log = plan
            table = ""
            try:
                for table, columns, values in [*inserts, ("changes", _IMPORT_LOG, log)]:
                    if values:  # sqlite-utils' list form: the column names, then the rows
                        self.database.table(table).insert_all([columns, *values])
            except sqlite3.IntegrityError as error:
                raise ValidationFailed(_integrity_message(table, error)) from None
            except OverflowError:
                raise ValidationFailed(_TOO_LARGE) from None
        return created

    def _next_ids(self, tables: list[str]) -> dict[str, int]:
        """The id SQLite gives the next row of each table (one more than the largest)."""
        sql = " UNION ALL ".join(
            f"SELECT '{table}', coalesce(max(id), 0) + 1 FROM {table}" for table in tables
        )
        found = [tuple(row.values()) for row in self.database.query(sql)]
        return {str(table): int(str(next_id)) for table, next_id in found}

    def _import_plan(
        self, session: Session, rows: dict[str, list[SessionRecord]], next_ids: dict[str, int]
    ) -> tuple[
        dict[str, int],
        Session,
        list[tuple[str, list[str], list[tuple[Any, ...]]]],
        list[tuple[Any, ...]],
    ]:
        """What `import_session` writes with these next ids: the ids, the new session, each
        table's columns and rows, and the change-log entries (the columns `_IMPORT_LOG`)."""
        now = self.clock()
        session_id = next_ids[Session.table]
        created = session.model_copy(update={"id": session_id, "version": 1})
        inserts: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
        log: list[tuple[Any, ...]] = []
        self._plan_table(Session.table, [created], inserts, log, session_id, now)
        new_ids: dict[str, dict[int, int]] = {}
        for table, given in rows.items():
            base = next_ids[table]
            local: dict[int, int] = {}
            for position, record in enumerate(given):
                if record.id is None:
                    continue
                if record.id in local:
                    raise ValidationFailed(f"{table}: two rows share the import id {record.id}.")
                local[record.id] = base + position
            kind = m.MODELS_BY_TABLE[table]
            references = [(f, t) for f, t in m.REFERENCES.items() if f in kind.model_fields]
            copies: list[Record] = [
                record.model_copy(
                    update=self._imported_fields(
                        record, base + position, session_id, references, new_ids, now
                    )
                )
                for position, record in enumerate(given)
            ]
            new_ids[table] = local
            self._plan_table(table, copies, inserts, log, session_id, now)
        return next_ids, created, inserts, log

    def _plan_table(
        self,
        table: str,
        records: list[Record],
        inserts: list[tuple[str, list[str], list[tuple[Any, ...]]]],
        log: list[tuple[Any, ...]],
        session_id: int,
        now: dt.datetime,
    ) -> None:
        """Add the rows of `records` (saved as they are) to `inserts`, their entries to `log`."""
        if not records:
            return
        at = now.isoformat()
        stored = [to_row(record) for record in records]
        # Every row of a model dumps the same keys in the same order.
        inserts.append((table, list(stored[0]), [tuple(row.values()) for row in stored]))
        log.extend(
            (
                session_id,
                table,
                row["id"],
                "create",
                json.dumps(row, sort_keys=True),
                f"create {record.describe()}",
                self.who,
                at,
            )
            for record, row in zip(records, stored, strict=True)
        )

    @staticmethod
    def _imported_fields(
        record: SessionRecord,
        new_id: int,
        session_id: int,
        references: list[tuple[str, str]],
        new_ids: dict[str, dict[int, int]],
        now: dt.datetime,
    ) -> dict[str, Any]:
        """The fields an imported row gets: its new id, session and `references` (field, table)
        mapped to new ids; and, as `Store.add` gives them, version 1 and an action item's
        missing timestamps."""
        update: dict[str, Any] = {"id": new_id, "session_id": session_id, "version": 1}
        for field, table in references:
            ref = getattr(record, field)
            if ref is None:
                continue
            if ref not in new_ids.get(table, {}):
                label = m.MODELS_BY_TABLE[table].label
                raise ValidationFailed(f"{field}: {label} #{ref} is not part of this import.")
            update[field] = new_ids[table][ref]
        return update | _timestamps(record, now)


def _timestamps(record: Record, now: dt.datetime) -> dict[str, Any]:
    """What a new action item gets stamped with (created, updated, done); other rows: none."""
    if not isinstance(record, m.ActionItem):
        return {}
    stamps: dict[str, Any] = {
        "created_at": record.created_at or now,
        "updated_at": record.updated_at or now,
    }
    if record.status is m.ActionStatus.DONE and record.done_at is None:
        stamps["done_at"] = now
    return stamps


_SQLITE_MIN_INT, _SQLITE_MAX_INT = -(2**63), 2**63 - 1
_TOO_LARGE = f"A whole number is too large to store (at most {_SQLITE_MAX_INT:,})."
_IMPORT_LOG = ["session_id", "entity", "entity_id", "action", "after", "summary", "who", "at"]
"""The columns of an imported row's change-log entry (the others stay empty)."""

NOT_UNDONE = ("timeboxes", "gates", "reviews")
"""Records of how the workshop ran, not edits: ctrl+z skips them and undoes the last edit."""

BOOKKEEPING_FIELDS: dict[str, frozenset[str]] = {"sessions": frozenset({"step_reached"})}
"""Fields the app moves by itself, shown nowhere as an edit (the furthest step reached): an
update that changes only these is skipped by ctrl+z, like `NOT_UNDONE`, and kept by the undo
of an earlier edit of the same row."""

_ROW_KEEPING = frozenset({"id", "version"})


def _changed_fields(change: Change) -> dict[str, Any]:
    """The columns an update changed, with the values they had before it."""
    before, after = change.before or {}, change.after or {}
    return {
        column: value
        for column, value in before.items()
        if column not in _ROW_KEEPING and column in after and after[column] != value
    }


def _is_bookkeeping(change: Change) -> bool:
    """Whether `change` is an update of bookkeeping fields only (see BOOKKEEPING_FIELDS)."""
    fields = BOOKKEEPING_FIELDS.get(change.entity, frozenset())
    return bool(fields) and change.action == "update" and set(_changed_fields(change)) <= fields


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    """The columns an update of `row` sets: all but its primary key."""
    return {column: value for column, value in row.items() if column != "id"}


def all_valid(kind: type[R], rows: list[dict[str, Any]]) -> list[R]:
    """Every row as a model, or DamagedData listing every bad row (not only the first).

    The rows are validated as one list, about a third faster than one by one for thousands;
    only when that fails are they gone through one by one to name every bad row.
    """
    fields = kind.model_fields
    try:
        return _list_adapter(kind).validate_python(
            [{k: v for k, v in row.items() if k in fields} for row in rows]
        )
    except ValidationError:
        pass
    records, problems = [], []
    for row in rows:
        try:
            records.append(_validate(kind, row))
        except ValidationError as error:
            problems += row_problems(kind, row, error)
    if problems:
        raise damaged(problems)
    return records


@functools.cache
def _list_adapter(kind: type[R]) -> TypeAdapter[list[R]]:
    """The validator of a list of `kind`, built once."""
    return TypeAdapter(list[kind])  # type: ignore[valid-type]


def _summary(row: dict[str, Any]) -> SessionSummary:
    """A session list entry; a damaged session row is kept, its bad fields at their defaults."""
    counts = (
        int(row["agreed_terms"]),
        int(row["term_count"]),
        int(row["open_actions"]),
        int(row["action_count"]),
    )
    try:
        return SessionSummary(_validate(Session, row), *counts)
    except ValidationError as error:
        problems = tuple(row_problems(Session, row, error))
        bad = frozenset(str(item["loc"][0]) for item in error.errors() if item["loc"])
    readable = {k: v for k, v in row.items() if k in Session.model_fields and k not in bad}
    try:
        session = Session.model_validate({"title": "?", **readable})
    except ValidationError:  # the fields are only wrong together: keep the id alone
        session = Session(id=row["id"], title="?")
        bad = frozenset(Session.model_fields) - {"id"}
    return SessionSummary(session, *counts, problems=problems, damaged=bad)


def _change(row: dict[str, Any]) -> Change:
    return Change(
        id=row["id"],
        session_id=row["session_id"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        action=row["action"],
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None,
        summary=row["summary"],
        who=row["who"],
        at=dt.datetime.fromisoformat(row["at"]),
        undoes=row["undoes"],
        cause=row.get("cause"),
    )


def _integrity_message(table: str, error: sqlite3.IntegrityError) -> str:
    text = str(error)
    if "UNIQUE" in text and table == "terms":
        return "A term with that name already exists in this session."
    if "UNIQUE" in text and table == "revenue_goals":
        return "This session already has a revenue goal."
    if "FOREIGN KEY" in text:
        return "The row refers to something that does not exist."
    return f"The row breaks a rule of the database ({text})."


__all__ = ["Change", "SessionSummary", "Store", "storage_error", "utc_now"]
