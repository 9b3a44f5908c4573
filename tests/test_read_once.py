"""Read once: an export reads each table of the session once, and builds the rest from the rows.

The plan, its assessment and its Progress section used to read the session each on their
own (26 statements over 15 tables for the demo, 11 of them repeats); now one reader
(`workshop.storage.rows`) reads it and pure functions build the plan and the review from it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import sqlite_utils
from test_export_fixtures import TODAY, add_full_session

from workshop import models as m
from workshop.export import build_context, render
from workshop.resources import sample_session
from workshop.storage.session_file import import_json
from workshop.storage.store import Store

SESSION_TABLES = {
    "sessions", "participants", "statements", "answers", "terms", "stages", "revenue_goals",
    "action_items", "cadences", "kpis", "kpi_readings", "reviews", "review_notes", "gates",
    "timeboxes",
}  # fmt: skip
"""Every table that holds a session's rows (the change log is not part of a plan)."""
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+[\[\"`]?(\w+)", re.IGNORECASE)


def tables_read(statement: str) -> list[str]:
    """The tables a SQL statement reads from, as named after FROM or JOIN."""
    return _FROM.findall(statement)


def traced(store: Store, fmt: str) -> list[str]:
    """Every SQL statement the export of the demo session in `fmt` runs."""
    session = import_json(store, sample_session("demo").read_bytes())
    statements: list[str] = []
    store.database.conn.set_trace_callback(statements.append)
    try:
        render(store, session.id or 0, fmt, today=TODAY)
    finally:
        store.database.conn.set_trace_callback(None)
    return statements


@pytest.mark.parametrize("fmt", ["md", "csv", "ics"])
def test_exporting_the_demo_reads_each_table_once(store: Store, fmt: str) -> None:
    statements = traced(store, fmt)
    tables = Counter(table for statement in statements for table in tables_read(statement))
    assert {table for table, count in tables.items() if count > 1} == set()
    assert set(tables) == SESSION_TABLES  # the demo is reviewed: its Progress section is read
    assert len(statements) == len(SESSION_TABLES) == 15


def test_the_json_export_reads_the_session_row_once(store: Store) -> None:
    """The session file reads every table of the session; the session row itself once."""
    tables = Counter(table for s in traced(store, "json") for table in tables_read(s))
    assert tables["sessions"] == 1, tables


def test_the_demo_has_a_review_so_its_progress_is_read_with_the_rest(store: Store) -> None:
    session = import_json(store, sample_session("demo").read_bytes())
    context = build_context(store, session.id or 0, today=TODAY)
    assert context["progress"] is not None and context["progress"]["reviews"]


def test_an_item_valid_but_not_in_stored_form_is_planned_in_its_stored_form(
    store: Store,
) -> None:
    """A date typed by hand with spaces around it is a valid date: the plan prints it as the
    app stores it, in its month (not a month worked out from the spaces)."""
    session = add_full_session(store)
    assert session.id is not None
    item = store.add(m.ActionItem(title="Hand-edited", due="2027-03-04"), session.id)
    sqlite_utils.Database(store.path)["action_items"].update(item.id, {"due": " 2027-03-04 "})
    store.add(m.Review(date=TODAY, reviewer="Rita"), session.id)
    context = build_context(store, session.id, today=dt.date(2027, 3, 10))
    [planned] = [i for i in context["actions"]["all"] if i["title"] == "Hand-edited"]
    assert (planned["due"], planned["due_month"]) == ("2027-03-04", "2027-03")
    assert "March 2027" in [group["label"] for group in context["actions"]["by_month"]]
    [late] = [i for i in context["progress"]["overdue"] if i["title"] == "Hand-edited"]
    assert (late["due"], late["days_late"]) == ("2027-03-04", 6)
