"""Hypothesis fuzzing of the two places that take numbers and text from outside.

Session import: a mutated or garbled session file is either imported whole (and can be
exported again) or refused with SessionFileError, leaving every table as it was. Revenue
maths: any Decimals give either a plan that keeps the design's rounding rules or a
RevenueInputError. Nothing else may come out of either.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from workshop import models as m
from workshop.errors import RevenueInputError, SessionFileError
from workshop.export import render
from workshop.revenue import StageInput, plan_revenue_cycle
from workshop.storage.session_file import import_json, parse_document
from workshop.storage.store import Store

BASE = Path(__file__).resolve().parent / "corpus" / "sessions" / "_valid_base.json"
BASE_TEXT = BASE.read_text(encoding="utf-8")
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db", who="fuzz") as opened:
        yield opened


def counts(store: Store) -> dict[str, int]:
    tables = [m.Session.table, *(kind.table for kind in m.ENTITIES), "changes", "search_index"]
    return {t: int(store.database.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in tables}  # type: ignore[call-overload]


def import_or_refuse(store: Store, data: str | bytes) -> None:
    """The property: imported whole and exportable, or refused with nothing written."""
    before = counts(store)
    try:
        session = import_json(store, data)
    except SessionFileError as refused:
        event(f"refused: {refused.problems[0].split(':')[0]}")
        assert refused.problems and str(refused)
        assert counts(store) == before, "a refused file left rows behind"
        return
    event("imported")
    assert session.id is not None
    assert counts(store)["sessions"] == before["sessions"] + 1
    parse_document(render(store, session.id, "json"))  # what went in comes out as a valid file
    render(store, session.id, "md")


# -- structural mutations of a valid file ----------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "1e40", "-1", "0", "2026-02-30", "30%", "sales", "done", "USD"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in a JSON document, the root excluded."""
    found = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths_of(child, (*prefix, key)))
    return found


FREE_TEXT: list[tuple[Any, ...]] = [
    ("session", "organisation"),
    ("session", "facilitator"),
    ("session", "notes"),
    ("participants", 0, "role"),
    ("statements", 0, "theme"),
    ("terms", 0, "definition"),
    ("terms", 0, "example"),
    ("action_items", 0, "description"),
    ("review_notes", 0, "author"),
    ("kpis", 0, "unit"),
    ("reviews", 0, "reviewer"),
    ("gates", 0, "reason"),
]
"""Fields of the base file that take any text up to their length limit."""
free_text = st.text(max_size=40) | st.sampled_from(["\ud800", "{{ 7*7 }}", "a|b\nc", "\x00", " "])


def container_at(data: Any, path: tuple[Any, ...]) -> Any:
    """The dict at `path`, or None if an earlier mutation removed or replaced it."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data if isinstance(data, dict) else None


def leaf_text(value: Any) -> bool:
    return isinstance(value, str)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """The base file with one or two changes; free text is changed most, so many still import."""
    data = json.loads(BASE_TEXT)
    for _ in range(draw(st.integers(1, 2))):
        paths = paths_of(data)
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["free", "free", "free", "text", "replace", "delete", "add"]))
        if action == "free":  # a field that takes any text: the file should still import
            field = draw(st.sampled_from(FREE_TEXT))
            holder = container_at(data, field[:-1])
            if holder is not None:
                holder[field[-1]] = draw(free_text)
        elif action == "text" or (action == "replace" and leaf_text(parent[path[-1]])):
            parent[path[-1]] = draw(
                st.text(max_size=40) | st.text(max_size=3).map(lambda t: t * 99)
            )
        elif action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(json_values)
        else:
            parent.insert(path[-1], draw(json_values))
    return json.dumps(data, ensure_ascii=draw(st.booleans()))


@FUZZ
@given(text=mutated_documents())
def test_a_mutated_session_file_is_imported_whole_or_refused_cleanly(
    store: Store, text: str
) -> None:
    import_or_refuse(store, text)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["set", "insert", "delete"]),
            st.integers(0, 10**6),
            st.binary(min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_garbled_session_file_is_imported_whole_or_refused_cleanly(
    store: Store, edits: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(BASE_TEXT.encode("utf-8"))
    for action, where, chunk in edits:
        at = where % len(data)
        if action == "set":
            data[at : at + len(chunk)] = chunk
        elif action == "insert":
            data[at:at] = chunk
        else:
            del data[at : at + len(chunk)]
    import_or_refuse(store, bytes(data))


# -- the revenue maths -----------------------------------------------------------------------

SANE_EXPONENT = 40
"""Finite Decimals are kept within 10^±40 here; larger ones hang (see the test below)."""
any_decimal = st.decimals(allow_nan=True, allow_infinity=True).filter(
    lambda d: not d.is_finite() or abs(d.adjusted()) <= SANE_EXPONENT
) | st.sampled_from([Decimal(0), Decimal(-1), Decimal("1E+40"), Decimal("1E-40")])
amounts = (
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**12), places=2)
    | st.integers(1, 10**9).map(Decimal)
    | st.decimals(min_value=Decimal("1E-6"), max_value=Decimal(10**15), places=6)
)
percentages = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100), places=3)


def mostly(good: st.SearchStrategy[Any], junk: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` nine times in ten, `junk` otherwise: most cases reach the maths, some refusals."""
    return st.integers(0, 9).flatmap(lambda roll: junk if roll == 0 else good)


conversions = mostly(
    percentages,
    st.none() | any_decimal | st.sampled_from(["30%", " 12.5 % ", "abc", "", "100", "0"]),
)
names = st.text(alphabet="ABCDEFGHIJ", min_size=1, max_size=3)


@st.composite
def cycles(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of plan_revenue_cycle: mostly sensible, each one sometimes junk."""
    chosen = draw(st.lists(names, min_size=1, max_size=7, unique_by=str.casefold))
    if draw(st.integers(0, 9)) == 0:
        chosen.append(draw(st.sampled_from(["", " ", chosen[0].lower()])))
    won = draw(mostly(st.none() | st.integers(0, len(chosen) - 1), st.integers(-2, 9)))
    stages = [StageInput(name, draw(conversions)) for name in chosen]
    if won is not None and 0 <= won < len(stages) and draw(st.booleans()):
        for index in range(won + 1, len(stages)):  # after the won stage a conversion is optional
            stages[index] = StageInput(stages[index].name, draw(st.none() | percentages))
    return {
        "target": draw(mostly(amounts, any_decimal)),
        "average_deal_size": draw(mostly(amounts, any_decimal)),
        "stages": stages,
        "months": draw(mostly(st.integers(1, 120), st.integers(-3, 130) | st.booleans())),
        "marketing_share": draw(mostly(st.decimals(0, 100, places=2), any_decimal)),
        "won_index": won,
    }


def check_plan(target: Decimal, deal: Decimal, given: list[StageInput], plan: Any) -> None:
    """The rules printed with the numbers (DESIGN.md, step 3), checked with exact fractions."""
    volumes = [stage.volume for stage in plan.stages]
    won = plan.won_index
    assert plan.deals == ceil(Fraction(target) / Fraction(deal)) == volumes[won]
    for index, stage in enumerate(plan.stages):
        conversion = stage.conversion
        if index < won:
            assert conversion is not None and 0 < conversion <= 100
            assert volumes[index] == ceil(Fraction(volumes[index + 1]) * 100 / Fraction(conversion))
            assert volumes[index] >= volumes[index + 1]
        if index > won:
            previous = plan.stages[index - 1].conversion
            rate = Fraction(previous) if previous is not None else Fraction(100)
            assert volumes[index] == floor(Fraction(volumes[index - 1]) * rate / 100)
        assert stage.per_month == ceil(Fraction(stage.volume, plan.months))
        assert stage.marketing_sourced == ceil(
            Fraction(stage.volume) * Fraction(plan.marketing_share) / 100
        )
        assert stage.marketing_sourced + stage.sales_sourced == stage.volume
        assert 0 <= stage.sales_sourced <= stage.volume
        assert stage.name == given[index].name
    if won == 0:
        assert plan.win_rate is None and plan.coverage is None
    else:
        assert plan.win_rate == plan.stages[won - 1].conversion
        hundredths = floor(Fraction(100 * 100) / Fraction(plan.win_rate) + Fraction(1, 2))
        assert Fraction(plan.coverage) == Fraction(hundredths, 100)  # 100 ÷ win rate, half up
        assert Fraction(plan.pipeline_value) == Fraction(plan.target) * Fraction(plan.coverage)


@settings(max_examples=300, deadline=None)
@given(arguments=cycles())
def test_the_revenue_maths_gives_a_sound_plan_or_a_plain_refusal(arguments: dict[str, Any]) -> None:
    try:
        plan = plan_revenue_cycle(**arguments)
    except RevenueInputError as refused:
        event("refused")
        assert str(refused) and "\n" not in str(refused)
        return
    event("planned")
    check_plan(arguments["target"], arguments["average_deal_size"], arguments["stages"], plan)


def test_extreme_exponents_are_refused_quickly() -> None:
    code = (
        "from decimal import Decimal as D\n"
        "from workshop.errors import RevenueInputError\n"
        "from workshop.revenue import StageInput, plan_revenue_cycle\n"
        "for target, deal, conversion in (('1E+999999999', '1', '50'),"
        " ('1', '1E-999999999', '50'), ('1', '1', '1E-999999999')):\n"
        "    try:\n"
        "        plan_revenue_cycle(D(target), D(deal), [StageInput('A', D(conversion)),"
        " StageInput('B', None)])\n"
        "    except RevenueInputError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit(f'{target} {deal} {conversion} accepted')\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=4)
    except subprocess.TimeoutExpired:
        pytest.fail("plan_revenue_cycle was still working on 1E+999999999 after 4 s")
    assert done.returncode == 0, done.stderr
