"""Tests of the domain models: validation messages, money and percentages, term sign-off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from workshop import models as m
from workshop.errors import ValidationFailed

WHEN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)

VALID: dict[type[m.Record], dict[str, Any]] = {
    m.Session: {"title": "Q3 alignment", "date": "2026-11-23"},
    m.Participant: {"name": "Sam Seller", "team": "sales"},
    m.Statement: {"text": "Sales trusts the leads marketing sends."},
    m.Answer: {"statement_id": 1, "team": "marketing", "score": 4},
    m.Term: {"name": "MQL"},
    m.RevenueGoal: {"target": "1.2M", "average_deal_size": "25k"},
    m.Stage: {"name": "SQL"},
    m.ActionItem: {"title": "Agree the MQL definition"},
    m.Cadence: {"name": "Weekly pipeline review"},
    m.Kpi: {"name": "Speed to lead"},
    m.KpiReading: {"kpi_id": 1, "value": "4.5", "date": "2026-12-01"},
    m.Review: {"date": "2026-12-15"},
    m.ReviewNote: {"date": "2026-12-15", "text": "MQL SLA is met."},
    m.Gate: {"step": 3, "reason": "2 terms unsigned", "continued": True, "at": WHEN.isoformat()},
    m.Timebox: {"step": 2},
}


def test_every_entity_has_a_valid_example() -> None:
    assert set(VALID) == {m.Session, *m.ENTITIES}


@pytest.mark.parametrize("kind", list(VALID), ids=lambda kind: kind.__name__)
def test_every_entity_accepts_a_minimal_valid_row(kind: type[m.Record]) -> None:
    record = m.build(kind, VALID[kind])
    assert isinstance(record, kind)
    assert record.id is None
    assert record.version == 1
    assert record.describe()


BAD_VALUES: list[tuple[type[m.Record], str, Any]] = [
    (m.Session, "title", ""),
    (m.Session, "step_reached", 7),
    (m.Session, "currency", "US"),
    (m.Session, "annual_revenue", "lots"),
    (m.Session, "date", "next tuesday"),
    (m.Participant, "name", ""),
    (m.Participant, "name", "x" * 201),
    (m.Participant, "team", "finance"),
    (m.Statement, "text", ""),
    (m.Statement, "polarity", "neutral"),
    (m.Answer, "score", 0),
    (m.Answer, "score", 6),
    (m.Answer, "team", "finance"),
    (m.Answer, "statement_id", "first"),
    (m.Term, "name", "   "),
    (m.Term, "definition", "x" * 20_001),
    (m.Term, "colour", "red"),
    (m.RevenueGoal, "target", "abc"),
    (m.RevenueGoal, "target", "0"),
    (m.RevenueGoal, "average_deal_size", "-25k"),
    (m.RevenueGoal, "marketing_share", "120%"),
    (m.RevenueGoal, "marketing_share", "half"),
    (m.RevenueGoal, "months", 0),
    (m.RevenueGoal, "model", "funnel"),
    (m.Stage, "conversion", "0"),
    (m.Stage, "conversion", "101%"),
    (m.Stage, "conversion", "most"),
    (m.Stage, "owner_team", "finance"),
    (m.ActionItem, "title", ""),
    (m.ActionItem, "category", "misc"),
    (m.ActionItem, "priority", "urgent"),
    (m.ActionItem, "status", "finished"),
    (m.ActionItem, "due", "tomorrow"),
    (m.ActionItem, "owner_id", "Sam"),
    (m.Cadence, "weekday", "funday"),
    (m.Cadence, "weekday", "mo"),
    (m.Cadence, "weekday", 7),
    (m.Cadence, "frequency", "daily"),
    (m.Cadence, "time", "25:00"),
    (m.Cadence, "duration_minutes", 1),
    (m.Cadence, "attendees", ["finance"]),
    (m.Kpi, "direction", "sideways"),
    (m.Kpi, "baseline", "abc"),
    (m.KpiReading, "value", "abc"),
    (m.KpiReading, "date", "yesterday"),
    (m.Review, "date", ""),
    (m.ReviewNote, "text", ""),
    (m.Gate, "step", 0),
    (m.Gate, "continued", "maybe"),
    (m.Timebox, "step", 7),
    (m.Timebox, "planned_minutes", 0),
    (m.Timebox, "actual_seconds", -1),
]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    BAD_VALUES,
    ids=[f"{kind.__name__}.{field}={value!r:.20}" for kind, field, value in BAD_VALUES],
)
def test_a_bad_value_is_refused_with_a_plain_message_naming_the_field(
    kind: type[m.Record], field: str, value: Any
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        m.build(kind, {**VALID[kind], field: value})
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith((f"{field}: ", f"{field}.")), problems
    assert str(caught.value) == problems[0]
    assert "\n" not in problems[0]
    assert "pydantic" not in problems[0].lower()
    assert "Value error" not in problems[0]


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (m.Answer, "statement_id"),
        (m.Answer, "score"),
        (m.KpiReading, "kpi_id"),
        (m.Review, "date"),
        (m.Gate, "at"),
        (m.Term, "name"),
        (m.RevenueGoal, "target"),
    ],
)
def test_a_missing_required_field_is_named(kind: type[m.Record], field: str) -> None:
    data = {k: v for k, v in VALID[kind].items() if k != field}
    with pytest.raises(ValidationFailed) as caught:
        m.build(kind, data)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{field}: "), problems
    assert "required" in problems[0]


def test_every_problem_is_reported_one_line_each() -> None:
    with pytest.raises(ValidationFailed) as caught:
        m.build(m.ActionItem, {"title": "", "priority": "urgent", "due": "soon"})
    fields = sorted(problem.split(":")[0] for problem in caught.value.problems)
    assert fields == ["due", "priority", "title"]


def test_text_is_stripped_of_surrounding_spaces() -> None:
    participant = m.build(m.Participant, {"name": "  Sam  ", "role": " AE "})
    assert (participant.name, participant.role) == ("Sam", "AE")


# -- money and percentages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.2M", "1200000"),
        ("1.2m", "1200000"),
        ("$1.2M", "1200000"),
        ("25k", "25000"),
        ("25 K", "25000"),
        ("€25k", "25000"),
        ("1.25k", "1250"),
        ("1,200,000", "1200000"),
        ("1_200_000", "1200000"),
        ("1200000", "1200000"),
        ("25000.00", "25000"),
        ("0.1", "0.1"),
        ("1234.56", "1234.56"),
        (25000, "25000"),
        (0.1, "0.1"),
        (Decimal("0.30"), "0.30"),
    ],
)
def test_money_is_read_exactly(typed: object, expected: str) -> None:
    amount = m.parse_money(typed)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize("typed", ["abc", "", "k", "1.2.3", "NaN", "Infinity", True, "12 dollars"])
def test_money_that_is_not_an_amount_is_refused(typed: object) -> None:
    with pytest.raises(ValueError, match="amount"):
        m.parse_money(typed)


@pytest.mark.parametrize("typed", ["1e100", "1" * 40])
def test_a_huge_amount_is_refused_as_a_validation_error(typed: str) -> None:
    with pytest.raises(ValidationFailed):
        m.build(m.RevenueGoal, {"target": typed, "average_deal_size": "25k"})


def test_money_fields_hold_exact_decimals() -> None:
    goal = m.build(m.RevenueGoal, {"target": "1.2M", "average_deal_size": "0.1"})
    assert goal.target == Decimal(1_200_000)
    assert goal.average_deal_size == Decimal("0.1")
    assert goal.model_dump(mode="json")["average_deal_size"] == "0.1"


def test_money_in_a_field_is_refused_with_the_field_name() -> None:
    with pytest.raises(ValidationFailed) as caught:
        m.build(m.RevenueGoal, {"target": "abc", "average_deal_size": "25k"})
    assert caught.value.problems == ["target: must be an amount such as 25000 or 25k (got 'abc')"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("30", "30"),
        ("30%", "30"),
        (" 30 % ", "30"),
        ("12.5", "12.5"),
        ("12.5%", "12.5"),
        (30, "30"),
    ],
)
def test_percentages_are_read_exactly(typed: object, expected: str) -> None:
    percent = m.parse_percent(typed)
    assert percent == Decimal(expected)
    assert str(percent) == expected


@pytest.mark.parametrize("typed", ["abc", "", "%", "thirty%", True, "NaN%"])
def test_a_percentage_that_is_not_a_number_is_refused(typed: object) -> None:
    with pytest.raises(ValueError, match="percentage"):
        m.parse_percent(typed)


def test_percent_fields_accept_both_spellings() -> None:
    assert m.build(m.Stage, {"name": "MQL", "conversion": "30%"}).conversion == Decimal(30)
    assert m.build(m.Stage, {"name": "MQL", "conversion": "30"}).conversion == Decimal(30)
    assert m.build(m.Stage, {"name": "MQL", "conversion": "12.5 %"}).conversion == Decimal("12.5")
    assert m.build(m.Stage, {"name": "Won", "conversion": ""}).conversion is None
    goal = m.build(m.RevenueGoal, {**VALID[m.RevenueGoal], "marketing_share": "40%"})
    assert goal.marketing_share == Decimal(40)


# -- terms -----------------------------------------------------------------------------------


def signed_term(**fields: Any) -> m.Term:
    term: m.Term = m.build(
        m.Term, {"name": "MQL", "definition": "Fits the ICP", "example": "Acme", **fields}
    )
    return term.sign_off(m.Team.SALES, "Sam", WHEN).sign_off(m.Team.MARKETING, "Mia", WHEN)


def test_a_term_is_agreed_only_when_both_teams_signed_it_off() -> None:
    term = m.build(m.Term, {"name": "MQL"})
    assert term.status is m.TermStatus.PROPOSED
    sales = term.sign_off(m.Team.SALES, "Sam", WHEN)
    assert (sales.sales_signoff_by, sales.sales_signoff_at) == ("Sam", WHEN)
    assert sales.is_signed_off_by(m.Team.SALES)
    assert not sales.is_signed_off_by(m.Team.MARKETING)
    assert sales.status is m.TermStatus.PROPOSED
    both = sales.sign_off(m.Team.MARKETING, "Mia", WHEN)
    assert both.status is m.TermStatus.AGREED
    assert term.status is m.TermStatus.PROPOSED, "signing off returns a copy"


def test_the_status_is_part_of_the_dumped_term() -> None:
    assert signed_term().model_dump()["status"] == "agreed"


def test_toggling_a_sign_off_twice_withdraws_it() -> None:
    term = m.build(m.Term, {"name": "MQL"})
    on = term.toggle_sign_off(m.Team.MARKETING, "Mia", WHEN)
    assert on.is_signed_off_by(m.Team.MARKETING)
    off = on.toggle_sign_off(m.Team.MARKETING, "Mia", WHEN)
    assert not off.is_signed_off_by(m.Team.MARKETING)
    assert (off.marketing_signoff_by, off.marketing_signoff_at) == (None, None)


def test_withdrawing_one_sign_off_of_an_agreed_term_makes_it_proposed() -> None:
    term = signed_term().toggle_sign_off(m.Team.SALES, "Sam", WHEN)
    assert term.status is m.TermStatus.PROPOSED
    assert term.is_signed_off_by(m.Team.MARKETING)


@pytest.mark.parametrize("team", [m.Team.LEADERSHIP, m.Team.OTHER])
def test_only_sales_and_marketing_sign_terms_off(team: m.Team) -> None:
    with pytest.raises(ValidationFailed, match="Only sales and marketing"):
        m.build(m.Term, {"name": "MQL"}).sign_off(team, "Lee", WHEN)


def test_a_disputed_term_is_disputed_until_signed_off() -> None:
    term = m.build(m.Term, {"name": "MQL", "disputed": True})
    assert term.status is m.TermStatus.DISPUTED
    signed = term.sign_off(m.Team.SALES, "Sam", WHEN)
    assert not signed.disputed
    assert signed.status is m.TermStatus.PROPOSED


def test_a_signed_term_marked_disputed_is_disputed() -> None:
    term = signed_term().model_copy(update={"disputed": True})
    assert term.status is m.TermStatus.DISPUTED


@pytest.mark.parametrize("field", ["definition", "entry_criteria", "exit_criteria"])
def test_changing_the_meaning_of_a_signed_term_clears_both_sign_offs(field: str) -> None:
    revised, cleared = signed_term().revise(**{field: "Something else"})
    assert cleared is True
    assert getattr(revised, field) == "Something else"
    assert not revised.is_signed_off_by(m.Team.SALES)
    assert not revised.is_signed_off_by(m.Team.MARKETING)
    assert revised.sales_signoff_by is None
    assert revised.marketing_signoff_by is None
    assert revised.status is m.TermStatus.PROPOSED


@pytest.mark.parametrize(
    "changes", [{"example": "Globex"}, {"name": "Marketing qualified lead"}, {}]
)
def test_changing_only_the_example_or_name_keeps_the_sign_offs(changes: dict[str, str]) -> None:
    revised, cleared = signed_term().revise(**changes)
    assert cleared is False
    assert revised.status is m.TermStatus.AGREED
    for field, value in changes.items():
        assert getattr(revised, field) == value


def test_revising_with_the_same_definition_keeps_the_sign_offs() -> None:
    revised, cleared = signed_term().revise(definition="Fits the ICP")
    assert cleared is False
    assert revised.status is m.TermStatus.AGREED


def test_revising_an_unsigned_term_reports_nothing_cleared() -> None:
    term = m.build(m.Term, {"name": "MQL", "definition": "old"})
    revised, cleared = term.revise(definition="new")
    assert (revised.definition, cleared) == ("new", False)


def test_revising_a_term_keeps_its_identity() -> None:
    term = signed_term(id=7, session_id=3, version=4)
    revised, _ = term.revise(definition="new")
    assert (revised.id, revised.session_id, revised.version) == (7, 3, 4)


def test_revising_a_term_validates_the_change() -> None:
    with pytest.raises(ValidationFailed, match="name"):
        signed_term().revise(name="")


def test_term_names_compare_ignoring_case_and_spaces() -> None:
    assert m.build(m.Term, {"name": "  Marketing   Qualified Lead "}).clean_name == (
        m.build(m.Term, {"name": "marketing qualified lead"}).clean_name
    )


# -- action items, cadences, KPIs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (TODAY - dt.timedelta(days=1), m.ActionStatus.OPEN, True),
        (TODAY - dt.timedelta(days=30), m.ActionStatus.BLOCKED, True),
        (TODAY - dt.timedelta(days=1), m.ActionStatus.IN_PROGRESS, True),
        (TODAY - dt.timedelta(days=1), m.ActionStatus.DONE, False),
        (TODAY, m.ActionStatus.OPEN, False),
        (TODAY + dt.timedelta(days=1), m.ActionStatus.OPEN, False),
        (None, m.ActionStatus.OPEN, False),
    ],
)
def test_an_action_is_overdue_when_past_due_and_not_done(
    due: dt.date | None, status: m.ActionStatus, overdue: bool
) -> None:
    item = m.build(m.ActionItem, {"title": "Call MQLs", "due": due, "status": status})
    assert item.is_overdue(TODAY) is overdue


def test_the_status_cycles_open_in_progress_blocked_done_open() -> None:
    item = m.build(m.ActionItem, {"title": "Call MQLs"})
    seen = [item.status]
    for _ in range(4):
        item = item.model_copy(update={"status": item.next_status()})
        seen.append(item.status)
    assert seen == ["open", "in progress", "blocked", "done", "open"]


def test_an_empty_due_date_means_no_due_date() -> None:
    assert m.build(m.ActionItem, {"title": "x", "due": ""}).due is None
    assert m.build(m.ActionItem, {"title": "x", "due": "2026-12-01"}).due == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "weekday"),
    [
        ("Monday", 0),
        ("mon", 0),
        ("tue", 1),
        ("Wednesday", 2),
        ("THURSDAY", 3),
        (" fri ", 4),
        ("sat", 5),
        ("Sunday", 6),
        ("3", 3),
        (5, 5),
    ],
)
def test_a_cadence_weekday_can_be_named(typed: object, weekday: int) -> None:
    assert m.build(m.Cadence, {"name": "Review", "weekday": typed}).weekday == weekday


def test_a_word_that_merely_starts_like_a_weekday_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="weekday"):
        m.build(m.Cadence, {"name": "Review", "weekday": "monkey"})


def test_cadence_attendees_are_read_from_stored_json() -> None:
    cadence = m.build(m.Cadence, {"name": "Review", "attendees": '["sales", "leadership"]'})
    assert cadence.attendees == [m.Team.SALES, m.Team.LEADERSHIP]
    assert m.build(m.Cadence, {"name": "Review", "attendees": ""}).attendees == []


@pytest.mark.parametrize(
    ("direction", "baseline", "latest", "on_track"),
    [
        ("up", "10", "12", True),
        ("up", "10", "8", False),
        ("down", "48", "24", True),
        ("down", "48", "72", False),
        ("up", None, "12", None),
        ("up", "10", None, None),
    ],
)
def test_a_kpi_is_on_track_when_it_moved_the_right_way(
    direction: str, baseline: str | None, latest: str | None, on_track: bool | None
) -> None:
    kpi = m.build(m.Kpi, {"name": "Speed to lead", "direction": direction, "baseline": baseline})
    assert kpi.is_on_track(Decimal(latest) if latest else None) is on_track


def test_kpi_values_are_exact_decimals() -> None:
    kpi = m.build(m.Kpi, {"name": "CAC", "baseline": "0.1", "target": ""})
    assert kpi.baseline == Decimal("0.1")
    assert kpi.target is None
