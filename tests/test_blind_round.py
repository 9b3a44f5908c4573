"""Unit tests of the blind round's rules: seeding, recording, reading, revealing, gap actions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workshop import blind_round as br
from workshop import models as m
from workshop.assessment import STATEMENT_BANK, Severity, StatementScores, score_assessment
from workshop.errors import ValidationFailed
from workshop.storage.store import Store


def sid(session: m.Session) -> int:
    assert session.id is not None
    return session.id


def test_seed_adds_the_bank_once_in_order(store: Store, session: m.Session) -> None:
    seeded = br.seed_statements(store, sid(session))
    assert [s.key for s in seeded] == [entry.key for entry in STATEMENT_BANK]
    assert [s.position for s in seeded] == list(range(1, len(STATEMENT_BANK) + 1))
    again = br.seed_statements(store, sid(session))
    assert [s.id for s in again] == [s.id for s in seeded]
    assert len(store.rows(m.Statement, sid(session))) == len(STATEMENT_BANK)


def test_seed_keeps_existing_statements(store: Store, session: m.Session) -> None:
    store.add(m.Statement(text="We trust each other.", theme="Trust"), sid(session))
    assert [s.text for s in br.seed_statements(store, sid(session))] == ["We trust each other."]


def test_record_replaces_a_teams_consensus_score(store: Store, session: m.Session) -> None:
    first = br.seed_statements(store, sid(session))[0]
    br.record_score(store, first, "sales", 2)
    br.record_score(store, first, m.Team.SALES, 4)
    br.record_score(store, first, "marketing", 1)
    answers = store.rows(m.Answer, sid(session))
    assert sorted((a.team.value, a.score, a.participant_id) for a in answers) == [
        ("marketing", 1, None),
        ("sales", 4, None),
    ]
    row = br.read_round(store, sid(session))[0]
    assert (row.scores.sales, row.scores.marketing) == (Decimal(4), Decimal(1))


@pytest.mark.parametrize("score", [0, 6, True, "4"])
def test_record_refuses_a_score_outside_1_to_5(
    store: Store, session: m.Session, score: object
) -> None:
    first = br.seed_statements(store, sid(session))[0]
    with pytest.raises(ValidationFailed, match="1 to 5"):
        br.record_score(store, first, "sales", score)  # type: ignore[arg-type]
    assert store.rows(m.Answer, sid(session)) == []


def test_record_refuses_other_teams(store: Store, session: m.Session) -> None:
    first = br.seed_statements(store, sid(session))[0]
    with pytest.raises(ValidationFailed, match="Only sales and marketing"):
        br.record_score(store, first, "leadership", 3)


def test_participants_count_for_their_own_team_only(store: Store, session: m.Session) -> None:
    first = br.seed_statements(store, sid(session))[0]
    ann = store.add(m.Participant(name="Ann", team=m.Team.SALES), sid(session))
    bob = store.add(m.Participant(name="Bob", team=m.Team.SALES), sid(session))
    with pytest.raises(ValidationFailed, match="Ann is in sales"):
        br.record_score(store, first, "marketing", 3, participant=ann)
    br.record_score(store, first, "sales", 2, participant=ann)
    br.record_score(store, first, "sales", 5, participant=bob)
    assert br.read_round(store, sid(session))[0].scores.sales == Decimal("3.50")
    # A consensus score, once given, is the team's score.
    br.record_score(store, first, "sales", 4)
    assert br.read_round(store, sid(session))[0].scores.sales == Decimal(4)


def test_clear_removes_only_the_consensus(store: Store, session: m.Session) -> None:
    first = br.seed_statements(store, sid(session))[0]
    br.record_score(store, first, "sales", 2)
    assert br.clear_score(store, first, "sales") is not None
    assert br.clear_score(store, first, "sales") is None
    assert br.read_round(store, sid(session))[0].scores.sales is None


@pytest.mark.parametrize(
    ("current", "step", "expected"),
    [
        (None, 1, 3),
        (None, -1, 3),
        (Decimal(3), 1, 4),
        (Decimal(5), 1, 5),
        (Decimal(1), -1, 1),
        (Decimal("3.50"), 1, 4),
        (Decimal("3.50"), -1, 3),
    ],
)
def test_adjusted_score(current: Decimal | None, step: int, expected: int) -> None:
    assert br.adjusted_score(current, step) == expected


def test_read_and_score_round_match_the_assessment(store: Store, session: m.Session) -> None:
    statements = br.seed_statements(store, sid(session))
    sales = [5, 4, 3, 4, 4, 2, 2, 1, 3, 1, 2, 1, 2, 1]
    marketing = [2, 5, 2, 3, 2, 1, 4, 3, 3, 2, 2, 1, 4, 2]
    for statement, s_score, m_score in zip(statements, sales, marketing, strict=True):
        br.record_score(store, statement, "sales", s_score)
        br.record_score(store, statement, "marketing", m_score)
    rows = br.read_round(store, sid(session))
    assert br.scored_count(rows, "sales") == br.scored_count(rows, "marketing") == 14
    expected = score_assessment(
        StatementScores(s.id or 0, s.polarity, Decimal(a), Decimal(b))
        for s, a, b in zip(statements, sales, marketing, strict=True)
    )
    assert br.score_round(rows) == expected
    top = br.gap_of(next(r for r in rows if r.statement_id == expected.gaps[0].statement_id))
    assert top == expected.gaps[0]


def test_blind_view_hides_the_other_team_until_revealed() -> None:
    view = br.BlindView()
    assert (view.shows("sales"), view.shows("marketing"), view.hidden_team) == (
        True,
        False,
        "marketing",
    )
    view = view.enter_for("marketing")
    assert (view.shows("sales"), view.hidden_team) == (False, "sales")
    view = view.with_reveal(True)
    assert view.shows("sales") and view.shows("marketing") and view.hidden_team is None
    with pytest.raises(ValidationFailed):
        view.enter_for("other")


def test_gap_action_links_the_statement_and_is_not_duplicated(
    store: Store, session: m.Session
) -> None:
    first = br.seed_statements(store, sid(session))[0]
    br.record_score(store, first, "sales", 5)
    br.record_score(store, first, "marketing", 2)
    row = br.read_round(store, sid(session))[0]
    br.set_revealed(store, sid(session), True)
    item, created = br.gap_action(store, row)
    assert created
    assert item.statement_id == first.id
    assert item.title == "Close the gap on: Lead quality"
    assert item.category is m.Category.MEASUREMENT
    assert item.priority is m.Priority.HIGH
    assert "gap 3 ▲▲▲" in item.description
    again, created_again = br.gap_action(store, row)
    assert (again.id, created_again) == (item.id, False)
    assert len(store.rows(m.ActionItem, sid(session))) == 1
    assert br.gap_of(row).severity is Severity.HIGH


def test_disclose_says_how_far_each_team_got_and_shows_scores_only_once_revealed(
    store: Store, session: m.Session
) -> None:
    statements = br.seed_statements(store, sid(session))
    blind = br.disclose(store, sid(session))
    assert blind.progress == "The assessment has not started: no statement has a score yet."
    for statement in statements[:9]:
        br.record_score(store, statement, "sales", 4)
    blind = br.disclose(store, sid(session))
    assert (blind.revealed, blind.scored, blind.rows, blind.result) == (
        False,
        {"sales": 9, "marketing": 0},
        (),
        None,
    )
    assert blind.largest_gaps() == []
    assert blind.progress == (
        "The assessment is in progress: 9 of 14 statements scored by sales, 0 of 14 by marketing."
    )
    br.record_score(store, statements[0], "marketing", 1)
    br.set_revealed(store, sid(session), True)
    shown = br.disclose(store, sid(session))
    assert shown.result is not None and len(shown.rows) == 14
    assert shown.progress == "Sales rated 9 of 14 statements blind, marketing 1 of 14."
    assert [(name, gap.gap) for name, gap in shown.largest_gaps()] == [("Lead quality", 3)]
