"""The template context: one session read from the store and shaped as plain data.

The session is read once (`workshop.storage.rows.read_session`, one query a table); the plan,
the assessment and the Progress section are all built from those rows.

Every exporter (Markdown, CSV, ICS) reads this one context, so the formats never disagree.
Values are dicts, lists, str, int, bool, Decimal or None; dates are ISO strings. User text is
left as typed: escaping is the template's job (its filters), never the context's.
docs/templates.md documents every key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from workshop import models as m
from workshop import steps
from workshop.assessment import INDEX_RULE, Gap
from workshop.blind_round import Disclosure, disclosure_of
from workshop.cycle import won_index, work_out
from workshop.export.actions import action_items
from workshop.revenue import ROUNDING_RULE
from workshop.review.board import KpiStatus, kpi_statuses_of
from workshop.review.report import progress_of
from workshop.storage.rows import SessionRows, read_session
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
    return context_of(read_session(store, session_id), today=today, tables=tables)


def context_of(
    rows: SessionRows, *, today: dt.date | None = None, tables: bool = True
) -> dict[str, Any]:
    """The documented template context of the session in `rows` (no store access)."""
    session = rows.session
    today = today or dt.date.today()
    names: dict[str, dict[Any, Any]] = {
        "participants": {p.id: p for p in rows.participants},
        "terms": {t.id: t.name for t in rows.terms},
        "stages": {s.id: s.name for s in rows.stages},
        "statements": {s.id: s.theme or s.text for s in rows.statements},  # what items serve
    }
    return {
        "today": today.isoformat(),
        "session": _session(session),
        "teams": _teams(rows.participants),
        "assessment": _assessment(disclosure_of(rows)),
        "glossary": _glossary(rows.terms),
        "revenue": _revenue(rows.revenue_goals, rows.stages, names["terms"]),
        "actions": action_items(rows.action_items, today, names, tables=tables),
        "progress": progress_of(rows, today),
        "cadence": [_cadence(c, session.date) for c in rows.cadences],
        "kpis": _kpis(kpi_statuses_of(rows.kpis, rows.kpi_readings)),
        "gates": [_gate(g) for g in rows.gates],
        "timeboxes": _timeboxes(rows.timeboxes),
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


def _teams(participants: Sequence[m.Participant]) -> list[dict[str, Any]]:
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


def _glossary(terms: Sequence[m.Term]) -> dict[str, Any] | None:
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
    goals: Sequence[m.RevenueGoal], stages: Sequence[m.Stage], term_names: dict[int | None, str]
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


def _kpis(statuses: Sequence[KpiStatus]) -> list[dict[str, Any]]:
    rows = []
    for status in statuses:
        kpi, last = status.kpi, status.latest
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
                "on_track": status.on_track,
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


def _timeboxes(timeboxes: Sequence[m.Timebox]) -> list[dict[str, Any]]:
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
