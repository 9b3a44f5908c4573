"""The Markdown action plan: what it shows, what it leaves out, and that it is deterministic."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_export_fixtures import (
    TODAY,
    WORKSHOP_DAY,
    add_full_session,
    markdown_parser,
    table_problems,
)

from workshop import models as m
from workshop.errors import ExportError, NotFound
from workshop.export import FORMATS, build_context, render
from workshop.storage.store import Store

SECTIONS = (
    "## Participants",
    "## Assessment",
    "## What misalignment costs",
    "## Glossary",
    "## Revenue cycle",
    "## Action items",
    "## Cadence",
    "## KPIs",
    "## Continued despite open issues",
    "## Time per step",
)


@pytest.fixture
def full(store: Store) -> int:
    session = add_full_session(store)
    assert session.id is not None
    return session.id


def plan(store: Store, session_id: int, today: dt.date = TODAY) -> str:
    return render(store, session_id, "md", today=today)


def test_the_plan_has_every_section_in_order(store: Store, full: int) -> None:
    text = plan(store, full)
    assert text.startswith("# Action plan: Q3 revenue alignment\n")
    positions = [text.index(heading + "\n") for heading in SECTIONS]
    assert positions == sorted(positions)
    assert "- **Facilitator:** Fay Facilitator" in text
    assert "- **Workshop date:** 2026-11-17" in text


def test_an_empty_session_leaves_every_section_out(store: Store, session: m.Session) -> None:
    assert session.id is not None
    text = plan(store, session.id)
    assert "## " not in text
    assert "|" not in text
    assert "\n\n\n" not in text
    assert text.endswith("2026-11-23\n")


def test_participants_are_listed_by_team(store: Store, full: int) -> None:
    text = plan(store, full)
    assert "| Sales | Sam Seller | VP Sales |\n| Marketing | Mia Marketer | CMO |" in text


def test_assessment_shows_each_index_and_the_largest_gaps(store: Store, full: int) -> None:
    text = plan(store, full)
    assert "| Sales | 13 |\n| Marketing | 63 |" in text
    assert "| 1 | Lead quality: Sales keeps questioning" in text
    assert "| 5 | 2 | 3 | ▲▲▲ high |" in text
    assert "*How the index is worked out:* Each team rates" in text


def test_glossary_shows_sign_offs_and_calls_out_disputed_terms(store: Store, full: int) -> None:
    text = plan(store, full)
    assert "1 of 3 terms agreed by both teams." in text
    assert "> **Disputed:** ICP." in text
    assert "> **Not yet signed off by both teams:** SQL." in text
    assert "### MQL (agreed)" in text
    assert "- **Sales sign-off:** Sam Seller, 2026-11-17 10:05 UTC" in text
    assert "- **Entry criteria:** Score of 60 or more." in text


def test_revenue_cycle_works_back_from_the_goal_and_states_the_rounding(
    store: Store, full: int
) -> None:
    text = plan(store, full)
    # The design's example: $1.2M at $25k with a 25% win rate → 48 deals, 192 opportunities.
    assert "**48 deals** to win" in text
    assert "| Opportunity | sales |  | 25% | 192 | 16 |" in text
    assert "| Won | sales |  |  | 48 | 4 |" in text
    assert "pipeline coverage of 4×: USD 4,800,000 of pipeline" in text
    assert "A deal counts as won at the Won stage." in text
    assert "*Rounding:* Deals = ⌈target ÷ average deal size⌉" in text
    assert "Marketing sources 60% of the pipeline and sales 40%." in text
    assert "| Won | 29 | 19 |" in text


def test_invalid_revenue_inputs_show_the_cycle_without_volumes(store: Store, full: int) -> None:
    stage = next(s for s in store.rows(m.Stage, full) if s.name == "SAL")
    store.update(stage.model_copy(update={"conversion": None}))
    text = plan(store, full)
    assert "*The volumes cannot be worked out yet: Stage 'SAL': conversion must be" in text
    assert "| SAL | sales |  |  |  |  |" in text
    assert "deals** to win" not in text
    assert "### Source split" not in text


def test_stages_without_a_goal_say_so(store: Store, session: m.Session) -> None:
    assert session.id is not None
    store.add(m.Stage(name="Lead", owner_team="marketing", conversion=20), session.id)
    text = plan(store, session.id)
    assert "*No revenue goal is set yet, so the stages have no volumes.*" in text
    assert "| Lead | marketing |  | 20% |  |  |" in text


def test_action_items_are_grouped_by_owner_and_by_due_month(store: Store, full: int) -> None:
    text = plan(store, full)
    owners = [text.index(f"#### {name}") for name in ("Mia Marketer", "Sam Seller", "Unassigned")]
    assert owners == sorted(owners)
    months = [
        text.index(f"#### {month}")
        for month in ("November 2026", "December 2026", "January 2027", "No due date")
    ]
    assert months == sorted(months)
    assert owners[-1] < months[0]
    assert (
        "| 2026-12-04 | **Set up lead scoring**<br>Definition of done: signed by both teams. "
        "| in progress | critical | technology/tools | Gap: Lead quality |"
    ) in text
    assert "|  | **Write the hand-off SLA** | blocked | low | process | Stage: MQL |" in text
    assert "5 action items: 2 open, 1 in progress, 1 blocked, 1 done" in text


def test_overdue_flags_follow_the_given_day(store: Store, full: int) -> None:
    late = plan(store, full, today=TODAY)
    assert "| open, **overdue** | high | communication |" in late
    assert "**1 overdue** as of 2026-11-23" in late
    early = plan(store, full, today=WORKSHOP_DAY)
    assert "overdue" not in early


def test_a_done_item_past_its_due_date_is_not_overdue(store: Store, full: int) -> None:
    for item in store.rows(m.ActionItem, full):
        if item.status is not m.ActionStatus.DONE:
            store.update(item.model_copy(update={"status": m.ActionStatus.DONE}))
    late = plan(store, full, today=dt.date(2030, 1, 1))  # every due date long past
    assert "overdue" not in late
    context = build_context(store, full, today=dt.date(2030, 1, 1))
    assert not any(item["overdue"] for item in context["actions"]["all"])


def test_cadence_kpis_gates_and_time(store: Store, full: int) -> None:
    text = plan(store, full)
    assert (
        "| Weekly pipeline review | Every Tuesday at 09:30 | 30 min | sales, marketing "
        "| 2026-11-17 |"
    ) in text
    assert "| Monthly scorecard | Monthly on the first Thursday at 15:00 | 60 min |" in text
    assert "| Speed to lead | lower | 48 hours | 4 hours | 20 hours on 2026-11-22 |" in text
    assert "| Lead-to-opportunity conversion | higher | 8% | 12% | none yet | — |" in text
    assert "Step 3 (Terms), left on 2026-11-17 10:42 UTC with: 2 terms not signed" in text
    assert "a stage has no owner" not in text  # that gate was not passed
    assert "| 1 Participants | 10:00 | 12:30 | +2:30 |" in text
    assert "| 2 Assess | 30:00 | 25:00 | −5:00 |" in text


def test_cost_of_misalignment_needs_annual_revenue(store: Store, full: int) -> None:
    assert "up to **USD 5,000,000 a year** for Acme Analytics" in plan(store, full)
    session = store.get_session(full)
    store.update(session.model_copy(update={"annual_revenue": None}))
    assert "## What misalignment costs" not in plan(store, full)


def test_the_same_session_gives_the_same_bytes(store: Store, full: int, tmp_path: Path) -> None:
    first = plan(store, full)
    assert plan(store, full) == first
    with Store(tmp_path / "other.db") as other:
        copy = add_full_session(other)
        assert copy.id is not None
        assert plan(other, copy.id) == first


def test_the_plan_is_valid_markdown_with_whole_tables(store: Store, full: int) -> None:
    text = plan(store, full)
    tables, problems = table_problems(text)
    assert tables == 15
    assert problems == []
    html = markdown_parser().render(text)
    assert "<table>" in html


def test_the_table_checker_notices_a_broken_row() -> None:
    broken = "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| x\n| y | z |\n"
    assert len(table_problems(broken)[1]) == 2


def test_the_context_is_plain_data(store: Store, full: int) -> None:
    def check(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, str), where
                check(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                check(item, f"{where}[{index}]")
        else:
            assert value is None or type(value) in (str, int, bool, Decimal), where

    context = build_context(store, full, today=TODAY)
    check(context, "context")
    assert context["today"] == "2026-11-23"
    assert context["actions"]["total"] == 5
    assert context["revenue"]["deals"] == 48


def test_unknown_formats_and_sessions_are_refused(store: Store, full: int) -> None:
    assert FORMATS == ("md", "csv", "ics", "json")
    with pytest.raises(ExportError, match="Unknown export format 'pdf'"):
        render(store, full, "pdf")
    with pytest.raises(ExportError, match="Markdown export only"):
        render(store, full, "csv", template=Path("x.j2"))
    with pytest.raises(NotFound):
        render(store, 999, "md")


def test_every_context_key_is_documented(store: Store, full: int) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    keys: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    store.add(m.Review(date=WORKSHOP_DAY, reviewer="Rita Reviewer"), full)  # fills `progress`
    store.add(m.ReviewNote(date=WORKSHOP_DAY, text="Started"), full)
    context = build_context(store, full, today=TODAY)
    assert context["progress"] is not None
    collect(context)
    statuses = {"open", "in progress", "blocked", "done"}  # documented as `counts` keys
    missing = sorted(key for key in keys - statuses if not re.search(rf"\b{key}\b", docs))
    assert missing == []


def test_the_garbage_collector_resumes_after_an_export(
    store: Store, full: int, tmp_path: Path
) -> None:
    import gc

    render(store, full, "md", today=TODAY)
    assert gc.isenabled()
    bad = tmp_path / "bad.md.j2"
    bad.write_text("{{ nope }}", encoding="utf-8")
    with pytest.raises(ExportError):
        render(store, full, "md", template=bad)
    assert gc.isenabled()
