"""Glossary rules of step 3 over a list of terms: sign-off states, the agreed count, the gate.

They work on terms already read (the TUI keeps the list it shows), so checking the
step-3 gate or the count never queries the database in a key handler.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from workshop import models as m
from workshop.storage.store import Store


class SignOffState(StrEnum):
    """Where a term stands with both teams, finer than its status: who has signed so far."""

    AGREED = "agreed"
    SALES_ONLY = "sales only"
    MARKETING_ONLY = "marketing only"
    PROPOSED = "proposed"
    DISPUTED = "disputed"


def sign_off_state(term: m.Term) -> SignOffState:
    """The term's state: disputed, agreed, signed by one team only, or merely proposed."""
    if term.status is m.TermStatus.DISPUTED:
        return SignOffState.DISPUTED
    if term.status is m.TermStatus.AGREED:
        return SignOffState.AGREED
    if term.is_signed_off_by(m.Team.SALES):
        return SignOffState.SALES_ONLY
    if term.is_signed_off_by(m.Team.MARKETING):
        return SignOffState.MARKETING_ONLY
    return SignOffState.PROPOSED


def not_agreed(terms: Iterable[m.Term]) -> list[m.Term]:
    """Terms not yet signed off by both teams."""
    return [term for term in terms if term.status is not m.TermStatus.AGREED]


def _terms(count: int) -> str:
    return "1 term" if count == 1 else f"{count} terms"


def agreement_summary(terms: Sequence[m.Term]) -> str:
    """A one-line count such as '7 of 12 terms agreed · 2 disputed'."""
    if not terms:
        return "No terms yet"
    agreed = len(terms) - len(not_agreed(terms))
    line = f"{agreed} of {_terms(len(terms))} agreed"
    disputed = sum(term.status is m.TermStatus.DISPUTED for term in terms)
    return f"{line} · {disputed} disputed" if disputed else line


def gate_reason(terms: Iterable[m.Term]) -> str | None:
    """Why leaving step 3 deserves 'continue anyway?', e.g. '3 terms are not signed off…'."""
    open_terms = len(not_agreed(terms))
    if not open_terms:
        return None
    verb = "is" if open_terms == 1 else "are"
    return f"{_terms(open_terms)} {verb} not signed off by both teams"


def signers(participants: Iterable[m.Participant], team: m.Team) -> list[str]:
    """Names of the participants who may sign a term off for `team`, in the room's order."""
    return [person.name for person in participants if person.team is team]


def save_term(
    store: Store, session_id: int, term: m.Term | None, typed: dict[str, Any]
) -> tuple[m.Term, bool]:
    """Add a new term or save an edit; returns it and whether a changed meaning cleared sign-offs.

    A duplicate name (ignoring case and spaces) is refused by the store with DuplicateName.
    """
    if term is None:
        return store.add(m.build(m.Term, typed), session_id), False
    return revise_term(store, term, typed)


def toggle_sign_off(store: Store, term: m.Term, team: m.Team, who: str) -> m.Term:
    """Sign `term` off for `team` (or withdraw that team's sign-off), recording who and when."""
    return store.update(term.toggle_sign_off(team, who, store.clock()))


def revise_term(store: Store, term: m.Term, changes: dict[str, object]) -> tuple[m.Term, bool]:
    """Save an edit of a term; returns it and whether a changed meaning cleared its sign-offs."""
    revised, cleared = term.revise(**changes)
    return store.update(revised), cleared


def dispute_term(store: Store, term: m.Term, *, owner_id: int | None = None) -> m.ActionItem:
    """Mark `term` disputed and open an action item to settle it, together: one save, one undo."""
    assert term.session_id is not None
    with store.transaction(one_undo=True):
        disputed = store.update(
            term.model_copy(
                update={
                    "disputed": True,
                    "sales_signoff_by": None,
                    "sales_signoff_at": None,
                    "marketing_signoff_by": None,
                    "marketing_signoff_at": None,
                }
            )
        )
        return store.add(
            m.ActionItem(
                title=f"Agree a definition of '{disputed.name}'",
                description=f"Sales and marketing disputed the definition of {disputed.name}.",
                owner_id=owner_id,
                team=m.Team.LEADERSHIP,
                category=m.Category.CONSULTATION,
                priority=m.Priority.HIGH,
                term_id=disputed.id,
            ),
            term.session_id,
        )


def unsigned_terms(store: Store, session_id: int) -> list[m.Term]:
    """Terms not yet signed off by both teams (the step-3 gate)."""
    return not_agreed(store.rows(m.Term, session_id))
