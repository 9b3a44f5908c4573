"""Session files: a whole workshop session as one JSON document, exported and imported whole.

Ids in a file are file-local: every kind of row is numbered from 1 in creation order on
export, and references (an action's owner, a stage's term, …) point at those numbers.
So the same session always exports to the same bytes, whichever database it lives in,
and a file can be imported any number of times, each import becoming a new session.
Edit versions and session ids are bookkeeping of one database and stay out of the file;
a term's status is derived from its sign-offs and is not written either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from workshop import models as m
from workshop.errors import SessionFileError, ValidationFailed
from workshop.store import Store

FormatMarker = Literal["alignment-workshop-session"]
FORMAT: Final[FormatMarker] = "alignment-workshop-session"
"""The `format` marker that says a JSON file is an Alignment Workshop session."""
FORMAT_VERSION: Final = 1
"""The newest layout of the file this version writes and reads."""
MAX_FILE_BYTES: Final = 64 * 1024 * 1024
"""Larger files are refused before parsing; a session with 5,000 actions is a few MB."""
MAX_SHOWN_PROBLEMS: Final = 20
"""How many problems the error message lists; `problems` always holds all of them."""

_REFERENCES: Final[dict[str, str]] = {
    "owner_id": "participants",
    "participant_id": "participants",
    "term_id": "terms",
    "stage_id": "stages",
    "statement_id": "statements",
    "kpi_id": "kpis",
    "action_item_id": "action_items",
}
"""Reference fields and the list of the file whose ids they point at."""
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
    """The workshop: title, organisation, facilitator, date, currency, notes."""
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
        problems = [*self._duplicate_ids(), *self._dangling_references(), *self._duplicates()]
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
        known = {name: {row.id for row in self.rows_of(name)} for name in set(_REFERENCES.values())}
        for name, _ in _KINDS:
            for index, row in enumerate(self.rows_of(name)):
                for field, target in _REFERENCES.items():
                    ref = getattr(row, field, None)
                    if ref is not None and ref not in known[target]:
                        where = f"{_row_path(name, index)}.{field}"
                        yield f"{where}: no {_NOUNS[target]} with id {ref} in this file"

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


def _describe(error: ValidationError) -> list[str]:
    """One line per problem, each starting with where in the file it is (`terms[2].name`)."""
    lines: list[str] = []
    # describe_validation_error owns the plain wording; only the path is written differently.
    for item, line in zip(error.errors(), m.describe_validation_error(error), strict=True):
        if item["type"] == "session_file":
            lines.extend(item.get("ctx", {}).get("problems", [item["msg"]]))
            continue
        dotted = ".".join(str(part) for part in item["loc"]) or "value"
        lines.append(f"{_path(item['loc']) or 'file'}: {line.removeprefix(dotted + ': ')}")
    return lines


def _refused(problems: list[str]) -> SessionFileError:
    """The error for a file with `problems`, its message listing them (the first few)."""
    count = len(problems)
    headline = f"The session file has {count} problem{'s' if count != 1 else ''}:"
    shown = [f"  {problem}" for problem in problems[:MAX_SHOWN_PROBLEMS]]
    if count > MAX_SHOWN_PROBLEMS:
        shown.append(f"  … and {count - MAX_SHOWN_PROBLEMS} more")
    return SessionFileError("\n".join([headline, *shown]), problems)


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
            for field, target in _REFERENCES.items():
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
    data: dict[str, Any] = {
        "format": doc.format,
        "format_version": doc.format_version,
        "session": _dump_row(doc.session, {"id", "version"}),
    }
    for name, _ in _KINDS:
        rows = sorted(doc.rows_of(name), key=lambda row: (row.id is None, row.id or 0))
        dumped = [_dump_row(row, {"session_id", "version"}) for row in rows]
        data[name] = (dumped[0] if dumped else None) if name == "revenue_goal" else dumped
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_json(store: Store, session_id: int) -> str:
    """The whole session as session-file text; the same session always gives the same bytes."""
    return dump_document(read_session(store, session_id))


def json_schema() -> str:
    """The JSON Schema of a session file, deterministic text for publishing next to the files."""
    return json.dumps(SessionDocument.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


# -- parsing a file ---------------------------------------------------------------------------


def _decode(data: str | bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise _one_problem(
            f"The file is larger than the {limit} MB a session file may be; nothing was read.",
            f"file: larger than {limit} MB",
        )
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


def _load_json(text: str) -> Any:
    try:
        return json.loads(
            text, parse_float=_parse_float, parse_int=_parse_int, parse_constant=_no_constants
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


def parse_document(data: str | bytes) -> SessionDocument:
    """Read and validate session-file text, or raise SessionFileError listing every problem."""
    raw = _load_json(_decode(data))
    _check_marker(raw)
    try:
        return SessionDocument.model_validate(raw)
    except ValidationError as error:
        raise _refused(_describe(error)) from None
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


def _in_id_order(rows: list[m.SessionRecord]) -> list[tuple[int, m.SessionRecord]]:
    """Rows with their index in the file, by id (rows without an id last, in file order)."""
    return sorted(enumerate(rows), key=lambda pair: (pair[1].id is None, pair[1].id or 0))


def import_document(store: Store, doc: SessionDocument, *, title: str | None = None) -> m.Session:
    """Write the document as a new session in one transaction: all of it, or nothing.

    File ids are mapped to new database ids parents first; sign-offs and timestamps are
    kept as in the file. `title`, if given, replaces the session's title.
    """
    session = doc.session
    if title is not None:
        session = m.build(m.Session, {**session.model_dump(), "title": title})
    new_ids: dict[str, dict[int, int]] = {name: {} for name, _ in _KINDS}
    with store.transaction():
        created_session = store.create_session(session.model_copy(update={"id": None}))
        assert created_session.id is not None
        for name, _ in _KINDS:
            for index, row in _in_id_order(doc.rows_of(name)):
                update: dict[str, Any] = {"id": None, "session_id": created_session.id}
                for field, target in _REFERENCES.items():
                    ref = getattr(row, field, None)
                    if ref is not None:
                        update[field] = new_ids[target][ref]
                try:
                    created = store.add(row.model_copy(update=update))
                except SessionFileError:
                    raise
                except ValidationFailed as error:
                    where = _row_path(name, index)
                    raise _refused([f"{where}: {problem}" for problem in error.problems]) from None
                if row.id is not None and created.id is not None:
                    new_ids[name][row.id] = created.id
    return created_session


def import_json(store: Store, data: str | bytes, *, title: str | None = None) -> m.Session:
    """Parse session-file text and import it as a new session; a bad file writes nothing."""
    return import_document(store, parse_document(data), title=title)


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "SessionDocument",
    "dump_document",
    "export_json",
    "import_document",
    "import_json",
    "json_schema",
    "parse_document",
    "read_session",
]
