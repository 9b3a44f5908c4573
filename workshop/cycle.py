"""The revenue-cycle step as operations on the store: the goal, the ordered stages, the plan.

Each function is one intent of the facilitator ("use the waterfall", "move this stage up",
"the target is 1.2M") and writes it in one transaction; the maths stays in `revenue`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workshop import models as m
from workshop.errors import RevenueInputError, ValidationFailed
from workshop.revenue import (
    BOWTIE_WON_STAGE,
    DEFAULT_BOWTIE,
    DEFAULT_BOWTIE_CONVERSIONS,
    DEFAULT_WATERFALL,
    DEFAULT_WATERFALL_CONVERSIONS,
    RevenuePlan,
    StageInput,
    plan_revenue_cycle,
)
from workshop.storage.store import Store

CycleShape = Literal["bowtie", "waterfall"]

GOAL_FIELDS: dict[str, str] = {
    "period": "Period",
    "months": "Months",
    "target": "Target",
    "average_deal_size": "Average deal size",
    "marketing_share": "Marketing-sourced share",
}
"""The goal fields the facilitator edits, with the words the screen uses for them."""

REQUIRED_GOAL_FIELDS = ("target", "average_deal_size")
"""A goal can be saved only once both of these are known (they have no sensible default)."""


@dataclass(frozen=True)
class RevenueCycle:
    """A session's revenue goal and ordered stages, with the plan they work out to (or why not)."""

    goal: m.RevenueGoal | None
    stages: tuple[m.Stage, ...]
    plan: RevenuePlan | None
    problem: str | None

    @property
    def won_index(self) -> int | None:
        """Position in `stages` of the won stage, or None without stages."""
        return won_index(self.stages)


def won_index(stages: Sequence[m.Stage]) -> int | None:
    """The stage marked won, else the last stage; None when there are no stages."""
    if not stages:
        return None
    return next((i for i, stage in enumerate(stages) if stage.is_won), len(stages) - 1)


def work_out(goal: m.RevenueGoal, stages: Sequence[m.Stage]) -> RevenuePlan | str:
    """The plan for `goal` through `stages`, or the reason the maths refuses these numbers."""
    won = won_index(stages)
    if won is None:
        return "Add stages (or pick the bowtie or waterfall defaults) to work the goal back."
    try:
        return plan_revenue_cycle(
            goal.target,
            goal.average_deal_size,
            [StageInput(stage.name, stage.conversion) for stage in stages],
            months=goal.months,
            marketing_share=goal.marketing_share,
            won_index=won,
        )
    except RevenueInputError as error:
        return str(error)


def load_cycle(store: Store, session_id: int) -> RevenueCycle:
    """Read the session's goal and stages (in order) and work out the plan."""
    goals = store.rows(m.RevenueGoal, session_id)
    goal = goals[0] if goals else None
    stages = tuple(store.rows(m.Stage, session_id))
    if goal is None:
        problem = "Enter the target and average deal size to work the cycle back."
        return RevenueCycle(None, stages, None, problem)
    result = work_out(goal, stages)
    if isinstance(result, str):
        return RevenueCycle(goal, stages, None, result)
    return RevenueCycle(goal, stages, result, None)


# -- the goal ----------------------------------------------------------------------------------


def _plain(problem: str, field: str) -> str:
    """Pydantic's 'field: Input should be …' as '<Label> must be …'."""
    reason = problem.split(": ", 1)[1] if problem.startswith(f"{field}: ") else problem
    reason = re.sub(r"^(Input|String|Value) should (be|have)", r"must \2", reason)
    return f"{GOAL_FIELDS.get(field, field)} {reason}"


def check_goal_field(field: str, text: str) -> Any:
    """The validated value of one goal field as typed; ValidationFailed with a plain reason."""
    if field not in GOAL_FIELDS:
        raise ValidationFailed(f"{field} is not a field of the revenue goal.")
    if field in REQUIRED_GOAL_FIELDS and not text.strip():
        raise ValidationFailed(f"{GOAL_FIELDS[field]} must be given (an amount above 0).")
    # The other fields get harmless stand-ins so only the typed one can fail.
    try:
        goal: m.RevenueGoal = m.build(
            m.RevenueGoal, {"target": 1, "average_deal_size": 1, field: text}
        )
    except ValidationFailed as error:
        raise ValidationFailed(_plain(error.problems[0], field)) from None
    return getattr(goal, field)


def set_goal_field(
    store: Store,
    session_id: int,
    goal: m.RevenueGoal | None,
    field: str,
    text: str,
    *,
    pending: Mapping[str, str] | None = None,
) -> m.RevenueGoal | None:
    """Save one goal field as typed; an invalid value raises ValidationFailed and changes nothing.

    `goal` is the goal as last read (None when the session has none yet): an unchanged value
    writes nothing. Without a goal, the goal is created once target and average deal size are
    both known, taking the other fields from `pending` (the fields typed so far); until then
    this returns None.
    """
    value = check_goal_field(field, text)
    if goal is not None:
        if getattr(goal, field) == value:
            return goal
        return store.update(goal.model_copy(update={field: value}))
    values: dict[str, Any] = {}
    for name, typed in (pending or {}).items():
        if name in GOAL_FIELDS and name != field and typed.strip():
            try:
                values[name] = check_goal_field(name, typed)
            except ValidationFailed:
                continue  # already refused where it was typed; the goal starts without it
    values[field] = value
    if not all(name in values for name in REQUIRED_GOAL_FIELDS):
        return None
    values["model"] = _shape_of(store.rows(m.Stage, session_id))
    created: m.RevenueGoal = store.add(m.build(m.RevenueGoal, values), session_id)
    return created


def _shape_of(stages: Sequence[m.Stage]) -> CycleShape:
    """Which default the stages look like, for the goal's record of it."""
    names = tuple(stage.name for stage in stages)
    return "waterfall" if names and names[0] == DEFAULT_WATERFALL[0] else "bowtie"


# -- the stages --------------------------------------------------------------------------------


def create_default_stages(store: Store, session_id: int, shape: CycleShape) -> list[m.Stage]:
    """Give a session without stages the bowtie or waterfall defaults, all in one transaction.

    Stages are linked to the session's terms of the same name; owners are left for the room
    to decide (the step-4 gate asks about them).
    """
    if shape == "bowtie":
        names, conversions, won = DEFAULT_BOWTIE, DEFAULT_BOWTIE_CONVERSIONS, BOWTIE_WON_STAGE
    elif shape == "waterfall":
        names, conversions = DEFAULT_WATERFALL, DEFAULT_WATERFALL_CONVERSIONS
        won = DEFAULT_WATERFALL[-1]
    else:
        raise ValidationFailed(f"The default cycle is 'bowtie' or 'waterfall' (got {shape!r}).")
    terms = {term.clean_name: term.id for term in store.rows(m.Term, session_id)}
    with store.transaction(one_undo=True):
        if store.rows(m.Stage, session_id):
            raise ValidationFailed("This session already has stages; the defaults were not added.")
        created = [
            store.add(
                m.Stage(
                    position=position,
                    name=name,
                    conversion=conversion,
                    term_id=terms.get(m.clean_name(name)),
                    is_won=name == won,
                ),
                session_id,
            )
            for position, (name, conversion) in enumerate(zip(names, conversions, strict=True), 1)
        ]
        goals = store.rows(m.RevenueGoal, session_id)
        if goals and goals[0].model != shape:
            store.update(goals[0].model_copy(update={"model": shape}))
    return created


def move_stage(store: Store, session_id: int, stage_id: int, offset: int) -> list[m.Stage]:
    """Move a stage `offset` places (-1 up, +1 down) by swapping positions, in one transaction.

    Returns the stages in their new order; a move past either end changes nothing.
    """
    with store.transaction(one_undo=True):
        stages = store.rows(m.Stage, session_id)
        index = next((i for i, s in enumerate(stages) if s.id == stage_id), None)
        if index is None:
            raise ValidationFailed(f"Stage #{stage_id} is not part of this session.")
        other = index + offset
        if not 0 <= other < len(stages):
            return stages
        stages[index], stages[other] = stages[other], stages[index]
        positions = [stage.position for stage in stages]
        if len(set(positions)) == len(positions):
            # Distinct positions: the two stages simply trade theirs.
            positions[index], positions[other] = positions[other], positions[index]
        else:
            positions = list(range(1, len(stages) + 1))
        for i, (stage, position) in enumerate(zip(stages, positions, strict=True)):
            if stage.position != position:
                stages[i] = store.update(stage.model_copy(update={"position": position}))
    return stages


def _check_stage(stage: m.Stage, index: int, order: Sequence[m.Stage]) -> None:
    """Rules a stage must meet in the cycle: a unique name, a conversion before the won stage."""
    key = m.clean_name(stage.name)
    if any(m.clean_name(other.name) == key for i, other in enumerate(order) if i != index):
        raise ValidationFailed(f"name: a stage named '{stage.name}' is already in the cycle.")
    won = won_index(order)
    if stage.conversion is None and won is not None and index < won:
        raise ValidationFailed(
            "conversion: a stage before the won stage needs its conversion to the next stage."
        )


def _arrange(
    store: Store, order: Sequence[m.Stage], won: m.Stage | None, *, renumber: bool
) -> None:
    """Store positions 1…n for `order` if `renumber`; when `won` is given, it alone is won."""
    for position, stage in enumerate(order, 1):
        if stage.id is None or stage is won:
            continue
        update: dict[str, Any] = {}
        if renumber and stage.position != position:
            update["position"] = position
        if won is not None and stage.is_won:
            update["is_won"] = False
        if update:
            store.update(stage.model_copy(update=update))


def _unmark_others(order: list[m.Stage], index: int) -> list[m.Stage]:
    """The order as it will be once the stage at `index`, marked won, is the only won stage."""
    return [
        s if i == index else s.model_copy(update={"is_won": False}) for i, s in enumerate(order)
    ]


def add_stage(
    store: Store, session_id: int, values: Mapping[str, Any], *, after: m.Stage | None = None
) -> m.Stage:
    """Add a stage just below `after` (or at the end), shifting the later ones down."""
    stage: m.Stage = m.build(m.Stage, {**values, "session_id": session_id})
    with store.transaction(one_undo=True):
        stages = store.rows(m.Stage, session_id)
        index = len(stages)
        if after is not None:
            index = next((i + 1 for i, s in enumerate(stages) if s.id == after.id), index)
        order = [*stages[:index], stage, *stages[index:]]
        _check_stage(stage, index, _unmark_others(order, index) if stage.is_won else order)
        _arrange(store, order, stage if stage.is_won else None, renumber=True)
        return store.add(stage.model_copy(update={"position": index + 1}), session_id)


def save_stage(store: Store, stage: m.Stage, values: Mapping[str, Any]) -> m.Stage:
    """Save an edit of a stage (rename, owner, term, conversion, criteria, SLA, won)."""
    assert stage.session_id is not None
    edited: m.Stage = m.build(m.Stage, {**stage.model_dump(), **values})
    with store.transaction(one_undo=True):
        stages = store.rows(m.Stage, stage.session_id)
        index = next((i for i, s in enumerate(stages) if s.id == stage.id), None)
        if index is None:
            return store.update(edited)  # deleted elsewhere: the store says so plainly
        order = [edited if i == index else s for i, s in enumerate(stages)]
        _check_stage(edited, index, _unmark_others(order, index) if edited.is_won else order)
        if edited.is_won:
            _arrange(store, order, edited, renumber=False)
        return store.update(edited)


def rename_stage(store: Store, stage: m.Stage, name: str) -> m.Stage:
    """Rename a stage (names stay unique within the cycle)."""
    return save_stage(store, stage, {"name": name})


def delete_stage(store: Store, stage: m.Stage) -> None:
    """Delete a stage; action items that served it keep no stage."""
    store.delete(stage)


def owner_gate_reason(store: Store, session_id: int) -> str | None:
    """'2 stages have no owner' when any stage lacks an owner team (the step-4 gate), else None."""
    count = len(stages_without_owner(store, session_id))
    if not count:
        return None
    return f"{count} stage{'s have' if count > 1 else ' has'} no owner"


def stages_without_owner(store: Store, session_id: int) -> list[m.Stage]:
    """Revenue-cycle stages nobody owns (the step-4 gate)."""
    return [s for s in store.rows(m.Stage, session_id) if s.owner_team is None]
