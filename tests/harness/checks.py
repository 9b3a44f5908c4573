"""What the crash harness checks after a kill: the child's report, the rows, the log, the file.

The child reports each save as effects (`put` a row, `add` one, `delete` one, `export`
a plan); the parent replays the acknowledged ones on what it knew before the run and
compares the result with the rows in the file, column by column.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .crash_child import COMPARED

Key = tuple[str, int]
State = dict[Key, dict[str, Any]]


def parse(output: str) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]] | None, int, str]:
    """Acknowledged effects in order, the effects of the save in flight, refusals, crash text."""
    acked: list[list[dict[str, Any]]] = []
    pending: list[dict[str, Any]] | None = None
    refused, crash = 0, ""
    complete = output.split("\n")[:-1]  # a line cut by the kill was never acknowledged
    for line in complete:
        kind, _, body = line.partition(" ")
        if kind == "I":
            pending = json.loads(body)["effects"]
        elif kind == "A":
            acked.append(json.loads(body)["effects"])
            pending = None
        elif kind == "R":
            refused += 1
            pending = None
        elif kind == "CRASH":
            crash = line
    return acked, pending, refused, crash


def apply(state: State, effects: list[dict[str, Any]], new_ids: list[int] | None = None) -> State:
    """`state` after `effects`, with the schema's ON DELETE SET NULL rules applied by hand."""
    after = {key: dict(row) for key, row in state.items()}
    added = iter(new_ids or [])
    for effect in effects:
        op = effect["op"]
        if op == "put":
            after[(effect["table"], effect["id"])] = dict(effect["row"])
        elif op == "add":
            after[(effect["table"], next(added))] = dict(effect["row"])
        elif op == "delete":
            table, row_id = effect["table"], effect["id"]
            del after[(table, row_id)]
            column = {"participants": "owner_id", "terms": "term_id"}.get(table)
            for (other, _), row in after.items():
                if column and other == "action_items" and row[column] == row_id:
                    row[column] = None
                    row["version"] += 1
    return after


def read_state(conn: sqlite3.Connection, session_id: int) -> State:
    """The compared columns of every row of the session, as the parent expects them."""
    state: State = {}
    for table, columns in COMPARED.items():
        names = ", ".join(f'"{c}"' for c in ("id", *columns))
        query = f"SELECT {names} FROM {table} WHERE session_id = ?"
        for values in conn.execute(query, (session_id,)):
            state[(table, values[0])] = dict(zip(columns, values[1:], strict=True))
    return state


def differences(expected: State, found: State) -> str:
    """A short description of how two states differ, for a failure message."""
    lines = []
    for key in sorted(set(expected) | set(found)):
        if expected.get(key) != found.get(key):
            lines.append(f"{key}: expected {expected.get(key)}, found {found.get(key)}")
    return "; ".join(lines[:4]) + (f" (+{len(lines) - 4} more)" if len(lines) > 4 else "")


def log_disagreements(conn: sqlite3.Connection, session_id: int, state: State) -> list[str]:
    """Rows whose latest change-log entry does not describe them (the log and data disagree)."""
    latest = {
        (entity, entity_id): (action, json.loads(after) if after else None)
        for entity, entity_id, action, after in conn.execute(
            "SELECT entity, entity_id, action, after FROM changes WHERE id IN "
            "(SELECT max(id) FROM changes WHERE session_id = ? GROUP BY entity, entity_id)",
            (session_id,),
        )
        if entity in COMPARED
    }
    problems = []
    for key, (action, after) in latest.items():
        row = state.get(key)
        if action == "delete" and row is not None:
            problems.append(f"{key} is logged as deleted but is still there")
        elif action != "delete" and (row or {}).get("version") != (after or {}).get("version", -1):
            problems.append(f"{key}: the log says {after and after.get('version')}, row has {row}")
    problems += [f"{key} has no change-log entry" for key in state if key not in latest]
    return problems


def check_file(path: Path) -> tuple[sqlite3.Connection | None, list[str]]:
    """Open `path` as a later run would and run SQLite's own checks."""
    conn = sqlite3.connect(path, isolation_level=None)
    problems = []
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:3]}")
    dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        problems.append(f"foreign_key_check: {dangling[:3]}")
    return conn, problems


def schema_of(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """The (type, name) pairs of a file's schema, with the columns of `changes`."""
    objects = set(conn.execute("SELECT type, name FROM sqlite_master"))
    columns = {("column", row[1]) for row in conn.execute("PRAGMA table_info(changes)")}
    return objects | columns
