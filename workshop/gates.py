"""The gates between steps: what keeps a step open (unsigned terms, stages nobody owns),
and the facilitator's answer to "continue anyway?", recorded once per set of open items.
"""

from __future__ import annotations

from workshop import models as m
from workshop.cycle import stages_without_owner
from workshop.glossary import unsigned_terms
from workshop.storage.store import Store

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
