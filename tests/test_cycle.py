"""The revenue-cycle rules on the store: defaults, goal fields, stage edits, reorder, gate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workshop import cycle
from workshop import models as m
from workshop.errors import ValidationFailed
from workshop.revenue import DEFAULT_BOWTIE, DEFAULT_WATERFALL
from workshop.storage.store import Store


def _goal(store: Store, session_id: int, **fields: object) -> m.RevenueGoal:
    values = {"target": "1200000", "average_deal_size": "25000", **fields}
    return store.add(m.build(m.RevenueGoal, values), session_id)


def test_waterfall_defaults_work_out_the_design_example(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    _goal(store, sid)
    stages = cycle.create_default_stages(store, sid, "waterfall")
    assert [s.name for s in stages] == list(DEFAULT_WATERFALL)
    assert [s.position for s in stages] == [1, 2, 3, 4, 5, 6]
    assert [s.is_won for s in stages] == [False] * 5 + [True]
    state = cycle.load_cycle(store, sid)
    assert state.problem is None and state.plan is not None
    assert state.plan.deals == 48
    assert state.plan.volume_of("Opportunity") == 192
    assert state.plan.coverage == Decimal("4.00")
    assert store.rows(m.RevenueGoal, sid)[0].model == "waterfall"


def test_bowtie_defaults_are_won_at_commit_and_refused_twice(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    cycle.create_default_stages(store, sid, "bowtie")
    stages = store.rows(m.Stage, sid)
    assert [s.name for s in stages] == list(DEFAULT_BOWTIE)
    assert [s.name for s in stages if s.is_won] == ["Commit"]
    assert cycle.won_index(stages) == 3
    with pytest.raises(ValidationFailed, match="already has stages"):
        cycle.create_default_stages(store, sid, "waterfall")
    assert len(store.rows(m.Stage, sid)) == len(DEFAULT_BOWTIE)


def test_defaults_link_terms_of_the_same_name(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    mql = store.add(m.Term(name="mql"), sid)
    stages = cycle.create_default_stages(store, sid, "waterfall")
    assert {s.name: s.term_id for s in stages}["MQL"] == mql.id


def test_goal_without_stages_or_goal_says_why(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    state = cycle.load_cycle(store, sid)
    assert state.plan is None and "target" in (state.problem or "")
    _goal(store, sid)
    state = cycle.load_cycle(store, sid)
    assert state.plan is None and "stages" in (state.problem or "")


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("target", "-5", "Target must be greater than 0"),
        ("target", "0", "Target must be greater than 0"),
        ("target", "abc", "Target must be an amount"),
        ("average_deal_size", "", "Average deal size must be given"),
        ("months", "0", "Months must be greater than or equal to 1"),
        ("marketing_share", "150", "Marketing-sourced share must be less than or equal to 100"),
    ],
)
def test_invalid_goal_field_is_refused_and_the_last_good_value_kept(
    store: Store, session: m.Session, field: str, text: str, reason: str
) -> None:
    sid = session.id or 0
    goal = _goal(store, sid)
    with pytest.raises(ValidationFailed, match=reason):
        cycle.set_goal_field(store, sid, goal, field, text)
    assert store.rows(m.RevenueGoal, sid)[0] == goal


def test_goal_field_saves_and_unchanged_value_writes_nothing(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    goal = _goal(store, sid)
    saved = cycle.set_goal_field(store, sid, goal, "target", "$1.5M")
    assert saved is not None and saved.target == Decimal(1_500_000)
    changes = len(store.changes(sid))
    assert cycle.set_goal_field(store, sid, saved, "target", "1,500,000") is saved
    assert len(store.changes(sid)) == changes


def test_goal_is_created_once_target_and_deal_size_are_known(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    assert cycle.set_goal_field(store, sid, None, "target", "1200000") is None
    assert store.rows(m.RevenueGoal, sid) == []
    goal = cycle.set_goal_field(
        store,
        sid,
        None,
        "average_deal_size",
        "25k",
        pending={"target": "1200000", "months": "6", "marketing_share": "abc"},
    )
    assert goal is not None and goal.id is not None
    assert (goal.target, goal.average_deal_size, goal.months) == (
        Decimal(1_200_000),
        Decimal(25_000),
        6,
    )
    assert goal.marketing_share == Decimal(50)  # the refused share was left out


def test_move_stage_swaps_positions_in_one_go(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    stages = cycle.create_default_stages(store, sid, "waterfall")
    sal, sql = stages[2], stages[3]
    cycle.move_stage(store, sid, sql.id or 0, -1)
    after = {s.name: s.position for s in store.rows(m.Stage, sid)}
    assert (after["SAL"], after["SQL"]) == (sql.position, sal.position)
    before_edge = store.rows(m.Stage, sid)
    cycle.move_stage(store, sid, stages[0].id or 0, -1)  # already first: nothing moves
    assert store.rows(m.Stage, sid) == before_edge


def test_move_stage_renumbers_tied_positions(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    first = store.add(m.Stage(name="A", conversion=Decimal(50)), sid)
    store.add(m.Stage(name="B"), sid)
    cycle.move_stage(store, sid, first.id or 0, 1)
    assert [(s.name, s.position) for s in store.rows(m.Stage, sid)] == [("B", 1), ("A", 2)]


def test_add_stage_below_selected_shifts_the_rest(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    stages = cycle.create_default_stages(store, sid, "waterfall")
    added = cycle.add_stage(store, sid, {"name": "Demo", "conversion": "80"}, after=stages[3])
    names = [s.name for s in store.rows(m.Stage, sid)]
    assert names == ["Lead", "MQL", "SAL", "SQL", "Demo", "Opportunity", "Won"]
    assert added.position == 5


def test_add_stage_refuses_a_duplicate_name_and_a_missing_conversion(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    stages = cycle.create_default_stages(store, sid, "waterfall")
    with pytest.raises(ValidationFailed, match="already in the cycle"):
        cycle.add_stage(store, sid, {"name": " mql ", "conversion": "10"})
    with pytest.raises(ValidationFailed, match="conversion"):
        cycle.add_stage(store, sid, {"name": "Demo"}, after=stages[0])
    assert len(store.rows(m.Stage, sid)) == len(DEFAULT_WATERFALL)


@pytest.mark.parametrize("typed", ["0", "150", "abc", "-5"])
def test_invalid_conversion_is_refused_and_the_old_one_kept(
    store: Store, session: m.Session, typed: str
) -> None:
    sid = session.id or 0
    opportunity = cycle.create_default_stages(store, sid, "waterfall")[4]
    with pytest.raises(ValidationFailed, match="conversion"):
        cycle.save_stage(store, opportunity, {"conversion": typed})
    assert store.get(m.Stage, opportunity.id or 0).conversion == Decimal(25)


def test_marking_a_stage_won_unmarks_the_other(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    stages = cycle.create_default_stages(store, sid, "waterfall")
    cycle.save_stage(store, stages[4], {"is_won": True})
    assert [s.name for s in store.rows(m.Stage, sid) if s.is_won] == ["Opportunity"]
    renamed = cycle.rename_stage(store, store.get(m.Stage, stages[4].id or 0), "Deal")
    assert renamed.name == "Deal" and renamed.is_won


def test_owner_gate_counts_stages_without_owner(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    assert cycle.owner_gate_reason(store, sid) is None
    stages = cycle.create_default_stages(store, sid, "waterfall")
    for stage in stages[:4]:
        cycle.save_stage(store, stage, {"owner_team": m.Team.SALES})
    assert cycle.owner_gate_reason(store, sid) == "2 stages have no owner"
    cycle.save_stage(store, store.get(m.Stage, stages[4].id or 0), {"owner_team": "sales"})
    assert cycle.owner_gate_reason(store, sid) == "1 stage has no owner"
    cycle.delete_stage(store, store.get(m.Stage, stages[5].id or 0))
    assert cycle.owner_gate_reason(store, sid) is None
