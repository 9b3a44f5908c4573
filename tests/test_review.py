"""Follow-up review in the library: since last time, progress, KPIs, what changed, search."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import FakeClock
from workshop import models as m
from workshop.blind_round import set_revealed
from workshop.errors import ValidationFailed
from workshop.glossary import revise_term, toggle_sign_off
from workshop.review import board as rv
from workshop.review.changes import ChangeKind, what_changed
from workshop.review.report import progress_report
from workshop.review.search import compare_sessions, fts_query, search, session_to_compare
from workshop.storage.store import Store

TODAY = dt.date(2026, 12, 20)


def _person(store: Store, session_id: int, name: str, team: m.Team) -> int:
    return store.add(m.Participant(name=name, team=team), session_id).id or 0


def _item(store: Store, session_id: int, title: str, **fields: object) -> m.ActionItem:
    return store.add(m.build(m.ActionItem, {"title": title, **fields}), session_id)


@pytest.fixture
def plan(store: Store, session: m.Session, clock: FakeClock) -> dict[str, m.ActionItem]:
    """A session reviewed on 2026-12-01 with items overdue, open, blocked and done around it."""
    sid = session.id or 0
    zoe = _person(store, sid, "Zoe", m.Team.SALES)
    ann = _person(store, sid, "Ann", m.Team.MARKETING)
    items = {
        "late_b": _item(store, sid, "Late B", due="2026-12-10", owner_id=zoe),
        "late_a": _item(store, sid, "Late A", due="2026-12-05", owner_id=ann),
        "zoe_open": _item(store, sid, "Zoe open", due="2027-01-10", owner_id=zoe),
        "zoe_blocked": _item(
            store, sid, "Zoe blocked", due="2027-02-01", owner_id=zoe, status="blocked"
        ),
        "ann_open": _item(store, sid, "Ann open", due="2027-01-05", owner_id=ann),
        "nobody": _item(store, sid, "Nobody's", due="2027-01-01"),
        "done_before": _item(store, sid, "Done before", due="2026-11-30", owner_id=ann),
        "done_after": _item(store, sid, "Done after", due="2026-12-15", owner_id=zoe),
    }
    clock.now = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    items["done_before"] = store.update(
        items["done_before"].model_copy(update={"status": m.ActionStatus.DONE})
    )
    clock.now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    store.add(m.Review(date=dt.date(2026, 12, 1), reviewer="Fay"), sid)
    clock.now = dt.datetime(2026, 12, 12, 15, tzinfo=dt.UTC)
    items["done_after"] = store.update(
        items["done_after"].model_copy(update={"status": m.ActionStatus.DONE})
    )
    clock.now = dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC)
    return items


def test_since_last_time_ordering(store: Store, session: m.Session, plan: dict) -> None:
    board = rv.review_board(store, session.id or 0, TODAY)
    assert board.since.date == dt.date(2026, 12, 1)
    assert board.since.label == "since the review of 2026-12-01 (Fay)"
    assert [(row.section.value, row.item.title) for row in board.items] == [
        ("overdue", "Late A"),  # earliest due first
        ("overdue", "Late B"),
        ("open", "Ann open"),  # then by owner, blocked first within an owner
        ("open", "Zoe blocked"),
        ("open", "Zoe open"),
        ("open", "Nobody's"),  # no owner last
        ("done", "Done after"),  # done before the last review is not shown
    ]
    assert [(p.label, p.done, p.total) for p in board.teams] == [("other", 2, 8)]


def test_review_started_today_does_not_move_the_fixed_point(
    store: Store, session: m.Session, plan: dict
) -> None:
    sid = session.id or 0
    first = rv.start_review(store, sid, "Fay", TODAY)
    again = rv.start_review(store, sid, "Fay", TODAY)  # reopened the same day
    assert first.id == again.id
    assert len(store.rows(m.Review, sid)) == 2
    assert rv.since_point(store, sid, TODAY).date == dt.date(2026, 12, 1)
    assert rv.since_point(store, sid, TODAY + dt.timedelta(days=1)).date == TODAY


def test_since_the_workshop_without_reviews(store: Store, session: m.Session) -> None:
    point = rv.since_point(store, session.id or 0, TODAY)
    assert point.review is None and point.date == session.date
    assert point.label == "since the workshop on 2026-11-23"
    assert progress_report(store, session.id or 0, TODAY) is None


def test_status_change_reschedule_and_reading_are_saved_and_logged(
    store: Store, session: m.Session, plan: dict, db_path
) -> None:
    sid = session.id or 0
    item = plan["zoe_blocked"]
    rv.cycle_item(store, item)
    moved = rv.reschedule(store, store.get(m.ActionItem, item.id or 0), "2027-03-01")
    kpi = store.add(
        m.Kpi(name="Speed to lead", unit="hours", baseline=31, target=4, direction="down"), sid
    )
    rv.record_reading(store, sid, kpi.id or 0, "19.5", date="2026-12-18", note="SLA live")
    with pytest.raises(ValidationFailed, match="value"):
        rv.record_reading(store, sid, kpi.id or 0, "lots", date="2026-12-18")
    with Store(db_path) as check:
        saved = check.get(m.ActionItem, item.id or 0)
        assert saved.status is m.ActionStatus.DONE and saved.due == dt.date(2027, 3, 1)
        assert moved.due == dt.date(2027, 3, 1)
        [reading] = check.rows(m.KpiReading, sid)
        assert reading.value == Decimal("19.5") and reading.note == "SLA live"
        logged = [(c.entity, c.action) for c in check.changes(sid)][-3:]
    assert logged == [("action_items", "update"), ("kpis", "create"), ("kpi_readings", "create")]
    [status] = rv.kpi_statuses(store, sid)
    assert status.on_track is True and status.verdict == "on track"
    assert status.chart_values() == [31.0, 19.5]


def test_kpi_verdicts() -> None:
    kpi = m.Kpi(id=1, name="Conversion", baseline=Decimal(10), target=Decimal(18))

    def reading(value: int) -> m.KpiReading:
        return m.KpiReading(kpi_id=1, value=Decimal(value), date=TODAY)

    assert rv.KpiStatus(kpi, ()).verdict == "no reading yet"
    assert rv.KpiStatus(kpi, (reading(12),)).verdict == "on track"
    assert rv.KpiStatus(kpi, (reading(9),)).verdict == "off track"
    assert rv.KpiStatus(kpi, (reading(20),)).verdict == "target reached"
    assert rv.with_unit(Decimal("12.5"), "%") == "12.5%"
    assert rv.with_unit(Decimal(7), "hours") == "7 hours"


def _words(store: Store, session_id: int, since: dt.datetime) -> list[str]:
    return [line.text for line in reversed(what_changed(store, session_id, since=since))]


def test_change_wording_for_each_kind(store: Store, session: m.Session, clock: FakeClock) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="MQL", definition="Fit and engaged"), sid)
    term = toggle_sign_off(store, term, m.Team.SALES, "Marcus")
    term = toggle_sign_off(store, term, m.Team.MARKETING, "Hannah")
    item = _item(store, sid, "Shared lead-scoring model")
    kpi = store.add(m.Kpi(name="SLA compliance", unit="%", baseline=42), sid)
    clock.advance(days=10)
    since = clock()
    revise_term(store, term, {"definition": "Fit, engaged and a demo request"})
    store.update(item.model_copy(update={"status": m.ActionStatus.DONE}))
    extra = _item(store, sid, "Temporary")
    store.delete(extra)
    rv.record_reading(store, sid, kpi.id or 0, "55", date="2026-12-01")
    rv.add_note(store, sid, "Scoring model live", author="Fay", today=TODAY, action_item_id=item.id)
    store.undo(sid)
    assert _words(store, sid, since) == [
        "MQL definition changed; sales and marketing sign-offs cleared",
        "Action 'Shared lead-scoring model' moved to done",
        "Action 'Temporary' added",
        "Action 'Temporary' deleted",
        "KPI 'SLA compliance' reading 55% for 2026-12-01 recorded",
        "Note on action 'Shared lead-scoring model': Scoring model live",
        "Undone: Note on action 'Shared lead-scoring model': Scoring model live",
    ]
    before = _words(store, sid, since - dt.timedelta(days=11))
    assert "MQL signed off by sales (Marcus)" in before
    assert "MQL signed off by marketing (Hannah); now agreed by both teams" in before
    kinds = what_changed(store, sid, since=since, kinds=[ChangeKind.KPIS])
    assert [line.text for line in kinds] == [
        "KPI 'SLA compliance' reading 55% for 2026-12-01 recorded"
    ]
    assert all(line.at >= since for line in what_changed(store, sid, since=since.date()))


def test_action_reschedule_and_owner_wording(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    ann = _person(store, sid, "Ann Lee", m.Team.SALES)
    item = _item(store, sid, "Fix sync", due="2026-12-11")
    item = rv.reschedule(store, item, "2027-01-15")
    store.update(item.model_copy(update={"owner_id": ann, "priority": m.Priority.HIGH}))
    lines = [line.text for line in what_changed(store, sid)][:2]
    assert lines == [
        "Action 'Fix sync' reassigned to Ann Lee; priority set to high",
        "Action 'Fix sync' rescheduled to 2027-01-15 (was 2026-12-11)",
    ]


def test_search_finds_definitions_and_notes_and_stays_in_sync(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    term = store.add(m.Term(name="SAL", definition="An MQL an SDR accepted within a day"), sid)
    note = rv.add_note(store, sid, "Waterfall dashboard is blocked", author="Fay", today=TODAY)
    [hit] = search(store, "sdr")
    assert (hit.session_id, hit.entity, hit.entity_id, hit.title) == (sid, "terms", term.id, "SAL")
    assert ("SDR", True) in hit.snippet_parts() and hit.step == 3
    [hit] = search(store, "waterf")  # the last word is a prefix
    assert (hit.entity, hit.entity_id, hit.kind) == ("review_notes", note.id, "Review note")
    assert (hit.title, hit.action_item_id) == ("General note", None)

    store.update(term.model_copy(update={"definition": "Accepted by sales development"}))
    assert search(store, "sdr") == []
    assert [h.entity_id for h in search(store, "development")] == [term.id]
    store.delete(store.get(m.ReviewNote, note.id or 0))
    assert search(store, "waterfall") == []


@pytest.mark.parametrize(
    "typed", ['"', "*", "AND (", 'lead"', "NEAR(a b)", "col:value", "-", "^x", '"" OR *', " "]
)
def test_search_syntax_characters_never_fail(store: Store, session: m.Session, typed: str) -> None:
    store.add(m.Term(name="Lead", definition="Anyone AND everyone (really)"), session.id)
    hits = search(store, typed)
    assert isinstance(hits, list)
    assert fts_query(typed) is None or fts_query(typed).count('"') % 2 == 0  # type: ignore[union-attr]


def test_compare_two_sessions_of_one_organisation(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    later = store.create_session(
        m.Session(title="Q1 follow-up", organisation=" acme ", date=dt.date(2027, 3, 1))
    )
    lid = later.id or 0
    for target, definition in ((sid, "Old meaning"), (lid, "New meaning")):
        store.add(
            m.Term(name="Sales cycle" if target == sid else "sales  CYCLE", definition=definition),
            target,
        )
    store.add(m.Term(name="ICP", definition="Same"), sid)
    store.add(m.Term(name="ICP", definition="Same"), lid)
    for target, sales, marketing in ((sid, 5, 2), (lid, 3, 3)):
        statement = store.add(
            m.Statement(text="Sales questions lead quality", polarity="red_flag"), target
        )
        store.add(m.Answer(statement_id=statement.id or 0, team="sales", score=sales), target)
        store.add(
            m.Answer(statement_id=statement.id or 0, team="marketing", score=marketing), target
        )
    assert session_to_compare(store, lid).id == sid  # type: ignore[union-attr]
    assert compare_sessions(store, lid, sid).sales_then is None  # blind: no index
    for target in (sid, lid):
        set_revealed(store, target, True)
    comparison = compare_sessions(store, lid, sid)
    assert (comparison.then.id, comparison.now.id) == (sid, lid)
    assert (comparison.sales_then, comparison.marketing_then) == (0, 75)
    assert (comparison.sales_now, comparison.marketing_now) == (50, 50)
    assert [(c.name, c.then, c.now) for c in comparison.changed] == [
        ("sales  CYCLE", "Old meaning", "New meaning")
    ]
    other = store.create_session(m.Session(title="Elsewhere", organisation="Globex"))
    with pytest.raises(ValidationFailed, match="different organisations"):
        compare_sessions(store, sid, other.id or 0)


def test_progress_context_for_the_exported_plan(
    store: Store, session: m.Session, plan: dict
) -> None:
    context = progress_report(store, session.id or 0, TODAY)
    assert context is not None
    assert context["reviews"] == [{"date": "2026-12-01", "reviewer": "Fay"}]
    assert (context["done"], context["total"], context["percent"]) == (2, 8, 25)
    assert [i["title"] for i in context["overdue"]] == ["Late A", "Late B"]
    assert context["overdue"][0]["days_late"] == 15
    assert [i["title"] for i in context["done_since"]] == ["Done after"]
