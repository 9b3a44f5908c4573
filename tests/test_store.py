"""Tests of the store: CRUD of every entity, concurrency, the change log and undo."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FROZEN_NOW, FakeClock
from workshop import models as m
from workshop.errors import DuplicateName, NotFound, StaleEdit, StorageError, ValidationFailed
from workshop.storage.store import Store

Builder = Callable[[Store, int], m.SessionRecord]


def add_participant(store: Store, session_id: int) -> m.Participant:
    return store.add(m.Participant(name="Sam", team=m.Team.SALES), session_id)


def add_statement(store: Store, session_id: int) -> m.Statement:
    return store.add(m.Statement(text="Sales trusts marketing's leads."), session_id)


def add_kpi(store: Store, session_id: int) -> m.Kpi:
    return store.add(m.Kpi(name="Speed to lead", baseline=Decimal(48)), session_id)


def add_action(store: Store, session_id: int, **fields: Any) -> m.ActionItem:
    return store.add(m.ActionItem(**{"title": "Call every MQL", **fields}), session_id)


# A minimal valid row of every entity (adding what it refers to first), and one edit of it.
MINIMAL: dict[type[m.SessionRecord], Builder] = {
    m.Participant: lambda s, sid: m.Participant(name="Sam"),
    m.Statement: lambda s, sid: m.Statement(text="We share one revenue goal."),
    m.Answer: lambda s, sid: m.Answer(
        statement_id=add_statement(s, sid).id, team=m.Team.SALES, score=3
    ),
    m.Term: lambda s, sid: m.Term(name="MQL"),
    m.RevenueGoal: lambda s, sid: m.build(
        m.RevenueGoal, {"target": "1.2M", "average_deal_size": "25k"}
    ),
    m.Stage: lambda s, sid: m.Stage(name="SQL"),
    m.ActionItem: lambda s, sid: m.ActionItem(title="Call every MQL"),
    m.Cadence: lambda s, sid: m.Cadence(name="Weekly pipeline review"),
    m.Kpi: lambda s, sid: m.Kpi(name="Speed to lead"),
    m.KpiReading: lambda s, sid: m.KpiReading(
        kpi_id=add_kpi(s, sid).id, value=Decimal("4.5"), date=dt.date(2026, 12, 1)
    ),
    m.Review: lambda s, sid: m.Review(date=dt.date(2026, 12, 15)),
    m.ReviewNote: lambda s, sid: m.ReviewNote(date=dt.date(2026, 12, 15), text="On track."),
    m.Gate: lambda s, sid: m.Gate(step=3, reason="2 terms unsigned", continued=True, at=FROZEN_NOW),
    m.Timebox: lambda s, sid: m.Timebox(step=2),
}

EDITS: dict[type[m.SessionRecord], tuple[str, Any]] = {
    m.Participant: ("team", m.Team.MARKETING),
    m.Statement: ("polarity", m.Polarity.RED_FLAG),
    m.Answer: ("score", 5),
    m.Term: ("definition", "Fits the ICP and asked for a demo"),
    m.RevenueGoal: ("target", Decimal("2500000.50")),
    m.Stage: ("conversion", Decimal("12.5")),
    m.ActionItem: ("status", m.ActionStatus.DONE),
    m.Cadence: ("attendees", [m.Team.SALES, m.Team.LEADERSHIP]),
    m.Kpi: ("baseline", Decimal("0.1")),
    m.KpiReading: ("value", Decimal("3.25")),
    m.Review: ("reviewer", "Fay"),
    m.ReviewNote: ("text", "Slipped a week."),
    m.Gate: ("continued", False),
    m.Timebox: ("actual_seconds", 1260),
}


def test_every_entity_has_a_builder_and_an_edit() -> None:
    assert set(MINIMAL) == set(m.ENTITIES) == set(EDITS)


@pytest.mark.parametrize("kind", m.ENTITIES, ids=lambda kind: kind.__name__)
def test_every_entity_round_trips(
    store: Store, session: m.Session, clock: FakeClock, kind: type[m.SessionRecord]
) -> None:
    assert session.id is not None
    record = MINIMAL[kind](store, session.id)
    created = store.add(record, session.id)
    assert created.id is not None
    assert (created.session_id, created.version) == (session.id, 1)
    assert store.get(kind, created.id) == created
    assert created in store.rows(kind, session.id)

    field, value = EDITS[kind]
    clock.advance(minutes=5)
    edited = created.model_copy(update={field: value})
    saved = store.update(edited)
    assert saved.version == 2
    assert getattr(saved, field) == value
    fetched = store.get(kind, created.id)
    assert fetched == saved
    assert getattr(fetched, field) == value

    store.delete(fetched)
    with pytest.raises(NotFound):
        store.get(kind, created.id)
    assert created.id not in {row.id for row in store.rows(kind, session.id)}


def test_a_session_round_trips(store: Store, clock: FakeClock) -> None:
    created = store.create_session(
        m.build(m.Session, {"title": "Q4", "date": "2026-12-01", "annual_revenue": "1.2M"})
    )
    assert created.id is not None
    assert store.get_session(created.id) == created
    saved = store.update(created.model_copy(update={"step_reached": 4}))
    assert (saved.version, store.get_session(created.id).step_reached) == (2, 4)
    store.delete(saved)
    with pytest.raises(NotFound, match=f"no session {created.id}"):
        store.get_session(created.id)


def test_an_action_item_is_stamped_by_the_store(
    store: Store, session: m.Session, clock: FakeClock
) -> None:
    assert session.id is not None
    item = add_action(store, session.id)
    assert (item.created_at, item.updated_at, item.done_at) == (FROZEN_NOW, FROZEN_NOW, None)
    clock.advance(hours=1)
    done = store.update(item.model_copy(update={"status": m.ActionStatus.DONE}))
    assert done.done_at == clock.now
    assert done.updated_at == clock.now
    assert done.created_at == FROZEN_NOW
    clock.advance(hours=1)
    reopened = store.update(done.model_copy(update={"status": m.ActionStatus.OPEN}))
    assert reopened.done_at is None
    assert store.get(m.ActionItem, item.id or 0) == reopened


def test_rows_are_listed_in_position_order(store: Store, session: m.Session) -> None:
    assert session.id is not None
    for position, name in [(2, "SQL"), (0, "Lead"), (1, "MQL")]:
        store.add(m.Stage(name=name, position=position), session.id)
    assert [stage.name for stage in store.rows(m.Stage, session.id)] == ["Lead", "MQL", "SQL"]


def test_a_row_must_belong_to_a_session(store: Store) -> None:
    with pytest.raises(ValidationFailed, match="session"):
        store.add(m.Term(name="MQL"))


def test_unknown_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get(m.Term, 12345)
    with pytest.raises(NotFound):
        store.get_session(12345)


# -- exact values ----------------------------------------------------------------------------


def test_decimals_survive_a_round_trip_exactly(store: Store, session: m.Session) -> None:
    assert session.id is not None
    goal = store.add(
        m.build(
            m.RevenueGoal,
            {"target": "0.1", "average_deal_size": "0.30", "marketing_share": "12.5%"},
        ),
        session.id,
    )
    kpi = store.add(m.Kpi(name="CAC", baseline=Decimal("0.1"), target=Decimal("1E+2")), session.id)
    fetched_goal = store.get(m.RevenueGoal, goal.id or 0)
    assert fetched_goal.target == Decimal("0.1")
    assert str(fetched_goal.target) == "0.1"
    assert str(fetched_goal.average_deal_size) == "0.30"
    assert str(fetched_goal.marketing_share) == "12.5"
    fetched_kpi = store.get(m.Kpi, kpi.id or 0)
    assert fetched_kpi.baseline == Decimal("0.1")
    assert fetched_kpi.target == Decimal(100)
    stored = store.database.query(
        "SELECT typeof(target) AS kind, target FROM revenue_goals WHERE id = ?", (goal.id,)
    )
    assert stored == [{"kind": "text", "target": "0.1"}]


# -- rules that need the database ------------------------------------------------------------


@pytest.mark.parametrize("clash", ["MQL", "mql", " MQL ", "Mql", "  mQl\t"])
def test_a_duplicate_term_name_is_refused_on_add(
    store: Store, session: m.Session, clash: str
) -> None:
    assert session.id is not None
    store.add(m.Term(name="MQL"), session.id)
    with pytest.raises(DuplicateName, match="MQL"):
        store.add(m.Term(name=clash), session.id)
    assert len(store.rows(m.Term, session.id)) == 1


def test_inner_spaces_count_as_one_when_comparing_term_names(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    store.add(m.Term(name="Sales qualified lead"), session.id)
    with pytest.raises(DuplicateName):
        store.add(m.Term(name="sales  Qualified   LEAD"), session.id)


def test_a_duplicate_term_name_is_refused_on_rename(store: Store, session: m.Session) -> None:
    assert session.id is not None
    store.add(m.Term(name="MQL"), session.id)
    sql = store.add(m.Term(name="SQL"), session.id)
    with pytest.raises(DuplicateName):
        store.update(sql.model_copy(update={"name": "mql "}))
    assert store.get(m.Term, sql.id or 0).name == "SQL"
    assert store.get(m.Term, sql.id or 0).version == 1


def test_a_term_may_be_renamed_to_its_own_name_in_another_case(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="mql"), session.id)
    assert store.update(term.model_copy(update={"name": "MQL"})).name == "MQL"


def test_the_same_term_name_is_fine_in_another_session(store: Store, session: m.Session) -> None:
    other = store.create_session(m.Session(title="Other", date=dt.date(2026, 1, 1)))
    store.add(m.Term(name="MQL"), session.id)
    assert store.add(m.Term(name="MQL"), other.id).id is not None


def test_references_must_be_in_the_same_session(store: Store, session: m.Session) -> None:
    assert session.id is not None
    other = store.create_session(m.Session(title="Other", date=dt.date(2026, 1, 1)))
    assert other.id is not None
    stranger = add_participant(store, other.id)
    with pytest.raises(ValidationFailed, match="owner_id"):
        add_action(store, session.id, owner_id=stranger.id)
    assert store.rows(m.ActionItem, session.id) == []

    mine = add_participant(store, session.id)
    item = add_action(store, session.id, owner_id=mine.id)
    with pytest.raises(ValidationFailed, match="owner_id"):
        store.update(item.model_copy(update={"owner_id": stranger.id}))
    assert store.get(m.ActionItem, item.id or 0).owner_id == mine.id


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (m.Answer, {"statement_id": 999, "team": "sales", "score": 3}),
        (m.KpiReading, {"kpi_id": 999, "value": "1", "date": "2026-12-01"}),
        (m.Stage, {"name": "MQL", "term_id": 999}),
        (m.ReviewNote, {"date": "2026-12-01", "text": "x", "action_item_id": 999}),
    ],
)
def test_a_reference_to_nothing_is_refused(
    store: Store, session: m.Session, kind: type[m.SessionRecord], data: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed, match="not part of this session"):
        store.add(m.build(kind, data), session.id)


def test_a_row_cannot_move_to_another_session(store: Store, session: m.Session) -> None:
    assert session.id is not None
    other = store.create_session(m.Session(title="Other", date=dt.date(2026, 1, 1)))
    term = store.add(m.Term(name="MQL"), session.id)
    with pytest.raises(ValidationFailed, match="another session"):
        store.update(term.model_copy(update={"session_id": other.id}))
    assert store.get(m.Term, term.id or 0).session_id == session.id


def test_an_edit_without_its_session_keeps_the_session(store: Store, session: m.Session) -> None:
    term = store.add(m.Term(name="MQL"), session.id)
    saved = store.update(term.model_copy(update={"session_id": None, "definition": "d"}))
    assert saved.session_id == session.id
    assert store.get(m.Term, term.id or 0).definition == "d"


# -- optimistic concurrency ------------------------------------------------------------------


def test_an_edit_of_a_stale_copy_is_refused_and_the_first_edit_kept(
    store: Store, session: m.Session
) -> None:
    term = store.add(m.Term(name="MQL"), session.id)
    mine, theirs = term.model_copy(), term.model_copy()
    store.update(mine.model_copy(update={"definition": "first"}))
    with pytest.raises(StaleEdit, match="changed elsewhere"):
        store.update(theirs.model_copy(update={"definition": "second"}))
    kept = store.get(m.Term, term.id or 0)
    assert (kept.definition, kept.version) == ("first", 2)


def test_deleting_a_stale_copy_is_refused(store: Store, session: m.Session) -> None:
    term = store.add(m.Term(name="MQL"), session.id)
    store.update(term.model_copy(update={"definition": "first"}))
    with pytest.raises(StaleEdit):
        store.delete(term)
    assert store.get(m.Term, term.id or 0).definition == "first"


def test_editing_a_row_deleted_elsewhere_is_refused(store: Store, session: m.Session) -> None:
    term = store.add(m.Term(name="MQL"), session.id)
    store.delete(term)
    with pytest.raises(StaleEdit, match="deleted"):
        store.update(term.model_copy(update={"definition": "late"}))
    with pytest.raises(StaleEdit, match="deleted"):
        store.delete(term)


def test_an_unsaved_row_cannot_be_updated_or_deleted(store: Store) -> None:
    with pytest.raises(ValidationFailed, match="not been saved"):
        store.update(m.Term(name="MQL", session_id=1))
    with pytest.raises(ValidationFailed, match="not been saved"):
        store.delete(m.Term(name="MQL", session_id=1))


# -- change log ------------------------------------------------------------------------------


def test_every_write_logs_one_entry_with_before_and_after(
    store: Store, session: m.Session, clock: FakeClock
) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="old"), session.id)
    clock.advance(minutes=1)
    edited = store.update(term.model_copy(update={"definition": "new"}))
    clock.advance(minutes=1)
    store.delete(edited)

    log = store.changes(session.id)
    assert [(c.entity, c.action) for c in log] == [
        ("sessions", "create"),
        ("terms", "create"),
        ("terms", "update"),
        ("terms", "delete"),
    ]
    created, updated, deleted = log[1:]
    assert all(c.entity_id == term.id and c.who == "tester" for c in log[1:])
    assert created.before is None
    assert created.after is not None and created.after["definition"] == "old"
    assert updated.before is not None and updated.before["definition"] == "old"
    assert updated.after is not None and updated.after["definition"] == "new"
    assert (updated.before["version"], updated.after["version"]) == (1, 2)
    assert deleted.before is not None and deleted.before["definition"] == "new"
    assert deleted.after is None
    assert [c.at for c in log[1:]] == [
        FROZEN_NOW,
        FROZEN_NOW + dt.timedelta(minutes=1),
        FROZEN_NOW + dt.timedelta(minutes=2),
    ]
    assert "MQL" in created.summary
    assert store.changes(session.id, since=FROZEN_NOW + dt.timedelta(minutes=1)) == log[2:]


def test_the_log_is_stored_as_plain_json(store: Store, session: m.Session) -> None:
    store.add(m.Kpi(name="CAC", baseline=Decimal("0.1")), session.id)
    stored = store.database.query(
        "SELECT before, after FROM changes WHERE entity = 'kpis' AND session_id = ?",
        (session.id,),
    )
    assert stored[0]["before"] is None
    assert json.loads(str(stored[0]["after"]))["baseline"] == "0.1"


def test_a_refused_write_logs_nothing(store: Store, session: m.Session) -> None:
    assert session.id is not None
    store.add(m.Term(name="MQL"), session.id)
    before = store.changes(session.id)
    with pytest.raises(DuplicateName):
        store.add(m.Term(name="mql"), session.id)
    assert store.changes(session.id) == before


def test_the_log_cannot_be_rewritten_or_erased(store: Store, session: m.Session) -> None:
    store.add(m.Term(name="MQL"), session.id)
    raw = sqlite3.connect(store.path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE changes SET who = 'mallory'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM changes")
    finally:
        raw.close()
    assert {c.who for c in store.changes(session.id or 0)} == {"tester"}


def test_deleting_a_session_removes_its_rows_and_its_log(store: Store, session: m.Session) -> None:
    assert session.id is not None
    other = store.create_session(m.Session(title="Other", date=dt.date(2026, 1, 1)))
    assert other.id is not None
    store.add(m.Term(name="MQL", definition="fits the ICP"), session.id)
    owner = add_participant(store, session.id)
    add_action(store, session.id, owner_id=owner.id)
    store.delete(owner)  # logs the action's lost owner with `cause` pointing at the delete
    store.undo(session.id)  # an undo entry refers to another entry of the log
    store.add(m.Term(name="MQL"), other.id)
    store.delete(store.get_session(session.id))
    assert store.changes(session.id) == []
    assert store.rows(m.Term, session.id) == []
    assert len(store.changes(other.id)) == 2
    assert store.database.query("SELECT DISTINCT session_id FROM search_index") == [
        {"session_id": other.id}
    ]


def test_the_search_index_follows_every_write(store: Store, session: m.Session) -> None:
    def search(words: str) -> list[object]:
        rows = store.database.query(
            "SELECT entity_id FROM search_index WHERE search_index MATCH ?", (words,)
        )
        return [row["entity_id"] for row in rows]

    term = store.add(m.Term(name="MQL", definition="fits the ideal customer"), session.id)
    assert search("customer") == [term.id]
    term = store.update(term.model_copy(update={"definition": "asked for a demo"}))
    assert (search("customer"), search("demo")) == ([], [term.id])
    store.delete(term)
    assert search("demo") == []
    item = add_action(store, session.id, description="Write the playbook")
    assert search("playbook") == [item.id]


# -- undo ------------------------------------------------------------------------------------


def test_undo_of_a_create_removes_the_row(store: Store, session: m.Session) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL"), session.id)
    undone = store.undo(session.id)
    assert undone is not None and (undone.action, undone.entity_id) == ("create", term.id)
    with pytest.raises(NotFound):
        store.get(m.Term, term.id or 0)
    last = store.changes(session.id)[-1]
    assert (last.action, last.undoes, last.entity_id) == ("undo", undone.id, term.id)
    assert last.summary.startswith("undo")


def test_undo_of_an_update_restores_the_row(store: Store, session: m.Session) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="old"), session.id)
    store.update(term.model_copy(update={"definition": "new"}))
    undone = store.undo(session.id)
    assert undone is not None and undone.action == "update"
    restored = store.get(m.Term, term.id or 0)
    assert (restored.definition, restored.version) == ("old", 3)
    assert store.changes(session.id)[-1].action == "undo"


def test_undo_of_a_delete_brings_the_row_back(store: Store, session: m.Session) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="fits"), session.id)
    signed = store.update(term.sign_off(m.Team.SALES, "Sam", FROZEN_NOW))
    store.delete(signed)
    undone = store.undo(session.id)
    assert undone is not None and undone.action == "delete"
    assert store.get(m.Term, term.id or 0) == signed
    assert store.changes(session.id)[-1].action == "undo"


def test_repeated_undo_walks_back_in_order(
    store: Store, session: m.Session, clock: FakeClock
) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="v1"), session.id)
    v2 = store.update(term.model_copy(update={"definition": "v2"}))
    v3 = store.update(v2.model_copy(update={"definition": "v3"}))
    participant = add_participant(store, session.id)
    store.delete(v3)

    def definition() -> str | None:
        try:
            return store.get(m.Term, term.id or 0).definition
        except NotFound:
            return None

    steps = []
    while (undone := store.undo(session.id)) is not None:
        steps.append((undone.entity, undone.action, definition()))
    assert steps == [
        ("terms", "delete", "v3"),
        ("participants", "create", "v3"),
        ("terms", "update", "v2"),
        ("terms", "update", "v1"),
        ("terms", "create", None),
    ]
    with pytest.raises(NotFound):
        store.get(m.Participant, participant.id or 0)
    assert store.get_session(session.id) == session, "creating the session is never undone"
    assert [c.action for c in store.changes(session.id)].count("undo") == 5


def test_undo_after_undo_and_a_new_edit_keeps_walking_back(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="v1"), session.id)
    store.update(term.model_copy(update={"definition": "v2"}))
    store.undo(session.id)
    current = store.get(m.Term, term.id or 0)
    store.update(current.model_copy(update={"definition": "v3"}))
    store.undo(session.id)
    assert store.get(m.Term, term.id or 0).definition == "v1"
    store.undo(session.id)
    with pytest.raises(NotFound):
        store.get(m.Term, term.id or 0)


def test_undo_on_nothing_returns_none(store: Store, session: m.Session) -> None:
    assert session.id is not None
    assert store.undo(session.id) is None
    assert [c.action for c in store.changes(session.id)] == ["create"]


def test_undo_is_refused_when_the_row_changed_outside_the_log(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL", definition="old"), session.id)
    store.update(term.model_copy(update={"definition": "new"}))
    raw = sqlite3.connect(store.path, isolation_level=None)
    try:
        raw.execute(
            "UPDATE terms SET definition = 'elsewhere', version = version + 1 WHERE id = ?",
            (term.id,),
        )
    finally:
        raw.close()
    log = store.changes(session.id)
    with pytest.raises(StaleEdit, match="changed"):
        store.undo(session.id)
    assert store.get(m.Term, term.id or 0).definition == "elsewhere"
    assert store.changes(session.id) == log


def test_undo_of_a_create_is_refused_when_the_row_is_gone(store: Store, session: m.Session) -> None:
    assert session.id is not None
    term = store.add(m.Term(name="MQL"), session.id)
    raw = sqlite3.connect(store.path, isolation_level=None)
    try:
        raw.execute("DELETE FROM terms WHERE id = ?", (term.id,))
    finally:
        raw.close()
    with pytest.raises(StaleEdit, match="deleted"):
        store.undo(session.id)


def test_undo_of_a_delete_restores_what_the_delete_took_with_it(
    store: Store, session: m.Session
) -> None:
    """Deleting a participant clears their ownership and their answers; undo brings all back."""
    assert session.id is not None
    sam = add_participant(store, session.id)
    statement = add_statement(store, session.id)
    answer = store.add(
        m.Answer(statement_id=statement.id, team=m.Team.SALES, participant_id=sam.id, score=2),
        session.id,
    )
    item = add_action(store, session.id, owner_id=sam.id)
    store.delete(sam)
    assert store.get(m.ActionItem, item.id or 0).owner_id is None
    with pytest.raises(NotFound):
        store.get(m.Answer, answer.id or 0)

    effects = [(c.entity, c.action) for c in store.changes(session.id) if c.cause is not None]
    assert sorted(effects) == [("action_items", "update"), ("answers", "delete")]

    undone = store.undo(session.id)
    assert undone is not None and (undone.entity, undone.action) == ("participants", "delete")
    assert store.get(m.Participant, sam.id or 0) == sam
    assert store.get(m.Answer, answer.id or 0) == answer
    assert store.get(m.ActionItem, item.id or 0).owner_id == sam.id
    assert [c.action for c in store.changes(session.id)][-3:] == ["undo"] * 3
    undone = store.undo(session.id)  # walking back goes on with the change before the delete
    assert undone is not None and (undone.entity, undone.action) == ("action_items", "create")


def test_undo_keeps_walking_back_after_restoring_a_deleted_kpi(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    kpi = add_kpi(store, session.id)
    reading = store.add(
        m.KpiReading(kpi_id=kpi.id, value=Decimal(36), date=dt.date(2026, 12, 1)), session.id
    )
    store.delete(kpi)
    with pytest.raises(NotFound):
        store.get(m.KpiReading, reading.id or 0)
    steps = []
    while (undone := store.undo(session.id)) is not None:
        steps.append((undone.entity, undone.action))
    assert steps == [("kpis", "delete"), ("kpi_readings", "create"), ("kpis", "create")]
    assert store.rows(m.Kpi, session.id) == []


def test_a_copy_edited_before_a_cascading_delete_is_stale(store: Store, session: m.Session) -> None:
    assert session.id is not None
    sam = add_participant(store, session.id)
    item = add_action(store, session.id, owner_id=sam.id)
    store.delete(sam)
    with pytest.raises(StaleEdit):
        store.update(item.model_copy(update={"title": "Call every MQL today"}))


def test_a_store_transaction_is_all_or_nothing(store: Store, session: m.Session) -> None:
    assert session.id is not None
    with pytest.raises(DuplicateName), store.transaction():
        store.add(m.Term(name="SQL"), session.id)
        store.add(m.Term(name="MQL"), session.id)
        store.add(m.Term(name="mql"), session.id)
    assert store.rows(m.Term, session.id) == []
    assert [c.action for c in store.changes(session.id)] == ["create"]


# -- the session list ------------------------------------------------------------------------


def test_sessions_count_agreed_terms_and_open_actions(store: Store, session: m.Session) -> None:
    assert session.id is not None
    newer = store.create_session(m.Session(title="Follow-up", date=dt.date(2027, 1, 5)))
    agreed = store.add(m.Term(name="MQL"), session.id)
    store.update(
        agreed.sign_off(m.Team.SALES, "Sam", FROZEN_NOW).sign_off(
            m.Team.MARKETING, "Mia", FROZEN_NOW
        )
    )
    half = store.add(m.Term(name="SQL"), session.id)
    store.update(half.sign_off(m.Team.SALES, "Sam", FROZEN_NOW))
    store.add(m.Term(name="SAL", disputed=True), session.id)
    for status in m.ActionStatus:
        add_action(store, session.id, status=status)

    summaries = store.sessions()
    assert [s.session.id for s in summaries] == [newer.id, session.id], "newest first"
    summary = summaries[1]
    assert summary.session == session
    assert (summary.agreed_terms, summary.terms) == (1, 3)
    assert (summary.open_actions, summary.actions) == (3, 4)
    assert (summaries[0].terms, summaries[0].actions) == (0, 0)


def test_withdrawing_a_sign_off_uncounts_the_term(store: Store, session: m.Session) -> None:
    term = store.add(m.Term(name="MQL"), session.id)
    term = store.update(
        term.sign_off(m.Team.SALES, "Sam", FROZEN_NOW).sign_off(m.Team.MARKETING, "Mia", FROZEN_NOW)
    )
    assert store.sessions()[0].agreed_terms == 1
    revised, cleared = term.revise(definition="changed")
    assert cleared
    store.update(revised)
    assert store.sessions()[0].agreed_terms == 0


# -- two stores on one file ------------------------------------------------------------------


def test_two_stores_interleaving_writes_never_see_a_locked_database(
    db_path: Path, clock: FakeClock
) -> None:
    with (
        Store(db_path, clock=clock, who="live") as live,
        Store(db_path, clock=clock, who="review") as review,
    ):
        session = live.create_session(m.Session(title="Q3", date=dt.date(2026, 11, 23)))
        assert session.id is not None
        for index in range(100):
            live.add(m.ActionItem(title=f"live {index}"), session.id)
            review.add(m.ActionItem(title=f"review {index}"), session.id)
        assert len(review.rows(m.ActionItem, session.id)) == 200
        assert {c.who for c in live.changes(session.id)} == {"live", "review"}


def test_two_stores_writing_at_once_never_see_a_locked_database(
    db_path: Path, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock) as first:
        session = first.create_session(m.Session(title="Q3", date=dt.date(2026, 11, 23)))
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(who: str) -> None:
        try:
            with Store(db_path, clock=clock, who=who) as store:
                start.wait()
                for index in range(100):
                    item = store.add(m.ActionItem(title=f"{who} {index}"), session.id)
                    store.update(item.model_copy(update={"status": m.ActionStatus.DONE}))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(who,)) for who in ("live", "review")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(db_path) as check:
        assert check.sessions()[0].actions == 200
        assert check.sessions()[0].open_actions == 0


def test_an_edit_based_on_a_row_another_store_changed_is_refused(
    db_path: Path, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock) as live, Store(db_path, clock=clock) as review:
        session = live.create_session(m.Session(title="Q3", date=dt.date(2026, 11, 23)))
        item = live.add(m.ActionItem(title="Call every MQL"), session.id)
        seen_by_review = review.get(m.ActionItem, item.id or 0)
        live.update(item.model_copy(update={"status": m.ActionStatus.BLOCKED}))
        with pytest.raises(StaleEdit):
            review.update(seen_by_review.model_copy(update={"status": m.ActionStatus.DONE}))
        with pytest.raises(StaleEdit):
            review.delete(seen_by_review)
        assert review.get(m.ActionItem, item.id or 0).status is m.ActionStatus.BLOCKED


# -- read-only files -------------------------------------------------------------------------


def read_only_copy(store: Store, session: m.Session, tmp_path: Path) -> Path:
    store.add(m.Term(name="MQL"), session.id)
    store.close()
    copy = tmp_path / "copy.db"
    shutil.copyfile(store.path, copy)
    copy.chmod(0o400)
    return copy


def assert_plain_read_only_error(error: StorageError) -> None:
    message = str(error)
    assert "read-only" in message
    assert "\n" not in message
    assert not isinstance(error, sqlite3.Error)


def test_a_read_only_file_gives_a_plain_storage_error(
    store: Store, session: m.Session, tmp_path: Path
) -> None:
    copy = read_only_copy(store, session, tmp_path)
    script = (
        "import sys\n"
        "from workshop import models as m\n"
        "from workshop.errors import StorageError\n"
        "from workshop.storage.store import Store\n"
        "try:\n"
        f"    with Store({str(copy)!r}) as s:\n"
        f"        assert s.rows(m.Term, {session.id})[0].name == 'MQL'\n"
        f"        s.add(m.Term(name='SQL'), {session.id})\n"
        "except StorageError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:  # root writes through chmod 0o400: drop that power for the child
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    kind, _, message = out.stdout.strip().partition(" ")
    assert kind == "StorageError", out.stdout + out.stderr
    assert "read-only" in message and "\n" not in message


def test_a_read_only_connection_gives_a_plain_storage_error(
    store: Store, session: m.Session, tmp_path: Path
) -> None:
    copy = read_only_copy(store, session, tmp_path)
    with Store(copy) as read_only:
        read_only.database.conn.close()
        read_only.database.conn = sqlite3.connect(
            f"{copy.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
        assert read_only.rows(m.Term, session.id or 0)[0].name == "MQL"
        with pytest.raises(StorageError) as caught:
            read_only.add(m.Term(name="SQL"), session.id)
        assert_plain_read_only_error(caught.value)
        term = read_only.rows(m.Term, session.id or 0)[0]
        with pytest.raises(StorageError) as caught:
            read_only.update(term.model_copy(update={"definition": "x"}))
        assert_plain_read_only_error(caught.value)
        with pytest.raises(StorageError):
            read_only.undo(session.id or 0)
