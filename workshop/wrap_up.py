"""The wrap-up: a few lines saying where the session stands before the plan leaves the room."""

from __future__ import annotations

import datetime as dt

from workshop import models as m
from workshop import steps
from workshop.storage.store import Store


def wrap_up_summary(store: Store, session_id: int, today: dt.date | None = None) -> list[str]:
    """Plain lines: the session, then one per step (people, answers, terms, cycle, actions)."""
    today = today or dt.date.today()
    session = store.get_session(session_id)
    people = store.rows(m.Participant, session_id)
    terms = store.rows(m.Term, session_id)
    answers = store.rows(m.Answer, session_id)
    stages = store.rows(m.Stage, session_id)
    goals = store.rows(m.RevenueGoal, session_id)
    items = store.rows(m.ActionItem, session_id)
    agreed = sum(1 for t in terms if t.status is m.TermStatus.AGREED)
    disputed = sum(1 for t in terms if t.status is m.TermStatus.DISPUTED)
    teams_answered = sorted({a.team.value for a in answers})
    open_items = [i for i in items if i.status is not m.ActionStatus.DONE]
    overdue = sum(1 for i in items if i.is_overdue(today))
    goal = goals[0] if goals else None
    lines = [
        f"{session.title} — {session.organisation or 'no organisation'}, "
        f"{session.date.isoformat()}, facilitated by {session.facilitator or 'nobody named'}",
        _step_line(steps.PARTICIPANTS, str(len(people))),
        _step_line(steps.ASSESS, f"answers from {', '.join(teams_answered) or 'no team yet'}"),
        _step_line(
            steps.TERMS,
            f"{agreed} of {len(terms)} agreed by both teams"
            + (f", {disputed} disputed" if disputed else ""),
        ),
        _step_line(
            steps.REVENUE_CYCLE,
            f"{len(stages)} stages, "
            + (
                f"goal {goal.target:,} {session.currency} in {goal.months} months"
                if goal
                else "no revenue goal yet"
            ),
        ),
        _step_line(
            steps.ACTIONS,
            f"{len(items)} items, {len(open_items)} open"
            + (f", {overdue} overdue" if overdue else ""),
        ),
    ]
    return lines


def _step_line(step: steps.Step, text: str) -> str:
    """One step's line of the summary, e.g. '3 Terms: 2 of 5 agreed by both teams'."""
    return f"{step.number} {step.name}: {text}"
