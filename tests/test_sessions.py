"""Starting a session and recording how far the workshop got."""

from __future__ import annotations

from workshop import blind_round as br
from workshop import models as m
from workshop.sessions import reach_step
from workshop.storage.store import Store


def test_reach_step_only_moves_forward_and_writes_only_then(
    store: Store, session: m.Session
) -> None:
    assert session.id is not None
    logged = len(store.changes(session.id))
    assert reach_step(store, session.id, 3).step_reached == 3
    assert len(store.changes(session.id)) == logged + 1
    assert reach_step(store, session.id, 2).step_reached == 3  # back: nothing written
    assert reach_step(store, session.id, 3).step_reached == 3
    assert len(store.changes(session.id)) == logged + 1


def test_reach_step_keeps_an_edit_saved_since_the_session_was_read(
    store: Store, session: m.Session
) -> None:
    """The session screen read the session when it opened; the reveal saved it since. The
    step reached is recorded on the saved session, not refused as stale, and the reveal
    stays."""
    assert session.id is not None
    br.set_revealed(store, session.id, True)
    recorded = reach_step(store, session.id, 3)
    assert recorded.step_reached == 3 and recorded.revealed_at is not None
    assert store.get_session(session.id).revealed_at is not None
