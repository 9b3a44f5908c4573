"""The template context: one session read from the store and shaped as plain data.

Every exporter (Markdown, CSV, ICS) reads this one context, so the formats never disagree.
Values are dicts, lists, str, int, bool, Decimal or None; dates are ISO strings. User text is
left as typed: escaping is the template's job (its filters), never the context's.
docs/templates.md documents every key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from workshop import models as m
from workshop import steps
from workshop.assessment import INDEX_RULE, Gap
from workshop.blind_round import Disclosure, disclose
from workshop.cycle import won_index, work_out
from workshop.export.actions import action_items
from workshop.revenue import ROUNDING_RULE
from workshop.review.report import progress_report
from workshop.storage.store import Store

TEAM_LABELS: dict[str, str] = {team.value: team.value.capitalize() for team in m.Team}
WEEKDAY_NAMES = tuple(day.capitalize() for day in m.WEEKDAYS)
MISALIGNMENT_SHARE = Decimal(10)
"""Industry estimate (IDC): misalignment costs up to 10% of annual revenue."""
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def moment(value: dt.datetime | None) -> str | None:
    """A timestamp as the plan prints it: '2026-11-17 10:05 UTC' (naive times without a zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_context(
    store: Store, session_id: int, *, today: dt.date | None = None, tables: bool = True
) -> dict[str, Any]:
    """The documented template context of one session (see docs/templates.md).

    `tables=False` leaves the action tables' Markdown rows out, for the CSV and ICS exports.
    """
    session = store.get_session(session_id)
    today = today or dt.date.today()
    participants = store.rows(m.Participant, session_id)
    statements = store.rows(m.Statement, session_id)  # what action items serve, by gap
    terms = store.rows(m.Term, session_id)
    stages = store.rows(m.Stage, session_id)
    names: dict[str, dict[Any, Any]] = {
        "participants": {p.id: p for p in participants},
        "terms": {t.id: t.name for t in terms},
        "stages": {s.id: s.name for s in stages},
        "statements": {s.id: s.theme or s.text for s in statements},
    }
    return {
        "today": today.isoformat(),
        "session": _session(session),
        "teams": _teams(participants),
        "assessment": _assessment(disclose(store, session_id)),
        "glossary": _glossary(terms),
        "revenue": _revenue(store.rows(m.RevenueGoal, session_id), stages, names["terms"]),
        "actions": action_items(store, session_id, today, names, tables=tables),
        "progress": progress_report(store, session_id, today),
        "cadence": [_cadence(c, session.date) for c in store.rows(m.Cadence, session_id)],
        "kpis": _kpis(store.rows(m.Kpi, session_id), store.rows(m.KpiReading, session_id)),
        "gates": [_gate(g) for g in store.rows(m.Gate, session_id)],
        "timeboxes": _timeboxes(store.rows(m.Timebox, session_id)),
        "cost_of_misalignment": _cost(session),
        "rules": {"rounding": ROUNDING_RULE, "index": INDEX_RULE},
    }


def _session(session: m.Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "organisation": session.organisation,
        "facilitator": session.facilitator,
        "date": session.date.isoformat(),
        "currency": session.currency,
        "annual_revenue": session.annual_revenue,
        "notes": session.notes,
        "step_reached": session.step_reached,
        "step_name": steps.by_number(session.step_reached).name,
    }


def _teams(participants: list[m.Participant]) -> list[dict[str, Any]]:
    by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in participants:
        by_team[person.team.value].append(
            {"name": person.name, "team": person.team.value, "role": person.role}
        )
    return [
        {"team": team, "label": label, "participants": by_team[team]}
        for team, label in TEAM_LABELS.items()
        if by_team[team]
    ]


def _assessment(round_: Disclosure) -> dict[str, Any] | None:
    """The round as the plan shows it: before the reveal only how far each team has got (no
    score, index or gap, whatever the template); None while nobody has scored."""
    if not round_.started:
        return None
    scored = [
        {"team": team, "label": TEAM_LABELS[team], "count": count}
        for team, count in round_.scored.items()
    ]
    shown: dict[str, Any] = {
        "revealed": round_.revealed,
        "revealed_at": moment(round_.revealed_at),
        "progress": round_.progress,
        "scored": scored,
        "statement_count": round_.total,
        "indices": [],
        "largest_gaps": [],
        "statements": [],
    }
    result = round_.result
    if result is None:
        return shown
    by_id = {row.statement_id: row.statement for row in round_.rows}

    def gap(found: Gap) -> dict[str, Any]:
        statement = by_id[found.statement_id]
        return {
            "statement": statement.text,
            "theme": statement.theme,
            "polarity": statement.polarity.value,
            "sales": found.sales,
            "marketing": found.marketing,
            "gap": found.gap,
            "severity": found.severity.value,
            "marker": found.marker,
        }

    return shown | {
        "indices": [
            {"team": "sales", "label": "Sales", "index": result.sales_index},
            {"team": "marketing", "label": "Marketing", "index": result.marketing_index},
        ],
        "largest_gaps": [gap(found) for found in result.largest_gaps(5)],
        "statements": [gap(found) for found in result.gaps],
    }


def _sign_off(by: str | None, at: dt.datetime | None) -> dict[str, Any] | None:
    return None if at is None else {"by": by or "", "at": moment(at)}


def _glossary(terms: list[m.Term]) -> dict[str, Any] | None:
    if not terms:
        return None
    rows = [
        {
            "name": t.name,
            "definition": t.definition,
            "entry_criteria": t.entry_criteria,
            "exit_criteria": t.exit_criteria,
            "example": t.example,
            "status": t.status.value,
            "sales_signoff": _sign_off(t.sales_signoff_by, t.sales_signoff_at),
            "marketing_signoff": _sign_off(t.marketing_signoff_by, t.marketing_signoff_at),
        }
        for t in terms
    ]
    return {
        "terms": rows,
        "agreed": [t["name"] for t in rows if t["status"] == "agreed"],
        "proposed": [t["name"] for t in rows if t["status"] == "proposed"],
        "disputed": [t["name"] for t in rows if t["status"] == "disputed"],
    }


def _revenue(
    goals: list[m.RevenueGoal], stages: list[m.Stage], term_names: dict[int | None, str]
) -> dict[str, Any] | None:
    goal = goals[0] if goals else None
    if goal is None and not stages:
        return None
    plan, note = None, None
    if goal is None:
        note = "No revenue goal is set yet, so the stages have no volumes."
    elif stages:
        worked = work_out(goal, stages)
        if isinstance(worked, str):
            note = f"The volumes cannot be worked out yet: {worked}"
        else:
            plan = worked
    won = plan.won_index if plan else won_index(stages)
    volumes = plan.stages if plan else [None] * len(stages)
    rows = []
    for position, (stage, volume) in enumerate(zip(stages, volumes, strict=True)):
        row = {
            "name": stage.name,
            "owner_team": stage.owner_team.value if stage.owner_team else None,
            "term": term_names.get(stage.term_id),
            "conversion": stage.conversion,
            "exit_criteria": stage.exit_criteria,
            "sla": stage.sla,
            "is_won": position == won,
            "after_won": volume.after_won if volume else False,
            "volume": volume.volume if volume else None,
            "per_month": volume.per_month if volume else None,
            "marketing_sourced": volume.marketing_sourced if volume else None,
            "sales_sourced": volume.sales_sourced if volume else None,
        }
        rows.append(row)
    return {
        "goal": None
        if goal is None
        else {
            "period": goal.period,
            "months": goal.months,
            "target": goal.target,
            "average_deal_size": goal.average_deal_size,
            "marketing_share": goal.marketing_share,
            "sales_share": Decimal(100) - goal.marketing_share,
            "model": goal.model,
        },
        "stages": rows,
        "won_stage": stages[won].name if won is not None else None,
        "deals": plan.deals if plan else None,
        "win_rate": plan.win_rate if plan else None,
        "coverage": plan.coverage if plan else None,
        "pipeline_value": plan.pipeline_value if plan else None,
        "note": note,
        "rounding_rule": ROUNDING_RULE,
    }


def first_occurrence(cadence: m.Cadence, workshop_day: dt.date) -> tuple[dt.date, int | None]:
    """The first meeting on or after the start (or the workshop), and for a monthly meeting
    which weekday of the month it keeps (1–4, or -1 for the last)."""
    base = cadence.starts or workshop_day
    first = base + dt.timedelta(days=(cadence.weekday - base.weekday()) % 7)
    if cadence.frequency is not m.Frequency.MONTHLY:
        return first, None
    if cadence.starts is not None:
        nth = (first.day - 1) // 7 + 1
        return first, -1 if nth == 5 else nth
    while first.day > 7:  # without a start date a monthly meeting keeps the first weekday
        first += dt.timedelta(days=7)
    return first, 1


def _cadence(cadence: m.Cadence, workshop_day: dt.date) -> dict[str, Any]:
    first, nth = first_occurrence(cadence, workshop_day)
    day = WEEKDAY_NAMES[cadence.weekday]
    at = cadence.time.strftime("%H:%M")
    if cadence.frequency is m.Frequency.WEEKLY:
        schedule = f"Every {day} at {at}"
    elif cadence.frequency is m.Frequency.FORTNIGHTLY:
        schedule = f"Every other {day} at {at}"
    else:
        schedule = f"Monthly on the {_ORDINALS[nth or 1]} {day} at {at}"
    return {
        "id": cadence.id,
        "name": cadence.name,
        "frequency": cadence.frequency.value,
        "weekday": day,
        "weekday_number": cadence.weekday,
        "time": at,
        "duration_minutes": cadence.duration_minutes,
        "attendees": [team.value for team in cadence.attendees],
        "starts": cadence.starts.isoformat() if cadence.starts else None,
        "first": first.isoformat(),
        "nth_weekday": nth,
        "schedule": schedule,
    }


def _kpis(kpis: list[m.Kpi], readings: list[m.KpiReading]) -> list[dict[str, Any]]:
    latest: dict[int, m.KpiReading] = {}
    for reading in sorted(readings, key=lambda r: (r.date, r.id or 0)):
        latest[reading.kpi_id] = reading
    rows = []
    for kpi in kpis:
        last = latest.get(kpi.id or 0)
        rows.append(
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "direction": kpi.direction.value,
                "latest": None
                if last is None
                else {
                    "value": last.value,
                    "date": last.date.isoformat(),
                    "note": last.note,
                },
                "on_track": kpi.is_on_track(last.value if last else None),
            }
        )
    return rows


def _gate(gate: m.Gate) -> dict[str, Any]:
    return {
        "step": gate.step,
        "step_name": steps.by_number(gate.step).name,
        "reason": gate.reason,
        "continued": gate.continued,
        "at": moment(gate.at),
    }


def _clock(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def _signed_clock(seconds: int) -> str:
    if seconds == 0:
        return "0:00"
    return ("+" if seconds > 0 else "−") + _clock(abs(seconds))


def _timeboxes(timeboxes: list[m.Timebox]) -> list[dict[str, Any]]:
    return [
        {
            "step": box.step,
            "step_name": steps.by_number(box.step).name,
            "planned_minutes": box.planned_minutes,
            "actual_seconds": box.actual_seconds,
            "actual": _clock(box.actual_seconds),
            "over_seconds": box.actual_seconds - box.planned_minutes * 60,
            "difference": _signed_clock(box.actual_seconds - box.planned_minutes * 60),
        }
        for box in sorted(timeboxes, key=lambda b: (b.step, b.id or 0))
    ]


def _cost(session: m.Session) -> dict[str, Any] | None:
    if session.annual_revenue is None or session.annual_revenue <= 0:
        return None
    return {
        "annual_revenue": session.annual_revenue,
        "share": MISALIGNMENT_SHARE,
        "amount": session.annual_revenue * MISALIGNMENT_SHARE / 100,
        "currency": session.currency,
    }
