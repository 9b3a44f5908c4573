"""Sessions the export tests render: a complete one, and one full of hostile text.

Kept in one module the export test files share; it holds no tests of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from workshop import models as m
from workshop.storage.store import Store

WORKSHOP_DAY = dt.date(2026, 11, 17)
TODAY = dt.date(2026, 11, 23)
SIGNED = dt.datetime(2026, 11, 17, 10, 5, tzinfo=dt.UTC)


def add_full_session(store: Store, *, title: str = "Q3 revenue alignment") -> m.Session:
    """A session with something in every section of the plan (one transaction: fast)."""
    with store.transaction():
        return _add_full_session(store, title)


def _add_full_session(store: Store, title: str) -> m.Session:
    session = store.create_session(
        m.Session(
            title=title,
            organisation="Acme Analytics",
            facilitator="Fay Facilitator",
            date=WORKSHOP_DAY,
            step_reached=6,
            revealed_at=SIGNED,
            annual_revenue=Decimal(50_000_000),
        )
    )
    sid = session.id
    assert sid is not None
    sam = store.add(m.Participant(name="Sam Seller", team="sales", role="VP Sales"), sid)
    mia = store.add(m.Participant(name="Mia Marketer", team="marketing", role="CMO"), sid)
    store.add(m.Participant(name="Lee Leader", team="leadership", role="CRO"), sid)
    lead_quality = store.add(
        m.Statement(
            position=1,
            text="Sales keeps questioning the quality of the leads marketing passes on.",
            polarity="red_flag",
            theme="Lead quality",
        ),
        sid,
    )
    shared_goal = store.add(
        m.Statement(position=2, text="We work towards one shared revenue goal.", theme="Goal"),
        sid,
    )
    for statement, sales, marketing in ((lead_quality, 5, 2), (shared_goal, 2, 3)):
        store.add(m.Answer(statement_id=statement.id, team="sales", score=sales), sid)
        store.add(m.Answer(statement_id=statement.id, team="marketing", score=marketing), sid)
    mql = store.add(
        m.Term(
            name="MQL",
            definition="A lead that fits the ICP and showed buying intent.",
            entry_criteria="Score of 60 or more.",
            exit_criteria="Accepted or rejected by sales.",
            example="A VP who booked a demo.",
        ).sign_off(m.Team.SALES, "Sam Seller", SIGNED),
        sid,
    )
    mql = store.update(mql.sign_off(m.Team.MARKETING, "Mia Marketer", SIGNED))
    store.add(m.Term(name="ICP", definition="Companies we win and keep.", disputed=True), sid)
    store.add(m.Term(name="SQL", definition="A lead sales will work."), sid)
    store.add(
        m.RevenueGoal(
            period="FY2027",
            months=12,
            target="1.2M",
            average_deal_size="25k",
            marketing_share=60,
            model="waterfall",
        ),
        sid,
    )
    stages = {}
    for position, (name, owner, conversion, won) in enumerate(
        (
            ("Lead", "marketing", 30, False),
            ("MQL", "marketing", 50, False),
            ("SAL", "sales", 60, False),
            ("SQL", "sales", 40, False),
            ("Opportunity", "sales", 25, False),
            ("Won", "sales", None, True),
        )
    ):
        stages[name] = store.add(
            m.Stage(
                position=position,
                name=name,
                owner_team=owner,
                conversion=conversion,
                is_won=won,
                term_id=mql.id if name == "MQL" else None,
                sla="Sales calls every MQL within 24 h" if name == "MQL" else "",
            ),
            sid,
        )
    actions = (
        ("Agree the ICP", sam, "sales", "communication", "high", "2026-11-20", "open", None),
        ("Set up lead scoring", mia, "marketing", "technology/tools", "critical", "2026-12-04",
         "in progress", None),
        ("Train SDRs on the MQL definition", sam, "sales", "training", "medium", "2026-12-15",
         "done", None),
        ("Write the hand-off SLA", None, "other", "process", "low", None, "blocked", None),
        ("Joint campaign plan", mia, "marketing", "consultation", "medium", "2027-01-10",
         "open", None),
    )  # fmt: skip
    for title_, owner, team, category, priority, due, status, _ in actions:
        store.add(
            m.ActionItem(
                title=title_,
                description="Definition of done: signed by both teams." if owner else "",
                owner_id=owner.id if owner else None,
                team=team,
                category=category,
                priority=priority,
                due=due,
                status=status,
                term_id=mql.id if title_.startswith("Train") else None,
                stage_id=stages["MQL"].id if title_.startswith("Write") else None,
                statement_id=lead_quality.id if title_.startswith("Set up") else None,
                done_at=SIGNED if status == "done" else None,
            ),
            sid,
        )
    store.add(m.Cadence(name="Weekly pipeline review", weekday="tue", time="09:30"), sid)
    store.add(
        m.Cadence(name="Monthly scorecard", frequency="monthly", weekday="thu", time="15:00",
                  duration_minutes=60, attendees=["sales", "marketing", "leadership"]),
        sid,
    )  # fmt: skip
    speed = store.add(
        m.Kpi(name="Speed to lead", unit="hours", baseline=48, target=4, direction="down"), sid
    )
    store.add(m.Kpi(name="Lead-to-opportunity conversion", unit="%", baseline=8, target=12), sid)
    store.add(m.KpiReading(kpi_id=speed.id, value=30, date="2026-11-20"), sid)
    store.add(m.KpiReading(kpi_id=speed.id, value=20, date="2026-11-22", note="SLA live"), sid)
    store.add(
        m.Gate(step=3, reason="2 terms not signed off by both teams", continued=True,
               at=dt.datetime(2026, 11, 17, 10, 42, tzinfo=dt.UTC)),
        sid,
    )  # fmt: skip
    store.add(
        m.Gate(step=4, reason="a stage has no owner", continued=False,
               at=dt.datetime(2026, 11, 17, 11, 0, tzinfo=dt.UTC)),
        sid,
    )  # fmt: skip
    for step, planned, actual in ((1, 10, 750), (2, 30, 1500), (3, 40, 2400)):
        store.add(m.Timebox(step=step, planned_minutes=planned, actual_seconds=actual), sid)
    return session


HOSTILE: tuple[str, ...] = (
    "pipes | in | the | middle |",
    "line one\nline two\r\nline three\rline four\n\n\nafter blank lines",
    "{{ 7*7 }} and {{ session.title }}",
    "{% raw %}{% include 'x' %}{% endraw %} {# comment #}",
    "<script>alert('x')</script> <b>bold</b> &amp; &lt;tag&gt; <!-- c -->",
    "<img src=x onerror=alert(1)>",
    "*emphasis* _under_ **strong** `code` ~~strike~~ [link](http://example.com) ![i](x.png)",
    "# not a heading\n## nor this\n> not a quote\n- not a list\n+ nor this\n1. not ordered\n2) no",
    "---\n===\n***\n```\ncode fence\n```\n~~~",
    "| a | b |\n|---|---|\n| c | d |",
    "back\\slash \\| escaped pipe and trailing backslash \\",
    "emoji 🚀👍🏽 and flags 🇳🇴 and zwj 👩‍💻",
    "مرحبا بالعالم — עברית — \u202eright-to-left override\u202c",
    "    indented code\n\tand a tab",
    "C# and #hashtag and closing ##",
    "[ref]: http://example.com\n<http://autolink.example>",
)
"""Text that would break a naive Markdown, template, CSV or calendar writer."""

LONG_DEFINITION = ("A very long definition | with pipes * and stars. " * 40 + "\n") * 6
"""Over 10,000 characters, across lines."""


def one_line(text: str) -> str:
    """Hostile text for a one-line field (a name, a title): its line breaks and tabs as spaces."""
    return " ".join(text.split())


def add_hostile_session(store: Store) -> m.Session:
    """A session whose every free-text field holds hostile text (one transaction: fast)."""
    with store.transaction():
        return _add_hostile_session(store)


def _add_hostile_session(store: Store) -> m.Session:
    assert len(LONG_DEFINITION) > 10_000
    session = store.create_session(
        m.Session(
            title="{{ 7*7 }} | <b>Q3</b> *plan* 🚀",
            organisation="Acme | <i>Corp</i> & {% raw %}",
            facilitator="Fay Facilitator # 1",
            date=WORKSHOP_DAY,
            revealed_at=SIGNED,
            annual_revenue="1M",
        )
    )
    sid = session.id
    assert sid is not None
    people = [
        store.add(
            m.Participant(name=one_line(text)[:200], team=team, role=one_line(text)[:200]), sid
        )
        for text, team in zip(HOSTILE, list(m.Team) * 4, strict=True)
    ]
    statements = [
        store.add(m.Statement(position=i, text=one_line(text), theme=one_line(text)[:50]), sid)
        for i, text in enumerate(HOSTILE)
    ]
    for i, statement in enumerate(statements):
        store.add(m.Answer(statement_id=statement.id, team="sales", score=1 + i % 5), sid)
        store.add(m.Answer(statement_id=statement.id, team="marketing", score=5 - i % 5), sid)
    terms = [
        store.add(
            m.Term(
                name=f"{i}. {one_line(text)[:150]}",
                definition=LONG_DEFINITION if i == 0 else text,
                entry_criteria=text,
                exit_criteria=text,
                example=text,
                disputed=i % 3 == 0,
            ),
            sid,
        )
        for i, text in enumerate(HOSTILE)
    ]
    store.add(m.RevenueGoal(period="FY | 27 <b>", target="1.2M", average_deal_size="25k"), sid)
    for i, text in enumerate(HOSTILE[:6]):
        store.add(
            m.Stage(
                position=i,
                name=f"{i} {one_line(text)[:100]}",
                owner_team="sales",
                conversion=50,
                sla=one_line(text)[:500],
                exit_criteria=text,
                term_id=terms[i].id,
            ),
            sid,
        )
    items = []
    for i, text in enumerate(HOSTILE):
        item = store.add(
            m.ActionItem(
                title=one_line(text)[:300],
                description=LONG_DEFINITION if i == 1 else text,
                owner_id=people[i].id if i % 4 else None,
                due=dt.date(2026, 11, 1) + dt.timedelta(days=9 * i) if i % 5 else None,
                category=list(m.Category)[i % 8],
                priority=list(m.Priority)[i % 4],
                status=list(m.ActionStatus)[i % 4],
                term_id=terms[i].id,
                statement_id=statements[i].id,
            ),
            sid,
        )
        items.append(item)
    # Reviews: the last one before TODAY names the "since" point, with a hostile reviewer.
    for i, text in enumerate(HOSTILE[:3]):
        store.add(
            m.Review(date=WORKSHOP_DAY + dt.timedelta(days=i + 1), reviewer=one_line(text)[:200]),
            sid,
        )
    for i, text in enumerate(HOSTILE):
        note = {"date": TODAY, "author": one_line(HOSTILE[-1 - i])[:200], "text": text}
        store.add(m.ReviewNote(**note, action_item_id=items[i].id if i % 2 else None), sid)
    for i, text in enumerate(HOSTILE[:4]):
        store.add(
            m.Cadence(name=one_line(text)[:200], weekday=i, frequency=list(m.Frequency)[i % 3]), sid
        )
        kpi = store.add(m.Kpi(name=one_line(text)[:200], unit="| <u>", baseline=1, target=2), sid)
        store.add(m.KpiReading(kpi_id=kpi.id, value=3, date=WORKSHOP_DAY, note=text), sid)
        store.add(m.Gate(step=3, reason=one_line(text), continued=True, at=SIGNED), sid)
    store.add(m.Timebox(step=1, planned_minutes=10, actual_seconds=601), sid)
    return session


def markdown_parser() -> Any:
    """CommonMark with the GFM tables and strikethrough the plan is written for."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def source_cells(line: str) -> int:
    """How many cells a table line has in the source, splitting on pipes not escaped."""
    line = line.strip()
    line = line.removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    # The same rule as the parser's: a pipe right after a backslash is part of the cell.
    return len(re.split(r"(?<!\\)\|", line))


def table_problems(text: str) -> tuple[int, list[str]]:
    """The number of tables, and every row whose column count differs from its header's.

    Also reports a source line that starts with a pipe outside any table: a row that
    broke out of its table (for instance after a line break in a cell).
    """
    lines = text.split("\n")
    tables, problems, covered = 0, [], set()
    for token in markdown_parser().parse(text):
        if token.type != "table_open":
            continue
        tables += 1
        start, end = token.map
        covered.update(range(start, end))
        width = source_cells(lines[start])
        for number in range(start + 2, end):
            if source_cells(lines[number]) != width:
                problems.append(f"line {number + 1}: {lines[number][:80]!r}")
    problems += [
        f"line {n + 1} is outside a table: {line[:80]!r}"
        for n, line in enumerate(lines)
        if line.startswith("|") and n not in covered
    ]
    return tables, problems


def inline_text(token: Any, ours: tuple[str, ...] = ()) -> str:
    """The plain text an inline token shows, line breaks (including `<br>`) as newlines.

    Raises AssertionError on any markup but the template's own (`ours`, e.g. strong_open).
    """
    parts = []
    for child in token.children or []:
        if child.type in ours:
            continue
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content == "<br>"
        ):
            parts.append("\n")
        else:
            raise AssertionError(f"user text became markup: {child.type} {child.content!r}")
    return "".join(parts)
