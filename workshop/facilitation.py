"""The workshop's rules as operations on the store, so the TUI and scripts share them.

Each function is one user intent ("sign this term off for sales", "this term is disputed")
and writes it in one transaction.
"""

from __future__ import annotations

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


def cycle_status(store: Store, item: m.ActionItem) -> m.ActionItem:
    """Move an action item to its next status (open → in progress → blocked → done → open)."""
    return set_status(store, item, item.next_status())


def set_status(store: Store, item: m.ActionItem, status: m.ActionStatus) -> m.ActionItem:
    """Give an action item the status chosen; the one it has already is not saved again."""
    if item.status is status:
        return item
    return store.update(item.model_copy(update={"status": status}))


GATE_NAMES_LENGTH = 300
"""At most this many characters of open items' names are listed in a gate's reason."""


def record_gate(store: Store, session_id: int, step: int, reason: str, continued: bool) -> m.Gate:
    """Log the facilitator's answer to 'continue anyway?' when leaving a step with open issues.

    One row per step and set of open items (`reason`, as `pending_gate` words it): answering
    again for the same set updates that row to the latest answer instead of adding a line.
    """
    earlier = _gate_for(store, session_id, step, reason)
    if earlier is None:
        return store.add(
            m.Gate(step=step, reason=reason, continued=continued, at=store.clock()), session_id
        )
    return store.update(earlier.model_copy(update={"continued": continued, "at": store.clock()}))


def pending_gate(store: Store, session_id: int, step: int, reason: str) -> str | None:
    """What 'continue anyway?' asks when leaving `step` with `reason` open, or None to go on.

    The reason names the open items ('2 terms are not signed off by both teams: Lead, MQL'),
    so a set the facilitator already chose to continue with is not asked about again; a
    changed set (a term signed, another added) is.
    """
    worded = _with_names(reason, open_items(store, session_id, step))
    earlier = _gate_for(store, session_id, step, worded)
    return None if earlier is not None and earlier.continued else worded


def open_items(store: Store, session_id: int, step: int) -> list[str]:
    """Names of what keeps a step's gate open: unsigned terms (3), stages without owner (4)."""
    if step == 3:
        names = [term.name for term in unsigned_terms(store, session_id)]
    elif step == 4:
        names = [stage.name for stage in stages_without_owner(store, session_id)]
    else:
        names = []
    return sorted(names, key=lambda name: (name.casefold(), name))


def _with_names(reason: str, names: list[str]) -> str:
    """`reason: A, B and 3 more`, listing names up to `GATE_NAMES_LENGTH` characters."""
    shown: list[str] = []
    for name in names:
        if shown and sum(len(n) + 2 for n in (*shown, name)) > GATE_NAMES_LENGTH:
            break
        shown.append(name)
    if not shown:
        return reason
    rest = len(names) - len(shown)
    return f"{reason}: {', '.join(shown)}" + (f" and {rest} more" if rest else "")


def _gate_for(store: Store, session_id: int, step: int, reason: str) -> m.Gate | None:
    """The answer already recorded for this step and this set of open items, if any."""
    found = [g for g in store.rows(m.Gate, session_id) if g.step == step and g.reason == reason]
    return max(found, key=lambda g: g.id or 0, default=None)


def unsigned_terms(store: Store, session_id: int) -> list[m.Term]:
    """Terms not yet signed off by both teams (the step-3 gate)."""
    from workshop.glossary import not_agreed

    return not_agreed(store.rows(m.Term, session_id))


def stages_without_owner(store: Store, session_id: int) -> list[m.Stage]:
    """Revenue-cycle stages nobody owns (the step-4 gate)."""
    return [s for s in store.rows(m.Stage, session_id) if s.owner_team is None]
