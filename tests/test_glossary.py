"""Unit tests of workshop.glossary: sign-off states, the agreed count, the step-3 gate, saving."""

from __future__ import annotations

import pytest

from tests.conftest import FROZEN_NOW
from workshop import glossary
from workshop import models as m
from workshop.errors import DuplicateName
from workshop.glossary import unsigned_terms
from workshop.storage.store import Store

S, MK = m.Team.SALES, m.Team.MARKETING


def term(name: str = "MQL", *teams: m.Team, disputed: bool = False) -> m.Term:
    made = m.Term(name=name, definition="Ready for sales", disputed=disputed)
    for team in teams:
        made = made.sign_off(team, team.value, FROZEN_NOW)
    return made


@pytest.mark.parametrize(
    ("made", "state"),
    [
        (term(), glossary.SignOffState.PROPOSED),
        (term("MQL", S), glossary.SignOffState.SALES_ONLY),
        (term("MQL", MK), glossary.SignOffState.MARKETING_ONLY),
        (term("MQL", S, MK), glossary.SignOffState.AGREED),
        (term(disputed=True), glossary.SignOffState.DISPUTED),
    ],
)
def test_sign_off_state(made: m.Term, state: glossary.SignOffState) -> None:
    assert glossary.sign_off_state(made) is state


def test_agreement_summary_and_gate() -> None:
    terms = [term("A", S, MK), term("B", S), term("C", disputed=True)]
    assert glossary.agreement_summary(terms) == "1 of 3 terms agreed · 1 disputed"
    assert glossary.agreement_summary([term("A", S, MK)]) == "1 of 1 term agreed"
    assert glossary.agreement_summary([]) == "No terms yet"
    assert glossary.gate_reason(terms) == "2 terms are not signed off by both teams"
    assert glossary.gate_reason(terms[1:2]) == "1 term is not signed off by both teams"
    assert glossary.gate_reason(terms[:1]) is None
    assert glossary.gate_reason([]) is None


def test_not_agreed_matches_the_store_rule(store: Store, session: m.Session) -> None:
    for made in (term("A", S, MK), term("B", S), term("C")):
        store.add(made, session.id)
    from_store = [t.name for t in unsigned_terms(store, session.id or 0)]
    listed = store.rows(m.Term, session.id or 0)
    assert [t.name for t in glossary.not_agreed(listed)] == from_store == ["B", "C"]


def test_signers_are_the_team_in_room_order() -> None:
    people = [
        m.Participant(name="Ann", team=S),
        m.Participant(name="Mo", team=MK),
        m.Participant(name="Sam", team=S),
    ]
    assert glossary.signers(people, S) == ["Ann", "Sam"]
    assert glossary.signers(people, m.Team.LEADERSHIP) == []


def test_save_term_adds_revises_and_refuses_duplicates(store: Store, session: m.Session) -> None:
    sid = session.id or 0
    added, cleared = glossary.save_term(store, sid, None, {"name": "MQL", "definition": "Ready"})
    assert (added.name, cleared) == ("MQL", False)
    signed = store.update(added.sign_off(S, "Ann", FROZEN_NOW))
    revised, cleared = glossary.save_term(store, sid, signed, {"example": "A demo request"})
    assert cleared is False and revised.is_signed_off_by(S)
    revised, cleared = glossary.save_term(store, sid, revised, {"definition": "Ready now"})
    assert cleared is True and not revised.is_signed_off_by(S)
    with pytest.raises(DuplicateName):
        glossary.save_term(store, sid, None, {"name": "  mql "})
    assert [t.name for t in store.rows(m.Term, sid)] == ["MQL"]
