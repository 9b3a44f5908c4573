"""The blind assessment round as operations on the store: statements, scores, reveal, gaps.

Scores are attributed by team: a team's consensus score is an answer without a participant,
a person's score is an answer with one, always filed under that person's team.

The reveal is saved with the session (`Session.revealed_at`), and `disclose` is the one rule
of what may be shown of the round: until the reveal only how many statements each team has
scored; the scores, the indices and the gaps once it is revealed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from workshop.storage.rows import SessionRows
from workshop.storage.store import Store

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

    def with_reveal(self, revealed: bool) -> BlindView:
        """The view once both teams are revealed (True), or hidden again for blind entry."""
        return replace(self, revealed=revealed)


@dataclass(frozen=True)
class Disclosure:
    """What of a session's round may be shown outside score entry: screens, the plan,
    `workshop status`, search and comparisons all read it, so none can show more.

    Before the reveal it holds only counts: how many statements there are and how many each
    team has scored. The statements with their scores and the result come with the reveal.
    """

    total: int
    scored: dict[str, int]
    """How many statements each assessed team has a score for (a count reveals no score)."""
    revealed_at: dt.datetime | None = None
    rows: tuple[RoundRow, ...] = ()
    """Every statement with both teams' scores; empty until the reveal."""
    result: AssessmentResult | None = None
    """Both indices and the ranked gaps; None until the reveal."""

    @property
    def revealed(self) -> bool:
        """Whether the room has been shown both teams' scores."""
        return self.revealed_at is not None

    @property
    def started(self) -> bool:
        """Whether either team has scored anything yet."""
        return any(self.scored.values())

    def largest_gaps(self, n: int = 5) -> list[tuple[str, Gap]]:
        """The n largest known gaps with their statement's theme (or text); none before the
        reveal."""
        if self.result is None:
            return []
        names = {row.statement_id: row.statement.theme or row.statement.text for row in self.rows}
        return [(names[gap.statement_id], gap) for gap in self.result.largest_gaps(n)]

    @property
    def progress(self) -> str:
        """The round in words, without a score: how far each team has got.

        'The assessment has not started: …' while nobody has scored; before the reveal
        'The assessment is in progress: 9 of 14 statements scored by sales, 0 of 14 by
        marketing.'; after it 'Both teams rated 14 statements blind.' or, when a team left
        some out, 'Sales rated 14 of 14 statements blind, marketing 9 of 14.'
        """
        sales, marketing = (f"{self.scored[team]} of {self.total}" for team in TEAMS)
        if not self.started:
            return "The assessment has not started: no statement has a score yet."
        if not self.revealed:
            return (
                f"The assessment is in progress: {sales} statements scored by sales, "
                f"{marketing} by marketing."
            )
        if all(self.scored[team] == self.total for team in TEAMS):
            return f"Both teams rated {self.total} statements blind."
        return f"Sales rated {sales} statements blind, marketing {marketing}."


def is_revealed(session: m.Session) -> bool:
    """Whether the session's round has been revealed to the room."""
    return session.revealed_at is not None


def disclose(store: Store, session_id: int) -> Disclosure:
    """What of the session's round may be shown now (see Disclosure)."""
    return disclosed(store.get_session(session_id), read_round(store, session_id))


def disclosure_of(rows: SessionRows) -> Disclosure:
    """What of the round in a session's rows may be shown now (see Disclosure)."""
    return disclosed(rows.session, round_of(rows.statements, rows.answers))


def disclosed(session: m.Session, rows: Sequence[RoundRow]) -> Disclosure:
    """What of `rows`, the session's round as read, may be shown now (see Disclosure)."""
    scored = {team: scored_count(rows, team) for team in TEAMS}
    if not is_revealed(session):
        return Disclosure(total=len(rows), scored=scored)
    return Disclosure(
        total=len(rows),
        scored=scored,
        revealed_at=session.revealed_at,
        rows=tuple(rows),
        result=score_round(rows),
    )


def set_revealed(store: Store, session_id: int, revealed: bool) -> m.Session:
    """Reveal both teams' scores to the room, or hide them again for more blind entry.

    Saved with the session at once and logged, so ctrl+z undoes it and a crash or a reopen
    shows the room what it has already seen. Asking for the state it is in changes nothing.
    """
    session = store.get_session(session_id)
    if is_revealed(session) == revealed:
        return session
    revealed_at = store.clock() if revealed else None
    return store.update(session.model_copy(update={"revealed_at": revealed_at}))


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
    with store.transaction(one_undo=True):
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
    """The session's round read from the store (see `round_of`)."""
    return round_of(store.rows(m.Statement, session_id), store.rows(m.Answer, session_id))


def round_of(statements: Iterable[m.Statement], answers: Iterable[m.Answer]) -> list[RoundRow]:
    """Every statement in order with each team's score: its consensus, else its people's mean."""
    consensus: dict[tuple[int, str], int] = {}
    people: dict[tuple[int, str], list[int]] = defaultdict(list)
    for answer in answers:
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
    for number, statement in enumerate(statements, start=1):
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
    returned instead of a second one, so a repeated key press does not duplicate it. Refused
    before the reveal: the item's description names both teams' scores.
    """
    statement = row.statement
    assert statement.session_id is not None
    if not is_revealed(store.get_session(statement.session_id)):
        raise ValidationFailed("Reveal the round first (r): a gap shows only after the reveal.")
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
