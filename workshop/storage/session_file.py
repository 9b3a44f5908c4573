"""Session files: a whole workshop session as one JSON document, exported and imported whole.

Ids in a file are file-local: every kind of row is numbered from 1 in creation order on
export, and references (an action's owner, a stage's term, …) point at those numbers.
So the same session always exports to the same bytes, whichever database it lives in,
and a file can be imported any number of times, each import becoming a new session.
Edit versions and session ids are bookkeeping of one database and stay out of the file;
a term's status is derived from its sign-offs and is not written either.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from workshop import models as m
from workshop.errors import SessionFileError
from workshop.export.files import Unreadable, read_regular
from workshop.storage.store import Store
from workshop.text import terminal_safe

FormatMarker = Literal["alignment-workshop-session"]
FORMAT: Final[FormatMarker] = "alignment-workshop-session"
"""The `format` marker that says a JSON file is an Alignment Workshop session."""
FORMAT_VERSION: Final = 1
"""The newest layout of the file this version writes and reads."""
MAX_ROWS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "participants": 500,
        "statements": 500,
        "answers": 10_000,
        "terms": 1_000,
        "stages": 100,
        "action_items": 10_000,
        "cadences": 100,
        "kpis": 200,
        "kpi_readings": 10_000,
        "reviews": 500,
        "review_notes": 2_000,
        "gates": 500,
        "timeboxes": 100,
    }
)
"""The most rows of each kind a session file may hold; a file with more is refused whole.

Each is ten times or more what a real workshop reaches: 5–50 people in the room (500),
20–40 assessment statements (500), one answer per statement and person (40 × 50 = 2,000;
10,000), a glossary of tens of terms (1,000, the benchmark's large session), a revenue
cycle of 6–10 stages (100), tens to hundreds of action items (10,000, the size the import
budget is measured at), a few cadences (100), 5–20 KPIs (200), a reading per KPI and month
for decades (10,000), a review a month for decades (500), a few notes per item and review
(2,000), a gate per step left (500) and one timebox per step (100).

They are not higher because a file is written in one transaction, and a live session on
the same database waits for it to save: with every kind at its limit that is about a
second (`python -m benchmarks.import_limits`). Terms, action items and review notes cost
the most, as the search index takes their words.
"""
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
"""Larger files are refused before a byte is read. A file with every kind at its limit in
`MAX_ROWS`, rows as long as the demo's, is about 9.5 MB; the demo itself is 34 kB."""
MAX_JSON_TOKENS: Final = 1_500_000
"""The most commas, colons and brackets a file may hold, counted before it is parsed (in
strings too): twice what a file with every kind at its limit has (about 670,000). Parsing
builds a Python object per value, ten or more times the bytes of a `1.5,` or `{},`; this
keeps a file of millions of tiny values from taking gigabytes before its rows are counted."""
MAX_PROBLEMS: Final = 100
"""Checking a file stops after this many problems, so a file of a million bad rows is
refused as fast, and in as little memory, as a file of a hundred."""
MAX_SHOWN_PROBLEMS: Final = 20
"""How many problems the error message lists; `problems` holds up to `MAX_PROBLEMS`."""
MAX_KEYS: Final = 100
"""The most keys one object of the file (a row, the session) may have, and the most items
a list inside a row may have: rows have at most 20 fields, a cadence 4 attendee teams."""

_NOUNS: Final[dict[str, str]] = {
    "participants": "participant",
    "terms": "term",
    "stages": "stage",
    "statements": "statement",
    "kpis": "KPI",
    "action_items": "action item",
}
_KINDS: Final[tuple[tuple[str, type[m.SessionRecord]], ...]] = tuple(
    ("revenue_goal" if kind is m.RevenueGoal else kind.table, kind) for kind in m.ENTITIES
)
"""Each list of the document with its row model, parents first (the order of import)."""


class SessionDocument(BaseModel):
    """A whole session as a file: the session itself and every row that belongs to it."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    format: FormatMarker
    """Always "alignment-workshop-session": says what the file is."""
    format_version: int = Field(ge=1, le=FORMAT_VERSION)
    """Layout version of the file; a newer one than this program knows is refused."""
    session: m.Session
    """The workshop: title, organisation, facilitator, date, currency, notes, and when the
    assessment was revealed (`revealed_at`; left out, or null, while the round is blind)."""
    participants: list[m.Participant] = []
    """People in the room and their teams."""
    statements: list[m.Statement] = []
    """Assessment statements, in the order of their `position`."""
    answers: list[m.Answer] = []
    """Scores of the blind round; `statement_id` and `participant_id` are ids in this file."""
    terms: list[m.Term] = []
    """Glossary terms with their sign-offs; names are unique ignoring case and spaces."""
    revenue_goal: m.RevenueGoal | None = None
    """The one shared revenue goal, if the session has set it."""
    stages: list[m.Stage] = []
    """Revenue-cycle stages; `term_id` is an id in this file."""
    action_items: list[m.ActionItem] = []
    """Action items; `owner_id`, `term_id`, `stage_id`, `statement_id` are ids in this file."""
    cadences: list[m.Cadence] = []
    """Standing meetings both teams keep."""
    kpis: list[m.Kpi] = []
    """KPIs with baseline and target."""
    kpi_readings: list[m.KpiReading] = []
    """Measured KPI values; `kpi_id` is an id in this file."""
    reviews: list[m.Review] = []
    """Follow-up reviews held."""
    review_notes: list[m.ReviewNote] = []
    """Notes of reviews; `action_item_id` is an id in this file."""
    gates: list[m.Gate] = []
    """'Continue anyway?' answers given when leaving a step with open issues."""
    timeboxes: list[m.Timebox] = []
    """Planned and actual time per step, one per step."""

    def rows_of(self, name: str) -> list[m.SessionRecord]:
        """The rows of the document list `name` (the revenue goal as a list of zero or one)."""
        if name == "revenue_goal":
            return [self.revenue_goal] if self.revenue_goal is not None else []
        rows: list[m.SessionRecord] = getattr(self, name)
        return rows

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """Ignore a term's `status` if a file carries one: it follows from the sign-offs."""
        terms = data.get("terms") if isinstance(data, dict) else None
        if isinstance(terms, list):
            data = {
                **data,
                "terms": [
                    m.without_computed(m.Term, t) if isinstance(t, dict) else t for t in terms
                ],
            }
        return data

    @model_validator(mode="after")
    def _check_consistency(self) -> SessionDocument:
        """Refuse duplicate ids, references to rows not in the file, and duplicate names."""
        found = itertools.chain(
            self._duplicate_ids(),
            self._dangling_references(),
            self._duplicates(),
            self._unstorable(),
        )
        problems = list(itertools.islice(found, MAX_PROBLEMS + 1))
        if problems:
            raise PydanticCustomError(
                "session_file", "{summary}", {"summary": "; ".join(problems), "problems": problems}
            )
        return self

    def _duplicate_ids(self) -> Iterable[str]:
        for name, _ in _KINDS:
            seen: dict[int, int] = {}
            for index, row in enumerate(self.rows_of(name)):
                if row.id is None:
                    continue
                if row.id in seen:
                    first = _row_path(name, seen[row.id])
                    yield f"{_row_path(name, index)}.id: id {row.id} is used by {first} too"
                else:
                    seen[row.id] = index

    def _dangling_references(self) -> Iterable[str]:
        known = {
            name: {row.id for row in self.rows_of(name)} for name in set(m.REFERENCES.values())
        }
        for name, kind in _KINDS:
            fields = [(f, t) for f, t in m.REFERENCES.items() if f in kind.model_fields]
            for index, row in enumerate(self.rows_of(name)):
                for field, target in fields:
                    ref = getattr(row, field)
                    if ref is not None and ref not in known[target]:
                        where = f"{_row_path(name, index)}.{field}"
                        yield f"{where}: no {_NOUNS[target]} with id {ref} in this file"

    def _unstorable(self) -> Iterable[str]:
        for name, _ in _KINDS:
            for index, row in enumerate(self.rows_of(name)):
                problem = Store.unstorable(row)
                if problem is not None:
                    yield f"{_row_path(name, index)}.{problem}"

    def _duplicates(self) -> Iterable[str]:
        names: dict[str, int] = {}
        for index, term in enumerate(self.terms):
            first = names.setdefault(term.clean_name, index)
            if first != index:
                yield (
                    f"terms[{index}].name: '{term.name}' is the same name as terms[{first}] "
                    f"('{self.terms[first].name}')"
                )
        steps: dict[int, int] = {}
        for index, timebox in enumerate(self.timeboxes):
            first = steps.setdefault(timebox.step, index)
            if first != index:
                yield f"timeboxes[{index}].step: step {timebox.step} has timeboxes[{first}] too"


def _row_path(name: str, index: int) -> str:
    return name if name == "revenue_goal" else f"{name}[{index}]"


def _path(loc: Iterable[int | str]) -> str:
    """A location in the file as `action_items[3].owner_id`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _described(error: ValidationError, at: tuple[int | str, ...] = ()) -> list[tuple[str, str]]:
    """One line per problem, each starting with where in the file it is (`terms[2].name`),
    with the top-level key it lies under; `at` is where the validated value is in the file."""
    lines: list[tuple[str, str]] = []
    # describe_validation_error owns the plain wording; only the path is written differently.
    for item, line in zip(error.errors(), m.describe_validation_error(error), strict=True):
        if item["type"] == "session_file":
            found = item.get("ctx", {}).get("problems", [item["msg"]])
            lines.extend(("", problem) for problem in found)
            continue
        dotted = ".".join(str(part) for part in item["loc"]) or "value"
        loc = (*at, *item["loc"])
        where = _path(loc) or "file"
        lines.append((str(loc[0]) if loc else "", f"{where}: {line.removeprefix(dotted + ': ')}"))
    return lines


def _describe(error: ValidationError) -> list[str]:
    """One line per problem, each starting with where in the file it is (`terms[2].name`)."""
    return [line for _, line in _described(error)]


def _refused(problems: list[str]) -> SessionFileError:
    """The error for a file with `problems`, its message listing the first few; with more
    than `MAX_PROBLEMS`, checking stopped there and the error keeps that many."""
    count = len(problems)
    complete = count <= MAX_PROBLEMS
    kept = problems[:MAX_PROBLEMS]
    if complete:
        headline = f"The session file has {count} problem{'s' if count != 1 else ''}:"
    else:
        headline = f"The session file has more than {MAX_PROBLEMS} problems (checking stopped):"
    shown = [f"  {problem}" for problem in kept[:MAX_SHOWN_PROBLEMS]]
    if len(kept) > MAX_SHOWN_PROBLEMS:
        more = len(kept) - MAX_SHOWN_PROBLEMS
        shown.append(f"  … and {more} more" if complete else f"  … and {more} more, and others")
    return SessionFileError("\n".join([headline, *shown]), kept)


def _one_problem(message: str, problem: str) -> SessionFileError:
    return SessionFileError(message, [problem])


# -- reading a session out of the database --------------------------------------------------


def read_session(store: Store, session_id: int) -> SessionDocument:
    """Everything of a session as a document, its rows numbered from 1 per kind in id order."""
    session = store.get_session(session_id)
    read = {
        name: sorted(store.rows(kind, session_id), key=lambda row: row.id or 0)
        for name, kind in _KINDS
    }
    file_ids = {
        name: {row.id: number for number, row in enumerate(rows, 1)} for name, rows in read.items()
    }
    lists: dict[str, Any] = {}
    for name, rows in read.items():
        renumbered = []
        for row in rows:
            update: dict[str, Any] = {"id": file_ids[name][row.id], "session_id": None}
            for field, target in m.REFERENCES.items():
                ref = getattr(row, field, None)
                if ref is not None:
                    update[field] = file_ids[target][ref]
            renumbered.append(row.model_copy(update=update))
        lists[name] = renumbered
    goal = lists.pop("revenue_goal")
    return SessionDocument.model_validate(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "session": session,
            "revenue_goal": goal[0] if goal else None,
            **lists,
        }
    )


def _dump_row(row: m.Record, bookkeeping: set[str]) -> dict[str, Any]:
    exclude = bookkeeping | set(type(row).model_computed_fields)
    return row.model_dump(mode="json", exclude=exclude)


def dump_document(doc: SessionDocument) -> str:
    """The document as file text: rows sorted by id, two-space indent, UTF-8 as is, final newline.

    Decimals are written as strings so they stay exact; dates and times are ISO 8601.
    """
    # A blind round writes no `revealed_at`, so such a file reads as before in older versions.
    unset = {"revealed_at"} if doc.session.revealed_at is None else set()
    data: dict[str, Any] = {
        "format": doc.format,
        "format_version": doc.format_version,
        "session": _dump_row(doc.session, {"id", "version"} | unset),
    }
    for name, _ in _KINDS:
        rows = _in_id_order(doc.rows_of(name))
        dumped = [_dump_row(row, {"session_id", "version"}) for row in rows]
        data[name] = (dumped[0] if dumped else None) if name == "revenue_goal" else dumped
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_json(store: Store, session_id: int) -> str:
    """The whole session as session-file text; the same session always gives the same bytes."""
    return dump_document(read_session(store, session_id))


def json_schema() -> str:
    """The JSON Schema of a session file, deterministic text for publishing next to the files.

    Each field is described by the string under it in workshop/models.py.
    """
    schema = SessionDocument.model_json_schema()
    for name, definition in schema.get("$defs", {}).items():
        documented = field_docstrings(getattr(m, name, None))
        properties = definition.get("properties", {})
        for field, text in documented.items():
            if field in properties and "description" not in properties[field]:
                # keys in pydantic's own (sorted) order, so the text is as it always was
                properties[field] = dict(sorted({**properties[field], "description": text}.items()))
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def field_docstrings(model: object) -> dict[str, str]:
    """The string under each field of `model` and of its bases, as written in its source."""
    if not isinstance(model, type) or not issubclass(model, BaseModel):
        return {}
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if cls.__module__ == m.__name__:
            found |= _class_docstrings().get(cls.__name__, {})
    return found


@functools.cache
def _class_docstrings() -> dict[str, dict[str, str]]:
    """Field docstrings of every class in workshop/models.py, by class and field name."""
    tree = ast.parse(inspect.getsource(m))
    classes: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        for statement, following in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                fields[statement.target.id] = inspect.cleandoc(following.value.value)
        classes[node.name] = fields
    return classes


# -- reading a file ---------------------------------------------------------------------------


def _too_large() -> SessionFileError:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return _one_problem(
        f"The file is larger than the {limit} MB a session file may be; nothing was read.",
        f"file: larger than {limit} MB",
    )


def read_session_file(path: Path | str) -> bytes:
    """The bytes of the session file at `path`, for `parse_document` or `import_json`.

    Only a regular file of at most MAX_FILE_BYTES is read (`export.files.read_regular`): a
    folder, device, named pipe or socket is refused at once, and a larger file before a
    byte of it is read. Raises SessionFileError, one line naming the file.
    """
    shown = terminal_safe(str(path))
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except Unreadable as refused:
        if refused.too_large:
            raise _too_large() from None
        if refused.special:
            raise _one_problem(
                f"{shown} {refused.why}, not a session file; nothing was read.",
                f"file: {refused.why}",
            ) from None
        if refused.why == "does not exist":
            raise _one_problem(f"{shown} does not exist.", "file: does not exist") from None
        raise _one_problem(f"{shown} {refused.why}.", f"file: {refused.why}") from None


# -- parsing a file ---------------------------------------------------------------------------


def _decode(data: str | bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _one_problem(
            f"The file is not UTF-8 text (invalid byte at offset {error.start}).",
            f"byte {error.start}: not UTF-8 text",
        ) from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


MAX_NUMBER_DIGITS: Final = 40
"""Longest number (digits and exponent) a file may hold; no amount, count or id needs more."""


def _number_too_large(text: str) -> SessionFileError:
    shown = text if len(text) <= 30 else text[:27] + "..."
    return _one_problem(
        f"The file holds a number too large or too precise to read ({shown}).",
        "file: a number is too large or too precise",
    )


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _number_too_large(text)
    return int(text)


def _parse_float(text: str) -> Decimal:
    """A JSON number with a fraction or exponent, exactly; refused if its size would make
    converting it slow (1e-999999999 takes minutes to check for being whole)."""
    number = Decimal(text)
    if len(text) > MAX_NUMBER_DIGITS or abs(number.adjusted()) > MAX_NUMBER_DIGITS:
        raise _number_too_large(text)
    return number


class _RepeatedKey(dict[str, Any]):
    """An object of the file that holds a key more than once; `key` names the first such."""

    key: str = ""


def _objects(repeated: list[_RepeatedKey]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """Build the file's objects; one that repeats a key is marked and noted in `repeated`."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) == len(pairs):
            return built
        marked = _RepeatedKey(built)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                marked.key = key
                break
            seen.add(key)
        repeated.append(marked)
        return marked

    return build


def _repeated_keys(raw: Any) -> list[str]:
    """Where the file repeats a key within an object, in file order (at most MAX_PROBLEMS + 1).

    json.loads would keep the last value without a word; which one the writer meant is not
    knowable, so such a file is refused.
    """
    problems: list[str] = []
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(raw, ())]
    while stack and len(problems) <= MAX_PROBLEMS:
        value, loc = stack.pop()
        if isinstance(value, _RepeatedKey):
            key = m.shorten(value.key)
            problems.append(f"{_path(loc) or 'file'}: the key {key} appears more than once")
        if isinstance(value, dict):
            stack.extend((item, (*loc, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, (*loc, index)) for index, item in reversed(list(enumerate(value))))
    return problems


def _load_json(text: str) -> Any:
    repeated: list[_RepeatedKey] = []
    try:
        raw = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_no_constants,
            object_pairs_hook=_objects(repeated),
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise _one_problem(
            f"The file is not valid JSON: {error.msg} at {where}.", f"{where}: {error.msg}"
        ) from None
    except ValueError as error:
        raise _one_problem(f"The file is not valid JSON: {error}.", f"file: {error}") from None
    except RecursionError:
        raise _one_problem(
            "The file is nested too deeply to be a session file.", "file: nested too deeply"
        ) from None
    if repeated:
        raise _refused(_repeated_keys(raw))
    return raw


def _check_marker(raw: Any) -> None:
    """Refuse, with one plain sentence, JSON that is not a session file this version reads."""
    if not isinstance(raw, dict):
        kind = {list: "a list", str: "a string", bool: "true or false"}.get(type(raw), "a value")
        raise _one_problem(
            f'The file holds {kind}, not a session (a JSON object with a "format" marker).',
            f"file: must be a JSON object, not {kind}",
        )
    if raw.get("format") != FORMAT:
        raise _one_problem(
            f'This is not an Alignment Workshop session file (its "format" is not "{FORMAT}").',
            f'format: must be "{FORMAT}"',
        )
    version = raw.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise _one_problem(
            f"The session file was written by a newer version of Alignment Workshop (format "
            f"{version}; this version reads up to {FORMAT_VERSION}); upgrade to import it.",
            f"format_version: {version} is newer than {FORMAT_VERSION}",
        )


_ROW_LISTS: Final[dict[str, type[m.SessionRecord]]] = {
    name: kind for name, kind in _KINDS if name != "revenue_goal"
}
"""The document's lists of rows, validated row by row."""


def _check_sizes(raw: dict[str, Any]) -> None:
    """Refuse, before anything is validated, a file with more rows of a kind than MAX_ROWS."""
    for name, limit in MAX_ROWS.items():
        rows = raw.get(name)
        if isinstance(rows, list) and len(rows) > limit:
            kind = name.replace("_", " ").replace("kpi", "KPI")
            raise _one_problem(
                f"The file has {len(rows):,} {kind}; a session may have at most {limit:,}, "
                "so nothing was imported.",
                f"{name}: {len(rows):,} rows, at most {limit:,}",
            )


def _oversized(value: Any, loc: tuple[int | str, ...]) -> str | None:
    """A problem if an object has more keys, or a list in a row more items, than MAX_KEYS:
    each would be one more problem for the validation to list."""
    if not isinstance(value, dict):
        return None
    if len(value) > MAX_KEYS:
        return f"{_path(loc) or 'file'}: has {len(value):,} keys, at most {MAX_KEYS}"
    for key, item in value.items():
        if isinstance(item, list) and len(item) > MAX_KEYS and loc:
            return f"{_path((*loc, key))}: has {len(item):,} items, at most {MAX_KEYS}"
    return None


def _validate_rows(
    name: str, kind: type[m.SessionRecord], rows: list[Any], problems: list[str]
) -> list[m.SessionRecord]:
    """The rows of list `name` validated one by one, each raw row dropped once read; adds
    each problem to `problems` and stops when there are more than MAX_PROBLEMS."""
    valid: list[m.SessionRecord] = []
    for index, row in enumerate(rows):
        rows[index] = None  # the parsed row is freed as soon as its model exists
        too_big = _oversized(row, (name, index))
        if too_big is not None:
            problems.append(too_big)
        else:
            if isinstance(row, dict):
                row = m.without_computed(kind, row)
            try:
                valid.append(kind.model_validate(row))
            except ValidationError as error:
                problems.extend(line for _, line in _described(error, (name, index)))
        if len(problems) > MAX_PROBLEMS:
            break
    return valid


def _validate(raw: dict[str, Any]) -> SessionDocument:
    """The document, its rows validated one by one so that checking stops after MAX_PROBLEMS
    (pydantic would list every problem of every row); problems are listed in file order."""
    objects = [(raw, ()), *((raw.get(key), (key,)) for key in ("session", "revenue_goal"))]
    problems = [p for value, loc in objects if (p := _oversized(value, loc)) is not None]
    if problems:
        raise _refused(problems)
    rest = {k: [] if k in _ROW_LISTS and isinstance(v, list) else v for k, v in raw.items()}
    by_key: dict[str, list[str]] = {}
    try:
        SessionDocument.model_validate(rest)
    except ValidationError as error:
        for key, line in _described(error):
            by_key.setdefault(key, []).append(line)
    rows: dict[str, list[m.SessionRecord]] = {}
    for key in SessionDocument.model_fields:
        problems.extend(by_key.pop(key, []))
        kind = _ROW_LISTS.get(key)
        if kind is not None and isinstance(raw.get(key), list) and len(problems) <= MAX_PROBLEMS:
            rows[key] = _validate_rows(key, kind, raw[key], problems)
    problems.extend(itertools.chain.from_iterable(by_key.values()))  # keys that are no field
    if problems:
        raise _refused(problems)
    try:
        return SessionDocument.model_validate({**rest, **rows})  # the checks across rows
    except ValidationError as error:
        raise _refused(_describe(error)) from None


def _check_tokens(text: str) -> None:
    """Refuse, before parsing, a file with more separators and brackets than MAX_JSON_TOKENS."""
    tokens = sum(text.count(char) for char in ",:[{")
    if tokens > MAX_JSON_TOKENS:
        raise _one_problem(
            f"The file holds too many values to be a session file ({tokens:,} commas, colons "
            f"and brackets; at most {MAX_JSON_TOKENS:,}); nothing was imported.",
            f"file: {tokens:,} commas, colons and brackets, at most {MAX_JSON_TOKENS:,}",
        )


def parse_document(data: str | bytes) -> SessionDocument:
    """Read and validate session-file text, or raise SessionFileError listing its problems
    (up to MAX_PROBLEMS; a file with more rows of a kind than MAX_ROWS is refused at once)."""
    text = _decode(data)
    _check_tokens(text)
    raw = _load_json(text)
    del text
    _check_marker(raw)
    _check_sizes(raw)
    try:
        return _validate(raw)
    except RecursionError:
        raise _one_problem(
            "The file is nested too deeply to be a session file.", "file: nested too deeply"
        ) from None
    except ArithmeticError:
        # decimal signals escaping a validator (an amount too large to quantize) are still
        # a problem of the file, not a crash.
        raise _one_problem(
            "The file holds a number too large or too precise to read.",
            "file: a number is too large or too precise",
        ) from None


# -- writing a document into the database ---------------------------------------------------


def _in_id_order(rows: list[m.SessionRecord]) -> list[m.SessionRecord]:
    """Rows by id (rows without an id last, in file order)."""
    return sorted(rows, key=lambda row: (row.id is None, row.id or 0))


def import_document(store: Store, doc: SessionDocument, *, title: str | None = None) -> m.Session:
    """Write the document as a new session in one transaction: all of it, or nothing.

    Rows get new database ids in the order of their file ids, parents first; sign-offs and
    timestamps are kept as in the file. `title`, if given, replaces the session's title.
    Everything is prepared before the write lock is taken (see `Store.import_session`), so
    a live session on the same file waits only for the inserts.
    """
    session = doc.session
    if title is not None:
        session = m.build(m.Session, {**session.model_dump(), "title": title})
    rows = {kind.table: _in_id_order(doc.rows_of(name)) for name, kind in _KINDS}
    return store.import_session(session.model_copy(update={"id": None}), rows)


def import_json(store: Store, data: str | bytes, *, title: str | None = None) -> m.Session:
    """Parse session-file text and import it as a new session; a bad file writes nothing."""
    return import_document(store, parse_document(data), title=title)


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "MAX_JSON_TOKENS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "SessionDocument",
    "dump_document",
    "export_json",
    "import_document",
    "import_json",
    "json_schema",
    "parse_document",
    "read_session",
    "read_session_file",
]
