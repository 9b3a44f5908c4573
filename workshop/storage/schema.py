"""The database schema as an ordered list of forward migrations (`PRAGMA user_version`).

Each migration is plain SQL so the file stays readable by `sqlite-utils` and Datasette.
Amounts and percentages are TEXT holding exact decimals; dates are ISO-8601 TEXT.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x414C5753
"""`PRAGMA application_id` of a workshop database ('ALWS'), set by the first migration."""

_V1 = """
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

# Full-text search over the words people typed, kept in sync by triggers.
_SEARCHED = {
    "terms": (
        "name",
        "definition || ' ' || entry_criteria || ' ' || exit_criteria || ' ' || example",
    ),
    "action_items": ("title", "description"),
    "review_notes": ("''", "text"),
}


def _search_triggers() -> str:
    parts = [
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, entity UNINDEXED, entity_id UNINDEXED, session_id UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2');"
    ]
    for table, (title, body) in _SEARCHED.items():
        new_title = title.replace("name", "NEW.name").replace("title", "NEW.title")
        new_body = body
        for column in (
            "definition",
            "entry_criteria",
            "exit_criteria",
            "example",
            "description",
            "text",
        ):
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
_V3 = """
ALTER TABLE changes ADD COLUMN cause INTEGER REFERENCES changes(id);
CREATE INDEX idx_changes_cause ON changes (cause) WHERE cause IS NOT NULL;
CREATE INDEX idx_changes_entity ON changes (entity, entity_id, id);
"""

# Version 4: search rows are keyed by a rowid derived from the record (id * 4 + kind), so a
# save deletes its old search row by rowid instead of scanning the whole index (the
# unindexed entity/entity_id columns made every save slower as the file grew).
_KIND_CODE = {"terms": 1, "action_items": 2, "review_notes": 3}


def _search_by_rowid() -> str:
    parts = []
    for table, (title, body) in _SEARCHED.items():
        code = _KIND_CODE[table]
        new_title, new_body = title, body
        for column in ("name", "title"):
            new_title = new_title.replace(column, f"NEW.{column}")
        for column in (
            "definition",
            "entry_criteria",
            "exit_criteria",
            "example",
            "description",
            "text",
        ):
            new_body = new_body.replace(column, f"NEW.{column}")
        insert = (
            "INSERT INTO search_index (rowid, title, body, entity, entity_id, session_id) "
            f"VALUES (NEW.id * 4 + {code}, {new_title}, {new_body}, '{table}', NEW.id, "
            "NEW.session_id);"
        )
        delete = f"DELETE FROM search_index WHERE rowid = OLD.id * 4 + {code};"
        for suffix in ("ai", "ad", "au"):
            parts.append(f"DROP TRIGGER {table}_search_{suffix};")
        parts.append(
            f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN {insert} END;"
        )
        parts.append(
            f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN {delete} END;"
        )
        parts.append(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END;"
        )
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
