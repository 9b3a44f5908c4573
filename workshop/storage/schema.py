"""The database schema: ordered forward migrations (`PRAGMA user_version`), and the newest
schema declared as data for sqlite-utils to build a new file in one step.

A file of an older version goes through each migration it has not had; each is plain SQL,
so the file stays readable by `sqlite-utils` and Datasette. A new file gets `TABLES` and
`INDEXES` from sqlite-utils (`create_newest`), and a test proves that equals what the
migrations build. Amounts and percentages are TEXT holding exact decimals; dates are
ISO-8601 TEXT. Never edit a migration that has shipped: add a new one, and change `TABLES`
to match.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = 0x414C5753
"""`PRAGMA application_id` of a workshop database ('ALWS'), set by the first migration."""

_V1_TABLES = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    title TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    facilitator TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL,
    step_reached INTEGER NOT NULL DEFAULT 1,
    annual_revenue TEXT,
    currency TEXT NOT NULL DEFAULT 'USD',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    team TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT ''
);
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    key TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    polarity TEXT NOT NULL,
    theme TEXT NOT NULL DEFAULT ''
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    team TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5)
);
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '',
    entry_criteria TEXT NOT NULL DEFAULT '',
    exit_criteria TEXT NOT NULL DEFAULT '',
    example TEXT NOT NULL DEFAULT '',
    sales_signoff_by TEXT,
    sales_signoff_at TEXT,
    marketing_signoff_by TEXT,
    marketing_signoff_at TEXT,
    disputed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'proposed',
    UNIQUE (session_id, name_key)
);
CREATE TABLE revenue_goals (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    months INTEGER NOT NULL,
    target TEXT NOT NULL,
    average_deal_size TEXT NOT NULL,
    marketing_share TEXT NOT NULL,
    model TEXT NOT NULL
);
CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    owner_team TEXT,
    term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
    conversion TEXT,
    exit_criteria TEXT NOT NULL DEFAULT '',
    sla TEXT NOT NULL DEFAULT '',
    is_won INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    team TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    due TEXT,
    status TEXT NOT NULL,
    term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
    stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL,
    statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
    created_at TEXT,
    updated_at TEXT,
    done_at TEXT
);
CREATE TABLE cadences (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    frequency TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    attendees TEXT NOT NULL DEFAULT '[]',
    starts TEXT
);
CREATE TABLE kpis (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    baseline TEXT,
    target TEXT,
    direction TEXT NOT NULL
);
CREATE TABLE kpi_readings (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    kpi_id INTEGER NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    reviewer TEXT NOT NULL DEFAULT ''
);
CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    action_item_id INTEGER REFERENCES action_items(id) ON DELETE SET NULL
);
CREATE TABLE gates (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    reason TEXT NOT NULL,
    continued INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE timeboxes (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    planned_minutes INTEGER NOT NULL,
    actual_seconds INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, step)
);
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'undo')),
    before TEXT,
    after TEXT,
    summary TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    undoes INTEGER REFERENCES changes(id)
);
CREATE INDEX idx_changes_session ON changes (session_id, id);
CREATE INDEX idx_action_items_session ON action_items (session_id);
CREATE INDEX idx_terms_session ON terms (session_id);
CREATE INDEX idx_participants_session ON participants (session_id);
CREATE INDEX idx_answers_statement ON answers (statement_id);
CREATE INDEX idx_stages_session ON stages (session_id, position);
"""

_APPEND_ONLY = """
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
WHEN EXISTS (SELECT 1 FROM sessions WHERE id = OLD.session_id)
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
"""

_V1 = _V1_TABLES + _APPEND_ONLY.removeprefix("\n")

# Full-text search over the words people typed, kept in sync by triggers.
_SEARCHED = {
    "terms": (
        "name",
        "definition || ' ' || entry_criteria || ' ' || exit_criteria || ' ' || example",
    ),
    "action_items": ("title", "description"),
    "review_notes": ("''", "text"),
}
_SEARCHED_COLUMNS = (
    "definition",
    "entry_criteria",
    "exit_criteria",
    "example",
    "description",
    "text",
)

_SEARCH_INDEX = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "title, body, entity UNINDEXED, entity_id UNINDEXED, session_id UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2');"
)


def _search_triggers() -> str:
    parts = [_SEARCH_INDEX]
    for table, (title, body) in _SEARCHED.items():
        new_title = title.replace("name", "NEW.name").replace("title", "NEW.title")
        new_body = body
        for column in _SEARCHED_COLUMNS:
            new_body = new_body.replace(column, f"NEW.{column}")
        insert = (
            "INSERT INTO search_index (title, body, entity, entity_id, session_id) "
            f"VALUES ({new_title}, {new_body}, '{table}', NEW.id, NEW.session_id);"
        )
        delete = f"DELETE FROM search_index WHERE entity = '{table}' AND entity_id = OLD.id;"
        parts.append(
            f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN {insert} END;"
        )
        parts.append(
            f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN {delete} END;"
        )
        parts.append(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END;"
        )
        parts.append(
            "INSERT INTO search_index (title, body, entity, entity_id, session_id) "
            f"SELECT {title}, {body}, '{table}', id, session_id FROM {table};"
        )
    return "\n".join(parts)


# A delete also clears or removes the rows that referred to the deleted one (ON DELETE);
# the store logs each of those effects with `cause` pointing at the delete, so one undo
# puts the whole delete back.
_CAUSE_INDEX = "CREATE INDEX idx_changes_cause ON changes (cause) WHERE cause IS NOT NULL;"
_V3 = f"""
ALTER TABLE changes ADD COLUMN cause INTEGER REFERENCES changes(id);
{_CAUSE_INDEX}
CREATE INDEX idx_changes_entity ON changes (entity, entity_id, id);
"""

# Version 4: search rows are keyed by a rowid derived from the record (id * 4 + kind), so a
# save deletes its old search row by rowid instead of scanning the whole index (the
# unindexed entity/entity_id columns made every save slower as the file grew).
_KIND_CODE = {"terms": 1, "action_items": 2, "review_notes": 3}


def _rowid_triggers(table: str) -> list[str]:
    """The triggers that keep the search rows of `table` up to date (since version 4)."""
    title, body = _SEARCHED[table]
    code = _KIND_CODE[table]
    new_title, new_body = title, body
    for column in ("name", "title"):
        new_title = new_title.replace(column, f"NEW.{column}")
    for column in _SEARCHED_COLUMNS:
        new_body = new_body.replace(column, f"NEW.{column}")
    insert = (
        "INSERT INTO search_index (rowid, title, body, entity, entity_id, session_id) "
        f"VALUES (NEW.id * 4 + {code}, {new_title}, {new_body}, '{table}', NEW.id, "
        "NEW.session_id);"
    )
    delete = f"DELETE FROM search_index WHERE rowid = OLD.id * 4 + {code};"
    return [
        f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN {insert} END;",
        f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN {delete} END;",
        f"CREATE TRIGGER {table}_search_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END;",
    ]


def _search_by_rowid() -> str:
    parts = []
    for table in _SEARCHED:
        for suffix in ("ai", "ad", "au"):
            parts.append(f"DROP TRIGGER {table}_search_{suffix};")
        parts.extend(_rowid_triggers(table))
    parts.append("DELETE FROM search_index;")
    for table, (title, body) in _SEARCHED.items():
        parts.append(
            "INSERT INTO search_index (rowid, title, body, entity, entity_id, session_id) "
            f"SELECT id * 4 + {_KIND_CODE[table]}, {title}, {body}, '{table}', id, session_id "
            f"FROM {table};"
        )
    return "\n".join(parts)


# Version 5: when both teams' scores of the blind round were revealed to the room (NULL while
# the round is blind), so a reopened session shows the room what it has already seen.
_V5 = """
ALTER TABLE sessions ADD COLUMN revealed_at TEXT;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _search_triggers(), _V3, _search_by_rowid(), _V5)
"""Migration N (1-based) brings a file from `user_version` N-1 to N."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The newest schema this version of the library reads and writes."""


# -- The newest schema in one step, for a new file --------------------------------------------
# A new file gets the tables from sqlite-utils, declared here as data; `tests/
# test_storage_sqlite_utils.py` proves the result equals what the migrations above build.


@dataclass(frozen=True)
class Column:
    """One column as sqlite-utils creates it (see `text` and `integer`)."""

    type: type[int] | type[str]
    not_null: bool
    default: int | str | None = None
    references: str | None = None
    """The table whose `id` this column refers to."""
    on_delete: str = "NO ACTION"
    check: str | None = None


def text(default: str | None = None, *, null: bool = False) -> Column:
    """A TEXT column: NOT NULL unless `null`, with `default` if given."""
    return Column(str, not null, default)


def integer(
    default: int | None = None,
    *,
    null: bool = False,
    references: str | None = None,
    on_delete: str = "NO ACTION",
    check: str | None = None,
) -> Column:
    """An INTEGER column: NOT NULL unless `null`, optionally referring to another table's id."""
    return Column(int, not null, default, references, on_delete, check)


@dataclass(frozen=True)
class TableSpec:
    """A table after its `id INTEGER PRIMARY KEY`: its other columns in order, and its UNIQUE
    column sets."""

    columns: dict[str, Column]
    unique: tuple[tuple[str, ...], ...] = ()


def _in_session(
    columns: dict[str, Column], *, unique: tuple[tuple[str, ...], ...] = ()
) -> TableSpec:
    """A table of rows that belong to a session: version and session columns first."""
    owner = integer(references="sessions", on_delete="CASCADE")
    return TableSpec({"version": integer(1), "session_id": owner, **columns}, unique)


def _optional(table: str, on_delete: str) -> Column:
    return integer(null=True, references=table, on_delete=on_delete)


TABLES: dict[str, TableSpec] = {
    "sessions": TableSpec(
        {
            "version": integer(1),
            "title": text(),
            "organisation": text(""),
            "facilitator": text(""),
            "date": text(),
            "step_reached": integer(1),
            "annual_revenue": text(null=True),
            "currency": text("USD"),
            "notes": text(""),
            "revealed_at": text(null=True),
        }
    ),
    "participants": _in_session({"name": text(), "team": text(), "role": text("")}),
    "statements": _in_session(
        {
            "position": integer(0),
            "key": text(""),
            "text": text(),
            "polarity": text(),
            "theme": text(""),
        }
    ),
    "answers": _in_session(
        {
            "statement_id": integer(references="statements", on_delete="CASCADE"),
            "team": text(),
            "participant_id": _optional("participants", "CASCADE"),
            "score": integer(check="score BETWEEN 1 AND 5"),
        }
    ),
    "terms": _in_session(
        {
            "name": text(),
            "name_key": text(),
            "definition": text(""),
            "entry_criteria": text(""),
            "exit_criteria": text(""),
            "example": text(""),
            "sales_signoff_by": text(null=True),
            "sales_signoff_at": text(null=True),
            "marketing_signoff_by": text(null=True),
            "marketing_signoff_at": text(null=True),
            "disputed": integer(0),
            "status": text("proposed"),
        },
        unique=(("session_id", "name_key"),),
    ),
    "revenue_goals": _in_session(
        {
            "period": text(),
            "months": integer(),
            "target": text(),
            "average_deal_size": text(),
            "marketing_share": text(),
            "model": text(),
        },
        unique=(("session_id",),),
    ),
    "stages": _in_session(
        {
            "position": integer(0),
            "name": text(),
            "owner_team": text(null=True),
            "term_id": _optional("terms", "SET NULL"),
            "conversion": text(null=True),
            "exit_criteria": text(""),
            "sla": text(""),
            "is_won": integer(0),
        }
    ),
    "action_items": _in_session(
        {
            "title": text(),
            "description": text(""),
            "owner_id": _optional("participants", "SET NULL"),
            "team": text(),
            "category": text(),
            "priority": text(),
            "due": text(null=True),
            "status": text(),
            "term_id": _optional("terms", "SET NULL"),
            "stage_id": _optional("stages", "SET NULL"),
            "statement_id": _optional("statements", "SET NULL"),
            "created_at": text(null=True),
            "updated_at": text(null=True),
            "done_at": text(null=True),
        }
    ),
    "cadences": _in_session(
        {
            "name": text(),
            "frequency": text(),
            "weekday": integer(),
            "time": text(),
            "duration_minutes": integer(),
            "attendees": text("[]"),
            "starts": text(null=True),
        }
    ),
    "kpis": _in_session(
        {
            "name": text(),
            "unit": text(""),
            "baseline": text(null=True),
            "target": text(null=True),
            "direction": text(),
        }
    ),
    "kpi_readings": _in_session(
        {
            "kpi_id": integer(references="kpis", on_delete="CASCADE"),
            "value": text(),
            "date": text(),
            "note": text(""),
        }
    ),
    "reviews": _in_session({"date": text(), "reviewer": text("")}),
    "review_notes": _in_session(
        {
            "date": text(),
            "author": text(""),
            "text": text(),
            "action_item_id": _optional("action_items", "SET NULL"),
        }
    ),
    "gates": _in_session(
        {"step": integer(), "reason": text(), "continued": integer(), "at": text()}
    ),
    "timeboxes": _in_session(
        {"step": integer(), "planned_minutes": integer(), "actual_seconds": integer(0)},
        unique=(("session_id", "step"),),
    ),
    "changes": TableSpec(
        {
            "session_id": integer(references="sessions", on_delete="CASCADE"),
            "entity": text(),
            "entity_id": integer(),
            "action": Column(str, True, check="action IN ('create', 'update', 'delete', 'undo')"),
            "before": text(null=True),
            "after": text(null=True),
            "summary": text(""),
            "who": text(""),
            "at": text(),
            "undoes": _optional("changes", "NO ACTION"),
            "cause": _optional("changes", "NO ACTION"),
        }
    ),
}
"""Every table of the newest schema, parents before the tables that refer to them."""

INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "idx_changes_session": ("changes", ("session_id", "id")),
    "idx_action_items_session": ("action_items", ("session_id",)),
    "idx_terms_session": ("terms", ("session_id",)),
    "idx_participants_session": ("participants", ("session_id",)),
    "idx_answers_statement": ("answers", ("statement_id",)),
    "idx_stages_session": ("stages", ("session_id", "position")),
    "idx_changes_entity": ("changes", ("entity", "entity_id", "id")),
}
"""Every plain index of the newest schema: (table, columns) by name."""


def _without_sqlite_utils_api() -> list[str]:
    """What sqlite-utils has no call for: a partial index, triggers of our own, and the one
    search index over three tables (its `enable_fts` indexes one table's columns as they are)."""
    statements = [_CAUSE_INDEX, *split_sql(_APPEND_ONLY), _SEARCH_INDEX]
    for table in _SEARCHED:
        statements.extend(_rowid_triggers(table))
    return statements


def create_newest(db: sqlite_utils.Database) -> None:
    """Build the newest schema in an empty database: what all the migrations build, in one step.

    sqlite-utils' `create()` takes no CHECK or UNIQUE constraint, so each table's statement
    comes from `create_table_sql` with the constraints `transform` uses it to keep, and runs
    as `create()` runs it. Inside an open transaction it only adds to it.
    """
    from sqlite_utils.create_table_parser import Check, Unique, UniqueColumn
    from sqlite_utils.db import ForeignKey

    for name, table in TABLES.items():
        columns = table.columns.items()
        sql = db.create_table_sql(
            name,
            {"id": int} | {column: spec.type for column, spec in columns},
            pk="id",
            foreign_keys=[
                ForeignKey(name, column, spec.references, "id", on_delete=spec.on_delete)
                for column, spec in columns
                if spec.references
            ],
            not_null=[column for column, spec in columns if spec.not_null],
            defaults={c: spec.default for c, spec in columns if spec.default is not None},
            _checks=[Check(spec.check, column=c) for c, spec in columns if spec.check],
            _uniques=[
                Unique(tuple(UniqueColumn(column) for column in unique)) for unique in table.unique
            ],
        )
        db.execute(sql)
    for index, (table_name, indexed) in INDEXES.items():
        db.table(table_name).create_index(indexed, index_name=index)
    for statement in _without_sqlite_utils_api():
        db.execute(statement)


def split_sql(script: str) -> list[str]:
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
