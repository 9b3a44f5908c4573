"""Tests of session files: exact round trips, all-or-nothing import, and every kind of bad file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.conftest import FROZEN_NOW, FakeClock
from workshop import models as m
from workshop.errors import SessionFileError, ValidationFailed
from workshop.resources import sample_session
from workshop.storage import session_file as sf
from workshop.storage.store import Store

DEMO = sample_session("demo").read_text(encoding="utf-8")


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[Callable[[str], Store]]:
    """Open more fresh databases in one test, each on its own file with its own frozen clock."""
    opened: list[Store] = []

    def factory(name: str) -> Store:
        store = Store(tmp_path / f"{name}.db", clock=FakeClock(FROZEN_NOW), who="tester")
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


def counts(store: Store) -> tuple[int, int, int]:
    """Sessions, change-log entries and action items in the database."""
    rows = store.database.query(
        "SELECT (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM changes) AS c,"
        " (SELECT count(*) FROM action_items) AS a"
    )
    return rows[0]["s"], rows[0]["c"], rows[0]["a"]  # type: ignore[return-value]


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO)
    return data


# -- round trips -------------------------------------------------------------------------------


def test_round_trip_through_two_fresh_databases_is_byte_identical(
    open_store: Callable[[str], Store],
) -> None:
    first = open_store("first")
    text = sf.export_json(first, sf.import_json(first, DEMO).id or 0)
    second = open_store("second")
    again = sf.export_json(second, sf.import_json(second, text).id or 0)
    assert again == text
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_exporting_the_imported_demo_gives_the_demo_file_back(store: Store) -> None:
    assert sf.export_json(store, sf.import_json(store, DEMO).id or 0) == DEMO


def test_import_keeps_sign_offs_and_created_timestamps(store: Store) -> None:
    session = sf.import_json(store, DEMO)
    assert session.id is not None
    terms = {term.name: term for term in store.rows(m.Term, session.id)}
    assert terms["SQL"].sales_signoff_by == "Marcus Bell"
    assert terms["SQL"].sales_signoff_at == dt.datetime(2026, 11, 17, 16, 3, tzinfo=dt.UTC)
    assert terms["Lead"].status is m.TermStatus.AGREED
    assert terms["MQL"].status is m.TermStatus.DISPUTED
    file_actions = demo_data()["action_items"]
    stored = store.rows(m.ActionItem, session.id)
    assert [a.created_at.isoformat() if a.created_at else None for a in stored] == [
        a["created_at"].replace("Z", "+00:00") for a in file_actions
    ]
    assert [a.done_at.isoformat() if a.done_at else None for a in stored] == [
        a["done_at"].replace("Z", "+00:00") if a["done_at"] else None for a in file_actions
    ]


def test_importing_the_same_file_twice_gives_two_sessions(store: Store) -> None:
    one = sf.import_json(store, DEMO)
    two = sf.import_json(store, DEMO, title="Second copy")
    assert one.id is not None and two.id is not None and one.id != two.id
    assert two.title == "Second copy"
    first, second = sf.export_json(store, one.id), sf.export_json(store, two.id)
    assert second == first.replace(json.dumps(one.title), json.dumps("Second copy"), 1)
    # Database ids differ between the copies, references still point inside each session.
    owners = {a.owner_id for a in store.rows(m.ActionItem, two.id)}
    people = {p.id for p in store.rows(m.Participant, two.id)}
    assert owners <= people and not owners & {p.id for p in store.rows(m.Participant, one.id)}


def test_export_numbers_rows_from_one_per_kind_whatever_the_database_ids(
    store: Store, session: m.Session
) -> None:
    other = store.create_session(m.Session(title="Other", date=dt.date(2026, 1, 1)))
    assert session.id is not None and other.id is not None
    store.add(m.Participant(name="Elsewhere"), other.id)
    ann = store.add(m.Participant(name="Ann", team=m.Team.SALES), session.id)
    store.add(m.Term(name="Elsewhere"), other.id)
    mql = store.add(m.Term(name="MQL"), session.id)
    store.add(m.ActionItem(title="Agree MQL", owner_id=ann.id, term_id=mql.id), session.id)
    data = json.loads(sf.export_json(store, session.id))
    assert data["participants"][0]["id"] == 1 and data["terms"][0]["id"] == 1
    assert data["action_items"][0]["owner_id"] == 1 and data["action_items"][0]["term_id"] == 1
    assert "session_id" not in data["participants"][0] and "version" not in data["terms"][0]
    assert "status" not in data["terms"][0] and "id" not in data["session"]


def test_export_writes_decimals_as_exact_strings_and_dates_as_iso(store: Store) -> None:
    session = sf.import_json(store, DEMO)
    data = json.loads(sf.export_json(store, session.id or 0))
    assert data["revenue_goal"]["target"] == "12000000"
    assert data["revenue_goal"]["marketing_share"] == "60"
    assert data["kpi_readings"][-2]["value"] == "7.25"
    assert data["session"]["date"] == "2026-11-17"
    assert data["terms"][0]["sales_signoff_at"] == "2026-11-17T15:48:00Z"


def test_a_term_status_in_the_file_is_ignored() -> None:
    data = demo_data()
    data["terms"][1]["status"] = "agreed"
    doc = sf.parse_document(json.dumps(data))
    assert doc.terms[1].status is m.TermStatus.DISPUTED


def test_a_blank_title_override_is_refused(store: Store) -> None:
    before = counts(store)
    with pytest.raises(m.ValidationFailed, match="title"):
        sf.import_json(store, DEMO, title="   ")
    assert counts(store) == before


# -- bad files ---------------------------------------------------------------------------------


def mutated(change: Callable[[dict[str, Any]], object]) -> str:
    data = demo_data()
    change(data)
    return json.dumps(data, ensure_ascii=False)


BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "invalid JSON": (DEMO[:-10], "line "),
    "invalid UTF-8": (DEMO.encode()[:200] + b"\xff\xfe" + DEMO.encode()[200:], "not UTF-8"),
    "NaN": (DEMO.replace('"value": "55"', '"value": NaN', 1), "NaN"),
    "top-level list": ("[1, 2, 3]", "file: must be a JSON object, not a list"),
    "not a session file": ('{"format": "something-else"}', "format: must be"),
    "newer format": (
        mutated(lambda d: d.update(format_version=2)),
        "format_version: 2 is newer",
    ),
    "wrong type": (mutated(lambda d: d["answers"][3].update(score="high")), "answers[3].score"),
    "score out of range": (mutated(lambda d: d["answers"][0].update(score=9)), "answers[0].score"),
    "wrong list type": (mutated(lambda d: d.update(participants="everyone")), "participants:"),
    "bad enum": (mutated(lambda d: d["participants"][2].update(team="finance")), "team"),
    "missing required field": (
        mutated(lambda d: d["statements"][0].pop("text")),
        "statements[0].text:",
    ),
    "unknown field": (mutated(lambda d: d.update(colour="blue")), "colour:"),
    "dangling reference": (
        mutated(lambda d: d["action_items"][3].update(owner_id=99)),
        "action_items[3].owner_id: no participant with id 99 in this file",
    ),
    "dangling answer": (
        mutated(lambda d: d["answers"][0].update(statement_id=40)),
        "answers[0].statement_id: no statement with id 40",
    ),
    "duplicate ids": (
        mutated(lambda d: d["participants"][1].update(id=1)),
        "participants[1].id: id 1 is used by participants[0] too",
    ),
    "duplicate term names": (
        mutated(lambda d: d["terms"][2].update(name="  mql ")),
        "terms[2].name:",
    ),
    "duplicate timebox steps": (
        mutated(lambda d: d["timeboxes"][1].update(step=1)),
        "timeboxes[1].step:",
    ),
    "1 MB title": (
        mutated(lambda d: d["session"].update(title="x" * 1_000_000)),
        "session.title: String should have at most 200 characters",
    ),
    "amount too large to read": (
        mutated(lambda d: d["revenue_goal"].update(target="1e40")),
        "too large",
    ),
    "deeply nested": ('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_paths_and_writes_nothing(store: Store, name: str) -> None:
    text, expected = BAD_FILES[name]
    sf.import_json(store, DEMO)
    before = counts(store)
    with pytest.raises(SessionFileError) as raised:
        sf.import_json(store, text)
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems
    message = str(raised.value)
    # One plain sentence for a file that cannot be read at all, else a line per problem.
    assert "\n" not in message or raised.value.problems[0] in message
    assert "Traceback" not in message
    assert len(message) < 2_000
    assert counts(store) == before


def test_every_problem_is_listed_not_only_the_first() -> None:
    def break_three(data: dict[str, Any]) -> None:
        data["participants"][0]["team"] = "finance"
        data["answers"][5]["score"] = 0
        data["session"]["currency"] = "dollars"

    with pytest.raises(SessionFileError) as raised:
        sf.parse_document(mutated(break_three))
    paths = [problem.split(":")[0] for problem in raised.value.problems]
    assert paths == ["session.currency", "participants[0].team", "answers[5].score"]
    assert str(raised.value).startswith("The session file has 3 problems:")


def test_a_long_list_of_problems_is_shortened_in_the_message_only() -> None:
    text = mutated(lambda d: [a.update(score=0) for a in d["answers"]])
    with pytest.raises(SessionFileError) as raised:
        sf.parse_document(text)
    assert len(raised.value.problems) == 28
    assert "… and 8 more" in str(raised.value)


def test_an_oversized_file_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sf, "MAX_FILE_BYTES", 1_000)
    with pytest.raises(SessionFileError, match="larger than"):
        sf.parse_document(DEMO.encode())


def test_a_byte_order_mark_is_accepted() -> None:
    assert sf.parse_document(b"\xef\xbb\xbf" + DEMO.encode()).session.title


def test_a_failure_halfway_through_the_import_writes_nothing(store: Store) -> None:
    before = counts(store)
    # The database refuses the review notes, written after every other kind of row.
    store.database.conn.execute(
        "CREATE TEMP TRIGGER full_disk BEFORE INSERT ON review_notes "
        "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
    )
    with pytest.raises(ValidationFailed, match="the disk is full"):
        sf.import_json(store, DEMO)
    assert counts(store) == before
    store.database.conn.execute("DROP TRIGGER temp.full_disk")
    sf.import_json(store, DEMO)
    assert counts(store)[0] == before[0] + 1


def test_the_import_logs_one_change_per_row_like_adding_them(store: Store) -> None:
    session = sf.import_json(store, DEMO)
    assert session.id is not None
    changes = store.changes(session.id)
    rows = sum(len(v) for k, v in demo_data().items() if isinstance(v, list)) + 1  # + the goal
    assert len(changes) == 1 + rows  # the session, then each row
    assert {c.action for c in changes} == {"create"}
    first_item = next(c for c in changes if c.entity == "action_items")
    item = store.get(m.ActionItem, first_item.entity_id)
    assert first_item.after == {**store_row(item), "version": 1}
    assert first_item.summary == f"create {item.describe()}"
    assert all(c.who == "tester" for c in changes)


def test_rows_added_elsewhere_while_a_file_is_prepared_take_other_ids(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_plan = store._import_plan
    plans = 0

    def plan_then_another_program_saves(*args: Any) -> Any:
        nonlocal plans
        plans += 1
        planned = real_plan(*args)
        if plans == 1:  # between preparing the rows and taking the write lock
            with Store(db_path) as other:
                elsewhere = other.create_session(m.Session(title="Elsewhere"))
                other.add(m.Participant(name="Pat", team="sales"), elsewhere.id)
        return planned

    monkeypatch.setattr(store, "_import_plan", plan_then_another_program_saves)
    session = sf.import_json(store, DEMO)
    assert plans == 2  # prepared again, inside the transaction, for the ids now free
    assert sf.export_json(store, session.id or 0) == DEMO
    assert [p.name for p in store.rows(m.Participant, 1)] == ["Pat"]


def store_row(record: m.Record) -> dict[str, Any]:
    from workshop.storage.store import to_row

    return to_row(record)


def test_a_document_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValidationError, match="no term with id 7"):
        sf.SessionDocument(
            format=sf.FORMAT,
            format_version=1,
            session=m.Session(title="T"),
            stages=[m.Stage(id=1, name="MQL", term_id=7)],
        )


def test_json_schema_is_valid_json_describing_the_document() -> None:
    text = sf.json_schema()
    schema = json.loads(text)
    assert "properties" in schema and "action_items" in schema["properties"]
    assert schema["additionalProperties"] is False
    assert text == sf.json_schema() and text.endswith("}\n")


def test_json_schema_describes_every_field_of_every_row_by_its_docstring() -> None:
    """The descriptions come from the strings under the fields in workshop/models.py, read
    when the schema is asked for (not at import): every field of every row has one."""
    schema = json.loads(sf.json_schema())
    definitions = schema["$defs"]
    described = definitions["ActionItem"]["properties"]
    assert described["id"]["description"] == "Row id, assigned by the store; None until saved."
    assert described["title"]["description"]
    for kind in m.ENTITIES:
        properties = definitions[kind.__name__]["properties"]
        missing = [name for name, value in properties.items() if not value.get("description")]
        assert not missing, (kind.__name__, missing)
        assert list(properties["id"]) == sorted(properties["id"])  # pydantic's key order


def test_the_document_has_a_list_for_every_kind_of_row() -> None:
    fields = set(sf.SessionDocument.model_fields) - {"format", "format_version", "session"}
    assert fields == {name for name, _ in sf._KINDS}
    assert len(fields) == len(m.ENTITIES)


# -- property: any valid document survives the round trip --------------------------------------

printable = st.characters(exclude_categories=("Cs", "Cc"))  # fields refuse control characters
texts = st.text(printable, min_size=1, max_size=30)
long_texts = st.text(printable | st.sampled_from("\n\t"), max_size=60)
decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
)
datetimes = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)
).map(lambda moment: moment.replace(microsecond=0, tzinfo=dt.UTC))


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    people = draw(st.lists(st.tuples(texts, st.sampled_from(list(m.Team))), max_size=4))
    term_names = draw(st.lists(texts, max_size=4, unique_by=m.clean_name))
    participant_ids = [None, *range(1, len(people) + 1)]
    term_ids = [None, *range(1, len(term_names) + 1)]
    actions = [
        {
            "id": number,
            "title": draw(texts),
            "description": draw(long_texts),
            "owner_id": draw(st.sampled_from(participant_ids)),
            "term_id": draw(st.sampled_from(term_ids)),
            "category": draw(st.sampled_from(list(m.Category))),
            "priority": draw(st.sampled_from(list(m.Priority))),
            "status": draw(st.sampled_from(list(m.ActionStatus))),
            "due": draw(st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
            "created_at": draw(datetimes),
            "done_at": draw(st.none() | datetimes),
        }
        for number in range(1, draw(st.integers(0, 4)) + 1)
    ]
    return {
        "format": sf.FORMAT,
        "format_version": sf.FORMAT_VERSION,
        "session": {
            "title": draw(texts),
            "notes": draw(long_texts),
            "annual_revenue": draw(st.none() | decimals.filter(lambda d: d > 0)),
            "date": draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
        },
        "participants": [
            {"id": number, "name": name, "team": team}
            for number, (name, team) in enumerate(people, 1)
        ],
        "terms": [
            {"id": number, "name": name, "definition": draw(long_texts)}
            for number, name in enumerate(term_names, 1)
        ],
        "action_items": actions,
        "kpis": [
            {
                "id": 1,
                "name": draw(texts),
                "baseline": draw(st.none() | decimals),
                "target": draw(decimals),
            }
        ],
    }


@settings(max_examples=50, deadline=None)
@given(raw=documents())
def test_any_valid_document_survives_export_and_import(raw: dict[str, Any]) -> None:
    try:
        doc = sf.SessionDocument.model_validate(raw)
    except ValidationError:
        reject()  # a generated name that is blank once stripped
    exported_texts: list[str] = []
    for _ in range(2):
        with Store(":memory:", clock=FakeClock(FROZEN_NOW)) as store:
            source = sf.parse_document(exported_texts[-1]) if exported_texts else doc
            session = sf.import_document(store, source)
            exported_texts.append(sf.export_json(store, session.id or 0))
    assert exported_texts[0] == exported_texts[1]
    exported = sf.parse_document(exported_texts[0])
    assert [p.name for p in exported.participants] == [p.name for p in doc.participants]
    assert [t.name for t in exported.terms] == [t.name for t in doc.terms]
    assert [k.baseline for k in exported.kpis] == [k.baseline for k in doc.kpis]
    assert [(a.owner_id, a.term_id, a.created_at) for a in exported.action_items] == [
        (a.owner_id, a.term_id, a.created_at) for a in doc.action_items
    ]
    assert exported.session.annual_revenue == doc.session.annual_revenue


def test_decimal_text_is_kept_exactly(store: Store) -> None:
    data = demo_data()
    data["kpis"][0]["baseline"] = "9.500"
    data["kpi_readings"][0]["value"] = 12.125
    session = sf.import_json(store, json.dumps(data))
    out = json.loads(sf.export_json(store, session.id or 0))
    assert out["kpis"][0]["baseline"] == "9.500"
    assert out["kpi_readings"][0]["value"] == "12.125"
    assert Decimal(out["kpi_readings"][0]["value"]) == Decimal("12.125")
