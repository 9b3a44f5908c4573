"""Scoring of the blind alignment assessment: team indices (0–100) and per-statement gaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum

from workshop.errors import ValidationFailed

TEAMS: tuple[str, ...] = ("sales", "marketing")
MIN_SCORE = Decimal(1)
MAX_SCORE = Decimal(5)

_CENT = Decimal("0.01")
_WHOLE = Decimal(1)
# A fixed context so a caller's decimal settings cannot change the scores.
_CONTEXT = Context(prec=28)


class Polarity(StrEnum):
    """Which way a statement points: agreeing with a red flag signals misalignment."""

    POSITIVE = "positive"
    RED_FLAG = "red_flag"


class Severity(StrEnum):
    """How far apart the two teams are on one statement."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


# Markers are plain characters so the heat map still reads on a monochrome projector.
SEVERITY_MARKERS: dict[Severity, str] = {
    Severity.NONE: "·",
    Severity.LOW: "▲",
    Severity.MEDIUM: "▲▲",
    Severity.HIGH: "▲▲▲",
    Severity.UNKNOWN: "?",
}

INDEX_RULE = (
    "Each team rates every statement from 1 (strongly disagree) to 5 (strongly agree); "
    "a team's score for a statement is its consensus score or the mean of its participants, "
    "rounded to 0.01. A positive statement contributes (score - 1) / 4 x 100 points and a "
    "red flag contributes (5 - score) / 4 x 100, so full alignment is 100 and none is 0. "
    "A team's alignment index is the mean of its contributions over the statements it "
    "answered, rounded half up to a whole number. The gap on a statement is the difference "
    "between the two teams' scores (0 to 4): under 0.5 none (·), under 1.5 low (▲), "
    "under 2.5 medium (▲▲), 2.5 or more high (▲▲▲); ? when a team did not answer. "
    "The largest gaps come first and set the agenda."
)


@dataclass(frozen=True)
class BankStatement:
    """A statement from the standard bank that both teams rate on the same 1–5 scale."""

    key: str
    text: str
    polarity: Polarity
    theme: str


_P, _R = Polarity.POSITIVE, Polarity.RED_FLAG

# The bank reads best as a table: key, theme and polarity, then the sentence both teams rate.
# fmt: off
STATEMENT_BANK: tuple[BankStatement, ...] = (
    BankStatement(key="lead_quality_questioned", polarity=_R, theme="Lead quality",
                  text="Sales keeps questioning the quality of the leads marketing passes on."),
    BankStatement(key="spend_without_results", polarity=_R, theme="Return on spend",
                  text="Marketing spend keeps growing without a matching growth in revenue."),
    BankStatement(key="feedback_not_used", polarity=_R, theme="Feedback",
                  text="Neither team acts on the feedback the other team gives."),
    BankStatement(key="needs_not_understood", polarity=_R, theme="Mutual understanding",
                  text="Sales and marketing do not really understand what the other team needs."),
    BankStatement(key="no_responsibility_for_misses", polarity=_R, theme="Accountability",
                  text="When targets are missed, nobody takes responsibility for the miss."),
    BankStatement(key="leads_not_followed_up", polarity=_R, theme="Follow-up",
                  text="Leads handed to sales often go without follow-up."),
    BankStatement(key="shared_revenue_goal", polarity=_P, theme="Shared goal",
                  text="Sales and marketing work towards one shared revenue goal."),
    BankStatement(key="shared_definitions", polarity=_P, theme="Common terms",
                  text="Both teams use the same written definitions of lead, MQL and SQL."),
    BankStatement(key="integrated_systems", polarity=_P, theme="Systems",
                  text="Sales and marketing work in one integrated CRM and marketing system."),
    BankStatement(key="joint_meetings_weekly", polarity=_P, theme="Cadence",
                  text="Sales and marketing meet together at least once a week."),
    BankStatement(key="satisfied_with_other_team", polarity=_P, theme="Satisfaction",
                  text="Each team is satisfied with the work the other team does."),
    BankStatement(key="handoff_sla_agreed", polarity=_P, theme="Hand-off",
                  text="There is an agreed SLA for handing leads from marketing to sales."),
    BankStatement(key="lead_outcomes_reported", polarity=_P, theme="Closed loop",
                  text="Sales tells marketing what happened to the leads it received."),
    BankStatement(key="campaigns_planned_jointly", polarity=_P, theme="Joint planning",
                  text="Marketing campaigns are planned together with sales."),
)
# fmt: on


def _check_score(score: int | Decimal) -> Decimal:
    """Return a score as a Decimal, refusing anything outside 1..5 (or not a number)."""
    if isinstance(score, bool) or not isinstance(score, int | Decimal):
        raise ValidationFailed(f"A score must be a whole or decimal number, not {score!r}.")
    value = Decimal(score)
    if not value.is_finite() or not MIN_SCORE <= value <= MAX_SCORE:
        raise ValidationFailed(f"A score must be between 1 and 5, not {score}.")
    return value


def _check_team(team: str) -> str:
    """Return the team name if it is one of the two assessed teams."""
    if team not in TEAMS:
        raise ValidationFailed(f"Unknown team {team!r}: choose sales or marketing.")
    return team


def team_score(scores: Iterable[int | Decimal]) -> Decimal | None:
    """Combine participants' 1–5 scores into a team score (the mean, rounded half up to 0.01)."""
    values = [_check_score(score) for score in scores]
    if not values:
        return None
    with localcontext(_CONTEXT):
        return (sum(values, Decimal(0)) / len(values)).quantize(_CENT, rounding=ROUND_HALF_UP)


def alignment_contribution(score: Decimal, polarity: Polarity) -> Decimal:
    """Turn one 1–5 score into 0–100 alignment points, reversing the scale for red flags."""
    value = _check_score(score)
    with localcontext(_CONTEXT):
        if polarity is Polarity.RED_FLAG:
            return (MAX_SCORE - value) * 25
        return (value - MIN_SCORE) * 25


def alignment_index(scores: Iterable[tuple[Decimal, Polarity]]) -> Decimal | None:
    """Average a team's contributions into its 0–100 index, rounded half up to a whole number."""
    points = [alignment_contribution(score, polarity) for score, polarity in scores]
    if not points:
        return None
    with localcontext(_CONTEXT):
        mean = sum(points, Decimal(0)) / len(points)
        return mean.quantize(_WHOLE, rounding=ROUND_HALF_UP)


def severity_of(gap: Decimal | None) -> Severity:
    """Classify a gap between the teams' scores; a missing answer is unknown."""
    if gap is None:
        return Severity.UNKNOWN
    if gap < Decimal("0.5"):
        return Severity.NONE
    if gap < Decimal("1.5"):
        return Severity.LOW
    if gap < Decimal("2.5"):
        return Severity.MEDIUM
    return Severity.HIGH


@dataclass(frozen=True)
class StatementScores:
    """Both teams' scores for one statement, as entered in the blind round."""

    statement_id: int
    polarity: Polarity
    sales: Decimal | None
    marketing: Decimal | None

    def __post_init__(self) -> None:
        for score in (self.sales, self.marketing):
            if score is not None:
                _check_score(score)

    def score_for(self, team: str) -> Decimal | None:
        """Return the named team's score for this statement."""
        return self.sales if _check_team(team) == "sales" else self.marketing


@dataclass(frozen=True)
class Gap:
    """How far apart sales and marketing are on one statement, with a printable marker."""

    statement_id: int
    sales: Decimal | None
    marketing: Decimal | None
    gap: Decimal | None
    severity: Severity
    marker: str


@dataclass(frozen=True)
class AssessmentResult:
    """The outcome of an assessment: each team's index and the gaps, largest first."""

    sales_index: Decimal | None
    marketing_index: Decimal | None
    gaps: tuple[Gap, ...]

    def largest_gaps(self, n: int = 5) -> tuple[Gap, ...]:
        """Return the n largest known gaps, which become the workshop's agenda."""
        if n < 0:
            raise ValidationFailed(f"The number of gaps to show cannot be negative ({n}).")
        return tuple(gap for gap in self.gaps if gap.gap is not None)[:n]

    def index_for(self, team: str) -> Decimal | None:
        """Return the named team's alignment index."""
        return self.sales_index if _check_team(team) == "sales" else self.marketing_index


def _gap_for(statement: StatementScores) -> Gap:
    """Measure the gap between the teams on one statement."""
    gap: Decimal | None = None
    if statement.sales is not None and statement.marketing is not None:
        with localcontext(_CONTEXT):
            difference = abs(statement.sales - statement.marketing)
            gap = difference.quantize(_CENT, rounding=ROUND_HALF_UP)
    severity = severity_of(gap)
    return Gap(
        statement_id=statement.statement_id,
        sales=statement.sales,
        marketing=statement.marketing,
        gap=gap,
        severity=severity,
        marker=SEVERITY_MARKERS[severity],
    )


def _rank(gap: Gap) -> tuple[bool, Decimal, int]:
    """Sort key: known gaps first, larger first, then by statement id."""
    return (gap.gap is None, -(gap.gap or Decimal(0)), gap.statement_id)


def score_assessment(statements: Iterable[StatementScores]) -> AssessmentResult:
    """Score a revealed assessment: both teams' indices and the ranked gap heat map."""
    rows = list(statements)
    seen: set[int] = set()
    for row in rows:
        if row.statement_id in seen:
            raise ValidationFailed(f"Statement {row.statement_id} is scored more than once.")
        seen.add(row.statement_id)
    sales = alignment_index((r.sales, r.polarity) for r in rows if r.sales is not None)
    marketing = alignment_index((r.marketing, r.polarity) for r in rows if r.marketing is not None)
    gaps = tuple(sorted((_gap_for(row) for row in rows), key=_rank))
    return AssessmentResult(sales_index=sales, marketing_index=marketing, gaps=gaps)
