"""Across sessions: full-text search over every session, and then-and-now comparison.

The search index (an FTS5 table kept in sync by triggers, see `workshop.storage.schema`) holds
term names and definitions, action items and review notes of every session. User text
is never passed to FTS5 as query syntax: each word is quoted, so `"`, `*`, `AND (` and
the like are searched for as words, never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from workshop import models as m
from workshop import steps
from workshop.blind_round import disclose
from workshop.errors import StorageError, ValidationFailed
from workshop.storage.store import Store

MATCH_START = "\x02"
"""Marks where a matched word starts in `SearchHit.snippet`."""
MATCH_END = "\x03"
"""Marks where a matched word ends in `SearchHit.snippet`."""

_STEPS = {"terms": steps.TERMS.number, "action_items": steps.ACTIONS.number}
_KIND_LABELS = {"terms": "Term", "action_items": "Action", "review_notes": "Review note"}


@dataclass(frozen=True)
class SearchHit:
    """One row of one session whose words match the search."""

    session_id: int
    session_title: str
    entity: str
    entity_id: int
    title: str
    snippet: str
    action_item_id: int | None = None
    """For a review note: the action item it reports progress on, if any."""

    @property
    def kind(self) -> str:
        """'Term', 'Action' or 'Review note'."""
        return _KIND_LABELS.get(self.entity, self.entity)

    @property
    def step(self) -> int | None:
        """The workshop step that shows the row (None for review notes: the review shows them)."""
        return _STEPS.get(self.entity)

    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, for highlighting."""
        parts: list[tuple[str, bool]] = []
        for index, piece in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", self.snippet)):
            if piece:
                parts.append((piece, index % 2 == 1))
        return parts

    @property
    def plain_snippet(self) -> str:
        """The snippet without match marks."""
        return self.snippet.replace(MATCH_START, "").replace(MATCH_END, "")


def fts_query(text: str) -> str | None:
    """The FTS5 query for words typed by a user: every word quoted, the last one as a prefix.

    Words without a letter or digit are dropped (FTS5 would find nothing for them);
    None when nothing searchable is left.
    """
    words = [w for w in text.split() if re.search(r"\w", w)]
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(
    store: Store, text: str, *, limit: int = 200, session_id: int | None = None
) -> list[SearchHit]:
    """Rows of every session (or one) whose words match `text`, best match first."""
    query = fts_query(text)
    if query is None:
        return []
    sql = (
        "SELECT si.session_id, s.title AS session_title, si.entity, si.entity_id,"
        " si.title AS title,"
        f" snippet(search_index, -1, '{MATCH_START}', '{MATCH_END}', '…', 12) AS snippet"
        " FROM search_index si JOIN sessions s ON s.id = si.session_id"
        " WHERE search_index MATCH ?"
    )
    params: tuple[object, ...] = (query,)
    if session_id is not None:
        sql += " AND si.session_id = ?"
        params += (session_id,)
    sql += " ORDER BY rank, si.session_id, si.entity_id LIMIT ?"
    try:
        rows = store.database.query(sql, (*params, limit))
    except StorageError:
        # The query is quoted, so this is not expected; a search must never fail loudly.
        return []
    hits = [
        SearchHit(
            session_id=int(str(row["session_id"])),
            session_title=str(row["session_title"]),
            entity=str(row["entity"]),
            entity_id=int(str(row["entity_id"])),
            title=str(row["title"] or ""),
            snippet=str(row["snippet"] or ""),
        )
        for row in rows
    ]
    return _with_note_subjects(store, hits)


def _with_note_subjects(store: Store, hits: list[SearchHit]) -> list[SearchHit]:
    """Title review-note hits by the action item they are about ('General note' otherwise)."""
    note_ids = [h.entity_id for h in hits if h.entity == "review_notes"]
    if not note_ids:
        return hits
    marks = ", ".join("?" for _ in note_ids)
    rows = store.database.query(
        "SELECT n.id, n.action_item_id, a.title FROM review_notes n"
        f" LEFT JOIN action_items a ON a.id = n.action_item_id WHERE n.id IN ({marks})",
        tuple(note_ids),
    )
    subjects = {int(str(r["id"])): (r["action_item_id"], r["title"]) for r in rows}
    enriched = []
    for hit in hits:
        if hit.entity == "review_notes" and hit.entity_id in subjects:
            item_id, title = subjects[hit.entity_id]
            hit = replace(
                hit,
                title=f"on '{title}'" if title else "General note",
                action_item_id=int(str(item_id)) if item_id is not None else None,
            )
        enriched.append(hit)
    return enriched


def alignment_indices(store: Store, session_id: int) -> tuple[Decimal | None, Decimal | None]:
    """The (sales, marketing) alignment index of a session's assessment, None where unanswered
    and for both while the round is blind (not revealed yet)."""
    result = disclose(store, session_id).result
    if result is None:
        return None, None
    return result.sales_index, result.marketing_index


@dataclass(frozen=True)
class DefinitionChange:
    """A term both sessions define, with its definition then and now."""

    name: str
    then: str
    now: str


@dataclass(frozen=True)
class SessionComparison:
    """Two sessions of one organisation side by side: alignment index and changed definitions."""

    then: m.Session
    now: m.Session
    sales_then: Decimal | None
    sales_now: Decimal | None
    marketing_then: Decimal | None
    marketing_now: Decimal | None
    changed: tuple[DefinitionChange, ...]
    added: tuple[str, ...]
    dropped: tuple[str, ...]


def _definitions(store: Store, session_id: int) -> dict[str, m.Term]:
    return {t.clean_name.replace(" ", ""): t for t in store.rows(m.Term, session_id)}


def compare_sessions(store: Store, first_id: int, second_id: int) -> SessionComparison:
    """Compare two sessions of the same organisation (earlier one as 'then').

    Terms are matched by name ignoring case and spaces ('Sales cycle' = 'salescycle').
    """
    first, second = store.get_session(first_id), store.get_session(second_id)
    if m.clean_name(first.organisation) != m.clean_name(second.organisation):
        raise ValidationFailed(
            f"Sessions {first_id} and {second_id} belong to different organisations "
            f"('{first.organisation}' and '{second.organisation}')."
        )
    then, now = sorted((first, second), key=lambda s: (s.date, s.id or 0))
    assert then.id is not None and now.id is not None
    old_terms, new_terms = _definitions(store, then.id), _definitions(store, now.id)
    changed = tuple(
        DefinitionChange(new_terms[key].name, old_terms[key].definition, new_terms[key].definition)
        for key in new_terms
        if key in old_terms
        and " ".join(old_terms[key].definition.split())
        != " ".join(new_terms[key].definition.split())
    )
    sales_then, marketing_then = alignment_indices(store, then.id)
    sales_now, marketing_now = alignment_indices(store, now.id)
    return SessionComparison(
        then=then,
        now=now,
        sales_then=sales_then,
        sales_now=sales_now,
        marketing_then=marketing_then,
        marketing_now=marketing_now,
        changed=changed,
        added=tuple(t.name for k, t in new_terms.items() if k not in old_terms),
        dropped=tuple(t.name for k, t in old_terms.items() if k not in new_terms),
    )


def session_to_compare(store: Store, session_id: int) -> m.Session | None:
    """The other session of the same organisation to compare with: the latest one held
    before this one, else the first one held after it; None when there is none."""
    session = store.get_session(session_id)
    if not session.organisation.strip():
        return None
    key = m.clean_name(session.organisation)
    this = (session.date, session_id)
    others = [
        s.session
        for s in store.sessions()
        if s.session.id != session_id and m.clean_name(s.session.organisation) == key
    ]
    earlier = [s for s in others if (s.date, s.id or 0) < this]
    if earlier:
        return max(earlier, key=lambda s: (s.date, s.id or 0))
    return min(others, key=lambda s: (s.date, s.id or 0), default=None)
