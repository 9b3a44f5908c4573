"""Unit tests of step 5's rules: sorting and filtering action items, reading the forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workshop import models as m
from workshop import planning as p
from workshop.errors import ValidationFailed

ANN = m.Participant(id=1, name="Ann", team=m.Team.MARKETING)
BOB = m.Participant(id=2, name="bob", team=m.Team.SALES)
NAMES = {1: "Ann", 2: "bob"}


def item(row_id: int, **fields: object) -> m.ActionItem:
    return m.ActionItem(id=row_id, title=f"item {row_id}", **fields)  # type: ignore[arg-type]


ITEMS = [
    item(1, due=dt.date(2026, 12, 1), priority=m.Priority.LOW, team=m.Team.SALES, owner_id=2),
    item(2, due=None, priority=m.Priority.CRITICAL, status=m.ActionStatus.DONE, owner_id=1),
    item(3, due=dt.date(2026, 11, 1), priority=m.Priority.HIGH, team=m.Team.MARKETING),
    item(4, due=dt.date(2026, 11, 1), status=m.ActionStatus.BLOCKED, team=m.Team.SALES),
]


def ids(items: list[m.ActionItem]) -> list[int | None]:
    return [i.id for i in items]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("due", [3, 4, 1, 2]),
        ("priority", [2, 3, 4, 1]),
        ("status", [3, 1, 4, 2]),
        ("owner", [2, 1, 3, 4]),
        ("team", [4, 1, 3, 2]),
    ],
)
def test_sort_by_each_column_blanks_last(column: str, expected: list[int]) -> None:
    assert ids(p.ActionView(sort=column).arrange(ITEMS, NAMES)) == expected


def test_filters_by_team_and_status() -> None:
    view = p.ActionView(team="sales")
    assert ids(view.arrange(ITEMS, NAMES)) == [4, 1]
    assert ids(p.ActionView(status="not done").arrange(ITEMS, NAMES)) == [3, 4, 1]
    assert ids(p.ActionView(status="blocked").arrange(ITEMS, NAMES)) == [4]
    assert p.ActionView(team="leadership").arrange(ITEMS, NAMES) == []
    assert view.is_filtered and not p.ActionView().is_filtered


def test_view_keys_cycle_and_wrap() -> None:
    view = p.ActionView()
    sorts = [view.sort]
    for _ in p.SORT_COLUMNS:
        view = view.next_sort()
        sorts.append(view.sort)
    assert sorts == [*p.SORT_COLUMNS, "due"]
    assert p.ActionView(team="other").next_team().team == "all"
    assert p.ActionView().next_status().status == "not done"


@pytest.mark.parametrize("text", ["2026-13-45", "soon", "2026-2-1", "20261201", "2026-02-30"])
def test_invalid_due_dates_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed, match=r"^due: .*YYYY-MM-DD"):
        p.parse_due(text)


def test_due_dates_blank_valid_and_past() -> None:
    today = dt.date(2026, 11, 23)
    assert p.parse_due("  ") is None
    assert p.parse_due(" 2026-11-01 ") == dt.date(2026, 11, 1)
    assert p.due_warning(dt.date(2026, 11, 1), today) == "due date is in the past"
    assert p.due_warning(today, today) is None
    assert p.due_warning(None, today) is None


def test_build_action_takes_the_owners_team_when_team_is_blank() -> None:
    values = {"title": "Call back MQLs", "owner_id": 1, "team": None, "due": "2026-12-01"}
    built = p.build_action(values, participants=[ANN, BOB])
    assert (built.team, built.due, built.owner_id) == (m.Team.MARKETING, dt.date(2026, 12, 1), 1)
    chosen = p.build_action({**values, "team": m.Team.LEADERSHIP}, participants=[ANN])
    assert chosen.team is m.Team.LEADERSHIP
    assert p.build_action({"title": "x"}).team is m.Team.OTHER


def test_build_action_reports_every_problem_and_keeps_the_base() -> None:
    with pytest.raises(ValidationFailed) as caught:
        p.build_action({"title": "", "due": "soon"})
    assert [line.split(":")[0] for line in caught.value.problems] == ["due", "title"]
    base = item(7, due=dt.date(2026, 1, 1), status=m.ActionStatus.BLOCKED)
    edited = p.build_action({"title": "renamed", "due": ""}, base=base)
    assert (edited.id, edited.status, edited.due, edited.title) == (
        7,
        m.ActionStatus.BLOCKED,
        None,
        "renamed",
    )


def test_build_cadence_reads_time_weekday_and_attendees() -> None:
    cadence = p.build_cadence(
        {
            "name": "Pipeline review",
            "weekday": "Wednesday",
            "time": "9:30",
            "duration_minutes": "45",
            "attendees": "Sales & marketing, sales",
        }
    )
    assert (cadence.weekday, cadence.time, cadence.duration_minutes) == (2, dt.time(9, 30), 45)
    assert cadence.attendees == [m.Team.SALES, m.Team.MARKETING]
    assert p.format_teams(cadence.attendees) == "sales, marketing"


def test_build_cadence_refuses_bad_fields_each_by_name() -> None:
    with pytest.raises(ValidationFailed) as caught:
        p.build_cadence(
            {"name": "x", "time": "25:00", "duration_minutes": "abc", "attendees": "finance"}
        )
    fields = [line.split(":")[0] for line in caught.value.problems]
    assert fields == ["time", "attendees", "duration_minutes"]
    with pytest.raises(ValidationFailed, match="attendees: name at least one team"):
        p.build_cadence({"name": "x", "attendees": " "})
    with pytest.raises(ValidationFailed, match=r"^duration_minutes"):
        p.build_cadence({"name": "x", "duration_minutes": "2"})


def test_build_kpi_reads_numbers_exactly() -> None:
    kpi = p.build_kpi({"name": "Win rate", "baseline": "12", "target": "20.5%", "unit": "%"})
    assert (kpi.baseline, kpi.target) == (Decimal(12), Decimal("20.5"))
    assert p.build_kpi({"name": "CAC", "baseline": "1,200", "target": ""}).target is None
    with pytest.raises(ValidationFailed, match=r"^baseline: must be a number") as caught:
        p.build_kpi({"name": "x", "baseline": "abc", "target": "nan"})
    assert len(caught.value.problems) == 2
