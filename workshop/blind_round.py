"""The blind assessment round as operations on the store: statements, scores, reveal, gaps.

Scores are attributed by team: a team's consensus score is an answer without a participant,
a person's score is an answer with one, always filed under that person's team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from workshop import models as m
from workshop.assessment import (
    STATEMENT_BANK,
    TEAMS,
    AssessmentResult,
    Gap,
    Severity,
    StatementScores,
    score_assessment,
    team_score,
)
from workshop.errors import ValidationFailed
from workshop.store import Store

MIDDLE_SCORE = 3
"""Where raising or lowering an unscored statement starts: two steps reach any score."""


@dataclass(frozen=True)
class RoundRow:
    """One statement of the round, numbered as read out, with both teams' scores so far."""

    number: int
    statement: m.Statement
    scores: StatementScores

    @property
    def statement_id(self) -> int:
        """The statement's row id."""
        return self.scores.statement_id


@dataclass(frozen=True)
class BlindView:
    """What the room may see: whose scores are being entered, and whether both are revealed."""

    entering: str = "sales"
    revealed: bool = False

    def __post_init__(self) -> None:
        _assessed_team(self.entering)

    @property
    def hidden_team(self) -> str | None:
        """The team whose scores stay off screen, or None once the round is revealed."""
        if self.revealed:
            return None
        return next(team for team in TEAMS if team != self.entering)

    def shows(self, team: str) -> bool:
        """Whether `team`'s scores may be on screen now."""
        return self.revealed or _assessed_team(team) == self.entering

    def enter_for(self, team: str) -> BlindView:
        """The view while `team`'s scores are entered (the other team's stay hidden)."""
        return replace(self, entering=_assessed_team(team))

    def toggle_reveal(self) -> BlindView:
        """Reveal both teams at once, or hide them again for more blind entry."""
        return replace(self, revealed=not self.revealed)


def _assessed_team(team: str | m.Team) -> str:
    value = str(team.value if isinstance(team, m.Team) else team)
    if value not in TEAMS:
        raise ValidationFailed(f"Only sales and marketing are assessed, not {value!r}.")
    return value


def _check_score(score: int) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(f"A score must be a whole number from 1 to 5, not {score!r}.")
    return score


def seed_statements(store: Store, session_id: int) -> list[m.Statement]:
    """Give a session the standard statement bank if it has no statements yet; returns them."""
    existing = store.rows(m.Statement, session_id)
    if existing:
        return existing
    with store.transaction():
        return [
            store.add(
                m.Statement(
                    position=number,
                    key=entry.key,
                    text=entry.text,
                    polarity=entry.polarity,
                    theme=entry.theme,
                ),
                session_id,
            )
            for number, entry in enumerate(STATEMENT_BANK, start=1)
        ]


def read_round(store: Store, session_id: int) -> list[RoundRow]:
    """Every statement in order with each team's score: its consensus, else its people's mean."""
    consensus: dict[tuple[int, str], int] = {}
    people: dict[tuple[int, str], list[int]] = defaultdict(list)
    for answer in store.rows(m.Answer, session_id):
        team = answer.team.value
        if team not in TEAMS:
            continue
        if answer.participant_id is None:
            consensus[(answer.statement_id, team)] = answer.score
        else:
            people[(answer.statement_id, team)].append(answer.score)

    def score(statement_id: int, team: str) -> Decimal | None:
        if (statement_id, team) in consensus:
            return team_score([consensus[(statement_id, team)]])
        return team_score(people.get((statement_id, team), []))

    rows = []
    for number, statement in enumerate(store.rows(m.Statement, session_id), start=1):
        assert statement.id is not None
        scores = StatementScores(
            statement_id=statement.id,
            polarity=statement.polarity,
            sales=score(statement.id, "sales"),
            marketing=score(statement.id, "marketing"),
        )
        rows.append(RoundRow(number=number, statement=statement, scores=scores))
    return rows


def score_round(rows: Iterable[RoundRow]) -> AssessmentResult:
    """The revealed result of the round: each team's index and the gaps, largest first."""
    return score_assessment(row.scores for row in rows)


def scored_count(rows: Iterable[RoundRow], team: str) -> int:
    """How many statements `team` has a score for (a count reveals no score)."""
    return sum(1 for row in rows if row.scores.score_for(_assessed_team(team)) is not None)


def _answer_of(
    store: Store, statement: m.Statement, team: str, participant_id: int | None
) -> m.Answer | None:
    assert statement.session_id is not None
    found = store.rows(
        m.Answer,
        statement.session_id,
        where="statement_id = ? AND team = ? AND participant_id IS ?",
        params=(statement.id, team, participant_id),
    )
    return found[0] if found else None


def record_score(
    store: Store,
    statement: m.Statement,
    team: str | m.Team,
    score: int,
    *,
    participant: m.Participant | None = None,
) -> m.Answer:
    """Record or replace a team's consensus score for a statement, or one participant's.

    A participant's score counts for their own team only, so answers stay attributed by team.
    """
    assessed = _assessed_team(team)
    _check_score(score)
    if participant is not None and participant.team.value != assessed:
        raise ValidationFailed(
            f"{participant.name} is in {participant.team.value}, so cannot score for {assessed}."
        )
    participant_id = participant.id if participant is not None else None
    existing = _answer_of(store, statement, assessed, participant_id)
    if existing is None:
        answer = m.Answer(
            statement_id=statement.id or 0,
            team=m.Team(assessed),
            participant_id=participant_id,
            score=score,
        )
        return store.add(answer, statement.session_id)
    if existing.score == score:
        return existing
    return store.update(existing.model_copy(update={"score": score}))


def clear_score(
    store: Store, statement: m.Statement, team: str | m.Team, *, participant_id: int | None = None
) -> m.Answer | None:
    """Remove a team's consensus score (or a participant's) for a statement; returns it if any."""
    existing = _answer_of(store, statement, _assessed_team(team), participant_id)
    if existing is not None:
        store.delete(existing)
    return existing


def adjusted_score(current: Decimal | None, step: int) -> int:
    """The score one press of raise (+1) or lower (-1) gives, kept within 1..5.

    An unscored statement starts at the middle; a participants' mean moves to the next whole
    score in the direction pressed.
    """
    if current is None:
        return MIDDLE_SCORE
    rounding = ROUND_FLOOR if step > 0 else ROUND_CEILING
    start = int(current.to_integral_value(rounding=rounding))
    return max(1, min(5, start + step))


def adjust_score(store: Store, row: RoundRow, team: str | m.Team, step: int) -> m.Answer:
    """Raise or lower a team's consensus score for one statement by `step`, saved at once."""
    assessed = _assessed_team(team)
    current = row.scores.score_for(assessed)
    return record_score(store, row.statement, assessed, adjusted_score(current, step))


GAP_CATEGORIES: dict[str, m.Category] = {
    "lead_quality_questioned": m.Category.MEASUREMENT,
    "spend_without_results": m.Category.MEASUREMENT,
    "feedback_not_used": m.Category.COMMUNICATION,
    "needs_not_understood": m.Category.COMMUNICATION,
    "no_responsibility_for_misses": m.Category.CULTURE_TRUST,
    "leads_not_followed_up": m.Category.PROCESS,
    "shared_revenue_goal": m.Category.MEASUREMENT,
    "shared_definitions": m.Category.CONSULTATION,
    "integrated_systems": m.Category.TECHNOLOGY,
    "joint_meetings_weekly": m.Category.COMMUNICATION,
    "satisfied_with_other_team": m.Category.CULTURE_TRUST,
    "handoff_sla_agreed": m.Category.PROCESS,
    "lead_outcomes_reported": m.Category.COMMUNICATION,
    "campaigns_planned_jointly": m.Category.CROSS_FUNCTIONAL,
}
"""The kind of work that closes the gap on each bank statement; custom ones: communication."""

GAP_PRIORITIES: dict[Severity, m.Priority] = {
    Severity.HIGH: m.Priority.HIGH,
    Severity.MEDIUM: m.Priority.MEDIUM,
    Severity.LOW: m.Priority.LOW,
    Severity.NONE: m.Priority.LOW,
    Severity.UNKNOWN: m.Priority.MEDIUM,
}
"""A larger gap is a more urgent action."""


def gap_of(row: RoundRow) -> Gap:
    """The gap between the teams on one statement, with its severity and marker."""
    return score_assessment([row.scores]).gaps[0]


def _score_text(score: Decimal | None) -> str:
    return "no score" if score is None else f"{score.normalize():f}"


def gap_action(store: Store, row: RoundRow) -> tuple[m.ActionItem, bool]:
    """Turn the gap on one statement into an action item linked to it.

    Returns the item and whether it is new: an open item already linked to the statement is
    returned instead of a second one, so a repeated key press does not duplicate it.
    """
    statement = row.statement
    assert statement.session_id is not None
    existing = store.rows(
        m.ActionItem,
        statement.session_id,
        where="statement_id = ? AND status != ?",
        params=(statement.id, m.ActionStatus.DONE.value),
    )
    if existing:
        return existing[0], False
    gap = gap_of(row)
    size = "unknown" if gap.gap is None else _score_text(gap.gap)
    item = m.ActionItem(
        title=f"Close the gap on: {statement.theme or statement.text[:80]}",
        description=(
            f"Assessment statement: {statement.text} Sales scored {_score_text(gap.sales)}, "
            f"marketing {_score_text(gap.marketing)} (gap {size} {gap.marker})."
        ),
        team=m.Team.LEADERSHIP,
        category=GAP_CATEGORIES.get(statement.key, m.Category.COMMUNICATION),
        priority=GAP_PRIORITIES[gap.severity],
        statement_id=statement.id,
    )
    return store.add(item, statement.session_id), True
