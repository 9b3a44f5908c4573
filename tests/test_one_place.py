"""Each workshop fact has one definition that every screen and export reads.

The steps live in `workshop.steps`, the priority order in `workshop.models`.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import textwrap

from tui.screens.session import step_bar
from tui.steps import step_classes
from workshop import models as m
from workshop import steps, timebox
from workshop.export.context import build_context
from workshop.planning import ActionView
from workshop.review.search import SearchHit
from workshop.storage.store import Store
from workshop.wrap_up import wrap_up_summary


def _class_assignments(cls: type, names: set[str]) -> dict[str, ast.expr]:
    """The expressions a class body assigns to `names`, as written in its source."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(body, ast.ClassDef)
    found: dict[str, ast.expr] = {}
    for statement in body.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                found[target.id] = statement.value
    return found


def test_every_step_pane_takes_its_number_and_title_from_the_steps() -> None:
    assert [(pane.number, pane.title) for pane in step_classes()] == [
        (step.number, step.name) for step in steps.STEPS
    ]
    for pane in step_classes():
        written = _class_assignments(pane, {"number", "title"})
        assert set(written) == {"number", "title"}, pane.__name__
        literals = [name for name, value in written.items() if isinstance(value, ast.Constant)]
        assert not literals, f"{pane.__name__} spells out its {literals} again"


def test_the_step_bar_wrap_up_search_and_timeboxes_read_the_steps(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    wide, narrow = step_bar(1, 200).plain, step_bar(1, 60).plain
    assert all(f" {s.number} {s.name} " in wide for s in steps.STEPS), wide
    assert all(f" {s.number} {s.short_name} " in narrow for s in steps.STEPS), narrow
    lines = wrap_up_summary(store, sid, dt.date(2026, 11, 23))[1:]
    assert [line.split(":")[0] for line in lines] == [
        f"{s.number} {s.name}" for s in steps.STEPS[:-1]
    ]
    hits = [SearchHit(sid, "", entity, 1, "", "") for entity in ("terms", "action_items")]
    assert [hit.step for hit in hits] == [steps.TERMS.number, steps.ACTIONS.number]
    for step in steps.STEPS:
        assert timebox.timebox_for(store, sid, step.number).planned_minutes == step.default_minutes
    shown = build_context(store, sid, today=dt.date(2026, 11, 23))["timeboxes"]
    assert [(box["step"], box["step_name"]) for box in shown] == [
        (s.number, s.name) for s in steps.STEPS
    ]


def test_the_plan_and_the_action_table_sort_by_the_one_priority_order(
    store: Store, session: m.Session
) -> None:
    sid = session.id or 0
    due = dt.date(2026, 12, 1)
    for priority in m.Priority:  # entered least urgent first, so entry order cannot pass
        store.add(m.ActionItem(title=priority.value, due=due, priority=priority), sid)
    most_urgent_first = [priority.value for priority in m.PRIORITY_ORDER]
    assert most_urgent_first[0] == m.Priority.CRITICAL.value
    plan = build_context(store, sid, today=dt.date(2026, 11, 23))["actions"]["all"]
    assert [item["title"] for item in plan] == most_urgent_first
    table = ActionView(sort="priority").arrange(store.rows(m.ActionItem, sid), {})
    assert [item.title for item in table] == most_urgent_first
    assert [priority.rank for priority in m.PRIORITY_ORDER] == [0, 1, 2, 3]
