"""Tests of the blind assessment scoring: the statement bank, the index and the gap heat map."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.assessment import (
    INDEX_RULE,
    STATEMENT_BANK,
    AssessmentResult,
    Polarity,
    Severity,
    StatementScores,
    alignment_contribution,
    alignment_index,
    score_assessment,
    team_score,
)
from workshop.errors import ValidationFailed

RED_FLAG_KEYS = {
    "lead_quality_questioned",
    "spend_without_results",
    "feedback_not_used",
    "needs_not_understood",
    "no_responsibility_for_misses",
}
POSITIVE_KEYS = {
    "shared_revenue_goal",
    "shared_definitions",
    "integrated_systems",
    "joint_meetings_weekly",
    "satisfied_with_other_team",
    "handoff_sla_agreed",
}

D = Decimal


def both(statement_id: int, sales: str | None, marketing: str | None) -> StatementScores:
    """Build a positive statement's scores from strings, keeping None for a missing answer."""
    return StatementScores(
        statement_id=statement_id,
        polarity=Polarity.POSITIVE,
        sales=None if sales is None else D(sales),
        marketing=None if marketing is None else D(marketing),
    )


# --- the statement bank ---------------------------------------------------------------


def test_bank_has_at_least_twelve_statements_with_unique_keys() -> None:
    keys = [statement.key for statement in STATEMENT_BANK]
    assert len(STATEMENT_BANK) >= 12
    assert len(keys) == len(set(keys))


def test_bank_has_both_polarities() -> None:
    assert {statement.polarity for statement in STATEMENT_BANK} == set(Polarity)


def test_bank_covers_the_red_flags_and_their_positive_counterparts() -> None:
    by_key = {statement.key: statement for statement in STATEMENT_BANK}
    for key in RED_FLAG_KEYS:
        assert by_key[key].polarity is Polarity.RED_FLAG, key
    for key in POSITIVE_KEYS:
        assert by_key[key].polarity is Polarity.POSITIVE, key


def test_bank_statements_have_text_and_theme() -> None:
    for statement in STATEMENT_BANK:
        assert statement.text.strip().endswith(".")
        assert statement.theme.strip()


# --- contributions and index ----------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "polarity", "expected"),
    [
        (5, Polarity.POSITIVE, 100),
        (1, Polarity.POSITIVE, 0),
        (3, Polarity.POSITIVE, 50),
        (1, Polarity.RED_FLAG, 100),
        (5, Polarity.RED_FLAG, 0),
        (3, Polarity.RED_FLAG, 50),
        ("4.5", Polarity.POSITIVE, "87.5"),
    ],
)
def test_contribution_at_the_extremes_and_middle(
    score: int | str, polarity: Polarity, expected: int | str
) -> None:
    assert alignment_contribution(D(score), polarity) == D(expected)


def test_index_worked_by_hand() -> None:
    # positive 4 -> 75, red flag 2 -> 75, positive 3.5 -> 62.5; mean 212.5 / 3 = 70.83 -> 71
    scores = [
        (D(4), Polarity.POSITIVE),
        (D(2), Polarity.RED_FLAG),
        (D("3.5"), Polarity.POSITIVE),
    ]
    assert alignment_index(scores) == D(71)


def test_index_rounds_half_up() -> None:
    # 3.02 -> 50.5 points, which half-up rounding makes 51 (banker's rounding would say 50)
    assert alignment_index([(D("3.02"), Polarity.POSITIVE)]) == D(51)


def test_index_of_nothing_is_none() -> None:
    assert alignment_index([]) is None


def test_score_assessment_indices_per_team() -> None:
    result = score_assessment(
        [
            StatementScores(1, Polarity.POSITIVE, D(5), D(2)),
            StatementScores(2, Polarity.RED_FLAG, D(1), None),
        ]
    )
    assert result.sales_index == D(100)
    assert result.marketing_index == D(25)
    assert result.index_for("sales") == D(100)
    assert result.index_for("marketing") == D(25)


def test_team_that_answered_nothing_has_no_index() -> None:
    result = score_assessment([both(1, "4", None), both(2, "3", None)])
    assert result.marketing_index is None
    assert result.sales_index == D(63)  # (75 + 50) / 2 = 62.5 -> 63


def test_empty_assessment() -> None:
    result = score_assessment([])
    assert result == AssessmentResult(None, None, ())
    assert result.largest_gaps() == ()


# --- gaps -----------------------------------------------------------------------------


def test_gaps_ranked_largest_first_ties_by_id_missing_last() -> None:
    result = score_assessment(
        [
            both(7, "3", None),
            both(4, "2", "4"),
            both(9, "5", "1"),
            both(2, "4", "2"),
            both(3, None, "1"),
            both(1, "3", "3"),
        ]
    )
    assert [gap.statement_id for gap in result.gaps] == [9, 2, 4, 1, 3, 7]
    assert [gap.gap for gap in result.gaps] == [D(4), D(2), D(2), D(0), None, None]
    assert [gap.statement_id for gap in result.largest_gaps(3)] == [9, 2, 4]
    assert [gap.statement_id for gap in result.largest_gaps()] == [9, 2, 4, 1]
    assert result.largest_gaps(0) == ()


def test_gap_is_quantized_to_cents() -> None:
    (gap,) = score_assessment([both(1, "4.5", "1.67")]).gaps
    assert gap.gap == D("2.83")
    assert str(gap.gap) == "2.83"


@pytest.mark.parametrize(
    ("marketing", "severity", "marker"),
    [
        ("1", Severity.NONE, "·"),
        ("1.49", Severity.NONE, "·"),
        ("1.5", Severity.LOW, "▲"),
        ("2.49", Severity.LOW, "▲"),
        ("2.5", Severity.MEDIUM, "▲▲"),
        ("3.49", Severity.MEDIUM, "▲▲"),
        ("3.5", Severity.HIGH, "▲▲▲"),
        ("5", Severity.HIGH, "▲▲▲"),
        (None, Severity.UNKNOWN, "?"),
    ],
)
def test_severity_and_marker_at_the_boundaries(
    marketing: str | None, severity: Severity, marker: str
) -> None:
    (gap,) = score_assessment([both(1, "1", marketing)]).gaps
    assert gap.severity == severity
    assert gap.severity == severity.value  # reads as a plain string too
    assert gap.marker == marker


def test_duplicate_statement_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        score_assessment([both(1, "1", "2"), both(1, "3", "4")])


def test_negative_count_of_gaps_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        score_assessment([both(1, "1", "2")]).largest_gaps(-1)


# --- team scores and validation -------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([4, 5], "4.50"),
        ([1, 2, 2], "1.67"),
        ([3], "3.00"),
        ([1, 1, 1, 1, 1, 1, 1, 2], "1.13"),  # 1.125 rounds half up
        ([D("2.5"), 4], "3.25"),
    ],
)
def test_team_score_is_the_mean_to_cents(scores: list[int | Decimal], expected: str) -> None:
    result = team_score(scores)
    assert result == D(expected)
    assert str(result) == expected


def test_team_score_of_nothing_is_none() -> None:
    assert team_score([]) is None


@pytest.mark.parametrize("bad", [0, 6, D("0.99"), D("5.01"), D("NaN"), D("Infinity")])
def test_out_of_range_scores_are_refused(bad: int | Decimal) -> None:
    with pytest.raises(ValidationFailed):
        team_score([3, bad])
    with pytest.raises(ValidationFailed):
        alignment_contribution(Decimal(bad), Polarity.POSITIVE)
    with pytest.raises(ValidationFailed):
        StatementScores(1, Polarity.POSITIVE, Decimal(bad), D(3))
    with pytest.raises(ValidationFailed):
        StatementScores(1, Polarity.POSITIVE, D(3), Decimal(bad))


def test_a_boolean_is_not_a_score() -> None:
    with pytest.raises(ValidationFailed):
        team_score([True])


def test_unknown_team_is_refused() -> None:
    scores = both(1, "2", "4")
    assert scores.score_for("sales") == D(2)
    assert scores.score_for("marketing") == D(4)
    with pytest.raises(ValidationFailed):
        scores.score_for("leadership")
    with pytest.raises(ValidationFailed):
        score_assessment([scores]).index_for("Sales")


def test_index_rule_explains_the_numbers() -> None:
    for phrase in ("(score - 1) / 4 x 100", "(5 - score) / 4 x 100", "half up", "0.5", "2.5"):
        assert phrase in INDEX_RULE


# --- properties -----------------------------------------------------------------------

scores_1_to_5 = st.integers(min_value=100, max_value=500).map(lambda cents: D(cents).scaleb(-2))
polarities = st.sampled_from(Polarity)
maybe_score = st.none() | scores_1_to_5
statement_rows = st.lists(st.tuples(polarities, maybe_score, maybe_score), max_size=30).map(
    lambda rows: [
        StatementScores(number, polarity, sales, marketing)
        for number, (polarity, sales, marketing) in enumerate(rows, start=1)
    ]
)


@given(st.lists(st.tuples(scores_1_to_5, polarities), min_size=1, max_size=40))
def test_index_is_always_within_0_and_100(scores: list[tuple[Decimal, Polarity]]) -> None:
    index = alignment_index(scores)
    assert index is not None
    assert D(0) <= index <= D(100)
    assert index == index.to_integral_value()


@given(statement_rows)
def test_swapping_teams_leaves_every_gap_unchanged(rows: list[StatementScores]) -> None:
    swapped = [StatementScores(r.statement_id, r.polarity, r.marketing, r.sales) for r in rows]
    before = score_assessment(rows)
    after = score_assessment(swapped)
    assert [(g.statement_id, g.gap, g.severity, g.marker) for g in before.gaps] == [
        (g.statement_id, g.gap, g.severity, g.marker) for g in after.gaps
    ]
    assert before.sales_index == after.marketing_index
    assert before.marketing_index == after.sales_index


@given(statement_rows)
def test_gaps_are_ranked(rows: list[StatementScores]) -> None:
    gaps = score_assessment(rows).gaps
    assert len(gaps) == len(rows)
    keys = [(g.gap is None, -(g.gap or 0), g.statement_id) for g in gaps]
    assert keys == sorted(keys)


@given(st.lists(polarities, min_size=1, max_size=30))
def test_fully_aligned_answers_score_100(polarities_asked: list[Polarity]) -> None:
    rows = [
        StatementScores(number, polarity, D(5) if polarity is Polarity.POSITIVE else D(1), None)
        for number, polarity in enumerate(polarities_asked, start=1)
    ]
    assert score_assessment(rows).sales_index == D(100)


def test_fully_aligned_answers_to_the_bank_score_100() -> None:
    rows = [
        StatementScores(number, s.polarity, None, D(5 if s.polarity is Polarity.POSITIVE else 1))
        for number, s in enumerate(STATEMENT_BANK, start=1)
    ]
    result = score_assessment(rows)
    assert result.marketing_index == D(100)
    assert result.sales_index is None
