"""Starting a session: a new workshop begins from the blank starter (terms, stages, statements)."""

from __future__ import annotations

import datetime as dt

from workshop import models as m
from workshop.storage.store import Store


def create_session(
    store: Store,
    *,
    title: str,
    organisation: str = "",
    facilitator: str = "",
    date: dt.date | None = None,
    starter: bool = True,
) -> m.Session:
    """Create a session; with `starter`, seed it with the usual terms, stages and statements.

    Everything is written in one transaction, so a session is never half-seeded.
    """
    fields = {
        "title": title,
        "organisation": organisation,
        "facilitator": facilitator,
        "date": date or dt.date.today(),
    }
    session: m.Session = m.build(m.Session, fields)
    if not starter:
        return store.create_session(session)
    from workshop.resources import sample_session
    from workshop.storage.session_file import import_document, parse_document

    document = parse_document(sample_session("blank").read_bytes())
    document = document.model_copy(update={"session": session})
    return import_document(store, document)


def reach_step(store: Store, session_id: int, step: int) -> m.Session:
    """Record that the workshop got as far as `step` (it only ever moves forward).

    Only a step further than the one recorded writes, and that write reads the session
    again inside its transaction, so an edit saved meanwhile (a reveal, another process)
    is kept and nothing is refused as stale.
    """
    session = store.get_session(session_id)
    if step <= session.step_reached:
        return session
    with store.transaction():
        session = store.get_session(session_id)
        if step > session.step_reached:
            session = store.update(session.model_copy(update={"step_reached": step}))
    return session
