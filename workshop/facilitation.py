"""The workshop's rules as operations on the store, so the TUI and scripts share them.

Each function is one user intent ("sign this term off for sales", "this term is disputed")
and writes it in one transaction.
"""

from __future__ import annotations

import datetime as dt

from workshop import models as m
from workshop.store import Store


def toggle_sign_off(store: Store, term: m.Term, team: m.Team, who: str) -> m.Term:
    """Sign `term` off for `team` (or withdraw that team's sign-off), recording who and when."""
    return store.update(term.toggle_sign_off(team, who, store.clock()))


def revise_term(store: Store, term: m.Term, changes: dict[str, object]) -> tuple[m.Term, bool]:
    """Save an edit of a term; returns it and whether a changed meaning cleared its sign-offs."""
    revised, cleared = term.revise(**changes)
    return store.update(revised), cleared


def dispute_term(store: Store, term: m.Term, *, owner_id: int | None = None) -> m.ActionItem:
    """Mark `term` disputed and open an action item to settle it, together."""
    assert term.session_id is not None
    with store.transaction():
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


def cycle_status(store: Store, item: m.ActionItem) -> m.ActionItem:
    """Move an action item to its next status (open → in progress → blocked → done → open)."""
    return store.update(item.model_copy(update={"status": item.next_status()}))


def record_gate(store: Store, session_id: int, step: int, reason: str, continued: bool) -> m.Gate:
    """Log the facilitator's answer to 'continue anyway?' when leaving a step with open issues."""
    return store.add(
        m.Gate(step=step, reason=reason, continued=continued, at=store.clock()), session_id
    )


def unsigned_terms(store: Store, session_id: int) -> list[m.Term]:
    """Terms not yet signed off by both teams (the step-3 gate)."""
    from workshop.glossary import not_agreed

    return not_agreed(store.rows(m.Term, session_id))


def stages_without_owner(store: Store, session_id: int) -> list[m.Stage]:
    """Revenue-cycle stages nobody owns (the step-4 gate)."""
    return [s for s in store.rows(m.Stage, session_id) if s.owner_team is None]


def overdue_items(store: Store, session_id: int, today: dt.date) -> list[m.ActionItem]:
    """Action items past their due date and not done, earliest first."""
    items = [i for i in store.rows(m.ActionItem, session_id) if i.is_overdue(today)]
    return sorted(items, key=lambda i: (i.due or today, i.id or 0))
