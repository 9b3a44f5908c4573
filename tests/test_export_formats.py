"""CSV, ICS and JSON exports of the same session data, read back with their own parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from test_export_fixtures import HOSTILE, TODAY, add_full_session, add_hostile_session

from workshop import models as m
from workshop.export import render
from workshop.export.tabular import HEADER, defuse
from workshop.storage.store import Store


@pytest.fixture
def full(store: Store) -> int:
    session = add_full_session(store)
    assert session.id is not None
    return session.id


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_the_tracker_columns_and_one_row_per_item(store: Store, full: int) -> None:
    text = render(store, full, "csv", today=TODAY)
    assert text.startswith("Summary,Description,Assignee,Due Date,Priority,Status,Labels\r\n")
    rows = read_csv(text)
    assert [row["Summary"] for row in rows] == [
        "Agree the ICP",
        "Set up lead scoring",
        "Train SDRs on the MQL definition",
        "Joint campaign plan",
        "Write the hand-off SLA",
    ]
    scoring = rows[1]
    assert scoring == {
        "Summary": "Set up lead scoring",
        "Description": "Definition of done: signed by both teams.\n\nServes: Gap: Lead quality",
        "Assignee": "Mia Marketer",
        "Due Date": "2026-12-04",
        "Priority": "Critical",
        "Status": "In Progress",
        "Labels": "technology/tools marketing",
    }
    assert rows[4]["Assignee"] == "" and rows[4]["Due Date"] == ""


def test_csv_labels_have_no_spaces(store: Store, session: m.Session) -> None:
    assert session.id is not None
    store.add(
        m.ActionItem(title="Pods", category="cross-functional teams", team="sales"), session.id
    )
    (row,) = read_csv(render(store, session.id, "csv"))
    assert row["Labels"] == "cross-functional-teams sales"


def test_csv_round_trips_hostile_text_and_defuses_formulas(store: Store) -> None:
    session = add_hostile_session(store)
    assert session.id is not None
    store.add(
        m.ActionItem(title='=HYPERLINK("http://x")', description="+1", team="sales"), session.id
    )
    store.add(m.ActionItem(title="@SUM(A1)", description="-2 days"), session.id)
    text = render(store, session.id, "csv", today=TODAY)
    rows = read_csv(text)
    assert all(list(row) == list(HEADER) for row in rows)
    summaries = {row["Summary"] for row in rows}
    assert {defuse(item.title) for item in store.rows(m.ActionItem, session.id)} == summaries
    assert '\'=HYPERLINK("http://x")' in summaries
    assert "'@SUM(A1)" in summaries
    descriptions = {row["Description"].split("\n\nServes: ")[0] for row in rows}
    assert {"'+1", "'-2 days"} <= descriptions
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def parse_ics(text: str) -> Calendar:
    return Calendar.from_ical(text)


def test_ics_has_a_todo_per_dated_item(store: Store, full: int) -> None:
    calendar = parse_ics(render(store, full, "ics", today=TODAY))
    todos = {str(todo["UID"]): todo for todo in calendar.walk("VTODO")}
    assert len(todos) == 4  # the undated item has no to-do
    scoring = next(t for t in todos.values() if str(t["SUMMARY"]) == "Set up lead scoring")
    assert scoring.decoded("DUE") == dt.date(2026, 12, 4)
    assert str(scoring["STATUS"]) == "IN-PROCESS"
    assert int(scoring["PRIORITY"]) == 1
    assert "Serves: Gap: Lead quality" in str(scoring["DESCRIPTION"])
    assert scoring.decoded("DTSTAMP") == dt.datetime(2026, 11, 17, tzinfo=dt.UTC)
    statuses = {str(t["SUMMARY"]): str(t["STATUS"]) for t in todos.values()}
    assert statuses["Train SDRs on the MQL definition"] == "COMPLETED"
    assert statuses["Agree the ICP"] == "NEEDS-ACTION"
    assert all(uid.startswith("action-") and uid.endswith("@alignment-workshop") for uid in todos)


def test_ics_has_the_cadence_as_recurring_events(store: Store, full: int) -> None:
    calendar = parse_ics(render(store, full, "ics", today=TODAY))
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    weekly = events["Weekly pipeline review"]
    start = weekly.decoded("DTSTART")
    assert start == dt.datetime(2026, 11, 17, 9, 30)  # floating local time, on the workshop day
    assert start.weekday() == 1
    rule = weekly["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    assert weekly.decoded("DURATION") == dt.timedelta(minutes=30)
    monthly = events["Monthly scorecard"]
    assert monthly.decoded("DTSTART") == dt.datetime(2026, 12, 3, 15, 0)
    assert monthly["RRULE"]["FREQ"] == ["MONTHLY"]
    assert monthly["RRULE"]["BYDAY"] == ["1TH"]
    assert monthly.decoded("DURATION") == dt.timedelta(hours=1)


def test_fortnightly_and_explicit_starts(store: Store, session: m.Session) -> None:
    assert session.id is not None
    store.add(
        m.Cadence(name="Pods", frequency="fortnightly", weekday="fri", time="16:00",
                  starts="2026-12-01"),
        session.id,
    )  # fmt: skip
    store.add(
        m.Cadence(name="QBR prep", frequency="monthly", weekday="wed", starts="2026-12-30"),
        session.id,
    )
    calendar = parse_ics(render(store, session.id, "ics"))
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    pods = events["Pods"]
    assert pods.decoded("DTSTART") == dt.datetime(2026, 12, 4, 16, 0)
    assert pods["RRULE"]["INTERVAL"] == [2] and pods["RRULE"]["BYDAY"] == ["FR"]
    assert events["QBR prep"]["RRULE"]["BYDAY"] == ["-1WE"]  # the fifth Wednesday: the last
    assert events["QBR prep"].decoded("DTSTART") == dt.datetime(2026, 12, 30, 9, 0)


def test_ics_is_deterministic_and_keeps_hostile_text(store: Store) -> None:
    session = add_hostile_session(store)
    assert session.id is not None
    first = render(store, session.id, "ics", today=TODAY)
    assert render(store, session.id, "ics", today=dt.date(2030, 1, 1)) == first
    calendar = parse_ics(first)
    summaries = {str(todo["SUMMARY"]) for todo in calendar.walk("VTODO")}
    items = store.rows(m.ActionItem, session.id)
    assert {lf(item.title) for item in items if item.due} == summaries
    assert len(summaries) == len([text for i, text in enumerate(HOSTILE) if i % 5])
    names = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert names == {lf(cadence.name) for cadence in store.rows(m.Cadence, session.id)}
    assert "\r" not in first.replace("\r\n", "")


def lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_json_is_the_session_file(store: Store, full: int) -> None:
    from workshop.storage.session_file import export_json

    text = render(store, full, "json")
    assert text == export_json(store, full)
    assert json.loads(text)["session"]["title"] == "Q3 revenue alignment"


def _oracle_todo(item: dict[str, object], title: str) -> str:
    """What icalendar itself writes for the item's component (the fast writer's oracle)."""
    from icalendar import Todo

    from workshop.export.ics import _todo_values

    todo = Todo()
    for name, value in _todo_values(item, STAMP, title):
        todo.add(name, value)
    return str(todo.to_ical().decode("utf-8"))


STAMP = dt.datetime(2026, 11, 17, tzinfo=dt.UTC)


def _exported_items(store: Store, session_id: int) -> list[dict[str, object]]:
    from workshop.export import build_context

    context = build_context(store, session_id, today=TODAY, tables=False)
    return [item for item in context["actions"]["all"] if item["due"]]


@pytest.mark.parametrize("which", ["full", "hostile"])
def test_ics_todos_are_byte_for_byte_what_icalendar_writes(store: Store, which: str) -> None:
    from workshop.export.ics import _todo_text

    session = add_full_session(store) if which == "full" else add_hostile_session(store)
    assert session.id is not None
    items = _exported_items(store, session.id)
    assert items and any(item["status"] == "done" for item in items)
    for item in items:
        assert _todo_text(item, STAMP, session.title) == _oracle_todo(item, session.title)


FOLD_TEXT = st.lists(
    st.sampled_from(["a", " ", ",", ";", "\\", "\n", "é", "€", "🚀", "\u202e", "x" * 20]),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(title=FOLD_TEXT, description=FOLD_TEXT, owner=FOLD_TEXT, done=st.booleans())
def test_ics_fast_writer_folds_and_escapes_as_icalendar(
    title: str, description: str, owner: str, done: bool
) -> None:
    """Long lines, multi-byte characters at the fold, escapes at the fold: all as icalendar."""
    from workshop.export.ics import _todo_text

    item: dict[str, object] = {
        "id": 7,
        "title": title,
        "description": description,
        "owner": owner,
        "serves": [owner, title] if owner else [],
        "due": "2026-12-01",
        "status": "done" if done else "blocked",
        "priority": "high",
        "category": "content",
        "team": "sales",
        "done_at": "2026-11-20T10:30:00+02:00" if done else None,
    }
    assert _todo_text(item, STAMP, title) == _oracle_todo(item, title)
