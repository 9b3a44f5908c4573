"""Undo in plain words: what ctrl+z took back, said the way the change log says it."""

from __future__ import annotations

from collections.abc import Sequence

from workshop.review.changes import Names, describe
from workshop.storage.store import Change, Store


def undo_last(store: Store, session_id: int) -> str | None:
    """Undo the session's last edit (see `Store.undo`) and say what was undone, e.g.
    "ICP marked disputed; with it: Action item 'Agree a definition of 'ICP'' added".

    Returns None when nothing is left to undo; a refused undo raises as `Store.undo` does.
    """
    change = store.undo(session_id)
    if change is None:
        return None
    return undone_words(change, store.caused_by(change.id))


def undone_words(change: Change, caused: Sequence[Change]) -> str:
    """`change` in plain words, with the edits undone together with it (`caused`, newest first).

    What a delete cleared or removed with it is not listed: the row coming back says it.
    """
    names = Names([change, *caused])
    words = describe(change, names)
    if change.action == "delete" or not caused:
        return words
    if len(caused) > MAX_LISTED:  # the default stages, the statement bank: say how many
        return f"{words}; with it: {len(caused)} more changes made together"
    return f"{words}; with it: " + "; ".join(describe(other, names) for other in reversed(caused))


MAX_LISTED = 3
"""How many changes made together with the undone one are named; more are counted."""
