"""Tests of the shipped sample sessions: the complete demo and the blank starter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workshop import models as m
from workshop.assessment import STATEMENT_BANK, StatementScores, score_assessment
from workshop.resources import sample_session
from workshop.revenue import (
    BOWTIE_WON_STAGE,
    DEFAULT_BOWTIE,
    DEFAULT_BOWTIE_CONVERSIONS,
    StageInput,
    plan_revenue_cycle,
)
from workshop.storage import session_file as sf
from workshop.storage.store import Store

BLANK_TERMS = ["Lead", "MQL", "SAL", "SQL", "Opportunity", "Pipeline", "ICP", "Win rate", "CAC"]


def load(name: str) -> sf.SessionDocument:
    return sf.parse_document(sample_session(name).read_bytes())


@pytest.mark.parametrize("name", ["demo", "blank"])
def test_a_sample_imports_cleanly(store: Store, name: str) -> None:
    session = sf.import_json(store, sample_session(name).read_bytes())
    assert session.id is not None
    assert store.rows(m.Statement, session.id)


def test_the_demo_is_already_in_the_exported_layout() -> None:
    text = sample_session("demo").read_text(encoding="utf-8")
    assert sf.dump_document(sf.parse_document(text)) == text


def test_the_demo_is_a_complete_workshop() -> None:
    demo = load("demo")
    assert demo.session.organisation == "Northwind Analytics"
    assert demo.session.date == dt.date(2026, 11, 17)
    assert demo.session.step_reached == 6
    teams = [p.team for p in demo.participants]
    assert len(teams) == 8 and teams.count(m.Team.LEADERSHIP) == 1
    assert {m.Team.SALES, m.Team.MARKETING} <= set(teams)
    assert len(demo.terms) >= 12
    statuses = [t.status for t in demo.terms]
    assert statuses.count(m.TermStatus.DISPUTED) == 1
    assert m.TermStatus.AGREED in statuses and m.TermStatus.PROPOSED in statuses
    one_side = [t for t in demo.terms if bool(t.sales_signoff_at) != bool(t.marketing_signoff_at)]
    assert one_side
    assert all(t.definition for t in demo.terms if t.status is m.TermStatus.AGREED)
    gate = demo.gates[0]
    assert gate.step == 3 and gate.continued
    assert sorted(t.step for t in demo.timeboxes) == [1, 2, 3, 4, 5, 6]


def test_the_demo_assessment_shows_the_lead_quality_and_definition_gaps() -> None:
    demo = load("demo")
    assert [s.key for s in demo.statements] == [b.key for b in STATEMENT_BANK]
    scores = {(a.statement_id, a.team): a.score for a in demo.answers}
    assert all(a.participant_id is None for a in demo.answers)
    assert len(scores) == 2 * len(STATEMENT_BANK)
    result = score_assessment(
        StatementScores(
            statement_id=s.id or 0,
            polarity=s.polarity,
            sales=Decimal(scores[(s.id, m.Team.SALES)]),
            marketing=Decimal(scores[(s.id, m.Team.MARKETING)]),
        )
        for s in demo.statements
    )
    keys = {s.id: s.key for s in demo.statements}
    top = {keys[gap.statement_id] for gap in result.largest_gaps(4)}
    assert {"lead_quality_questioned", "shared_definitions"} <= top


def test_the_demo_revenue_cycle_works_back_from_the_goal() -> None:
    demo = load("demo")
    goal = demo.revenue_goal
    assert goal is not None
    assert (goal.target, goal.average_deal_size, goal.months, goal.marketing_share) == (
        Decimal(12_000_000),
        Decimal(48_000),
        12,
        Decimal(60),
    )
    stages = sorted(demo.stages, key=lambda s: s.position)
    assert 6 <= len(stages) <= 7
    assert all(s.owner_team is not None and s.exit_criteria and s.sla for s in stages)
    assert sum(s.is_won for s in stages) == 1
    won = next(i for i, s in enumerate(stages) if s.is_won)
    plan = plan_revenue_cycle(
        goal.target,
        goal.average_deal_size,
        [StageInput(s.name, s.conversion) for s in stages],
        months=goal.months,
        marketing_share=goal.marketing_share,
        won_index=won,
    )
    assert plan.deals == 250
    assert plan.stages[won - 1].volume == 1000


def test_the_demo_has_a_full_action_plan() -> None:
    demo = load("demo")
    actions = demo.action_items
    assert len(actions) >= 15
    assert {a.category for a in actions} == set(m.Category)
    assert {a.status for a in actions} == set(m.ActionStatus)
    assert {a.priority for a in actions} == set(m.Priority)
    assert all(a.owner_id is not None and a.due is not None for a in actions)
    assert all(dt.date(2026, 12, 1) <= a.due <= dt.date(2027, 3, 31) for a in actions if a.due)
    assert any(a.term_id for a in actions) and any(a.stage_id for a in actions)
    assert any(a.statement_id for a in actions)
    disputed = next(t for t in demo.terms if t.disputed)
    assert any(a.term_id == disputed.id for a in actions)
    assert all(a.done_at for a in actions if a.status is m.ActionStatus.DONE)


def test_the_demo_keeps_the_cadence_and_the_kpis() -> None:
    demo = load("demo")
    frequencies = {c.frequency for c in demo.cadences}
    assert m.Frequency.WEEKLY in frequencies and m.Frequency.MONTHLY in frequencies
    assert len(demo.kpis) == 4
    for kpi in demo.kpis:
        assert kpi.baseline is not None and kpi.target is not None
        readings = [r for r in demo.kpi_readings if r.kpi_id == kpi.id]
        assert 2 <= len(readings) <= 3
    assert demo.reviews and demo.review_notes


def test_the_blank_starter_has_undefined_terms_and_the_default_bowtie() -> None:
    blank = load("blank")
    assert blank.session.title == "New alignment workshop"
    assert blank.session.date == dt.date.today()  # no date in the file: the day it is used
    assert blank.participants == [] and blank.answers == [] and blank.action_items == []
    assert blank.revenue_goal is None
    assert [t.name for t in blank.terms] == BLANK_TERMS
    assert all(not t.definition and t.status is m.TermStatus.PROPOSED for t in blank.terms)
    stages = sorted(blank.stages, key=lambda s: s.position)
    assert tuple(s.name for s in stages) == DEFAULT_BOWTIE
    assert tuple(s.conversion for s in stages) == DEFAULT_BOWTIE_CONVERSIONS
    assert [s.name for s in stages if s.is_won] == [BOWTIE_WON_STAGE]
    assert [s.key for s in blank.statements] == [b.key for b in STATEMENT_BANK]
    assert sorted(t.step for t in blank.timeboxes) == [1, 2, 3, 4, 5, 6]
    assert all(t.actual_seconds == 0 for t in blank.timeboxes)
