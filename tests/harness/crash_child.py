"""The crash harness's child: scripted edits through the workshop library, one line per save.

Before each save it prints an intent line (`I {...}`: what the save will change), and after
the store call returned it prints an acknowledgement (`A {...}`); a refused save prints
`R {...}`. Every line is written with one `os.write` and flushed, so the parent, which
kills this process with SIGKILL at a random moment, knows exactly which saves the user
was told about, and the one save that may have been in flight.

Run by hand: `python -m tests.harness.crash_child edit DB EXPORT_FILE SEED` (or `migrate DB`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workshop import glossary, planning
from workshop import models as m
from workshop.errors import WorkshopError
from workshop.export import render, write_atomically
from workshop.storage.store import Store, to_row

COMPARED: dict[str, tuple[str, ...]] = {
    "participants": ("version", "name", "team"),
    "terms": (
        "version",
        "name",
        "definition",
        "sales_signoff_by",
        "sales_signoff_at",
        "marketing_signoff_by",
        "marketing_signoff_at",
        "disputed",
    ),
    "action_items": ("version", "title", "status", "priority", "owner_id", "term_id"),
}
"""The columns the parent compares, per table (timestamps the store stamps are left out)."""

CAPS = {"participants": 10, "terms": 35, "action_items": 70}
WORDS = ("lead", "MQL", "SQL", "{{ x }}", "a|b", "ça", "ÉTÉ", "名前", "—", "pipeline", "SLA", "\n")


def put(record: m.Record, row: dict[str, Any]) -> dict[str, Any]:
    """The effect 'this row now holds `row`'."""
    return {"op": "put", "table": record.table, "id": record.id, "row": row}


def deletion(record: m.Record) -> dict[str, Any]:
    """The effect 'this row is gone'."""
    return {"op": "delete", "table": record.table, "id": record.id}


def snapshot(record: m.Record, *, next_version: bool = False) -> dict[str, Any]:
    """The compared columns of `record` as stored (with version + 1 for a pending update)."""
    row = to_row(record)
    if next_version:
        row["version"] = record.version + 1
    return {column: row[column] for column in COMPARED[record.table]}


class Editor:
    """Performs random edits on one session and reports each one around its save."""

    def __init__(
        self,
        store: Store,
        session_id: int,
        rng: random.Random,
        emit: Callable[[str], None],
        export: Path,
    ) -> None:
        self.store, self.session_id, self.rng, self.emit = store, session_id, rng, emit
        self.export = export
        self.now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
        store.clock = lambda: self.now
        self.people = {p.id: p for p in store.rows(m.Participant, session_id)}
        self.terms = {t.id: t for t in store.rows(m.Term, session_id)}
        self.reload_actions()

    def reload_actions(self) -> None:
        """Re-read the action items (a delete elsewhere may have cleared their references)."""
        self.actions = {a.id: a for a in self.store.rows(m.ActionItem, self.session_id)}

    def line(self, kind: str, **fields: Any) -> None:
        self.emit(f"{kind} {json.dumps(fields, ensure_ascii=False)}\n")

    def text(self, low: int = 0, high: int = 12) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def one_line(self, low: int, high: int, default: str) -> str:
        """Words for a one-line field (a title, a name): the newline word becomes a space."""
        return " ".join(self.text(low, high).split()) or default

    def save(self, effects: list[dict[str, Any]], call: Callable[[], list[dict[str, Any]]]) -> None:
        """Announce `effects`, run the store call, then acknowledge what it returned."""
        self.now += dt.timedelta(seconds=1)
        self.line("I", effects=effects)
        try:
            done = call()
        except WorkshopError as error:
            self.line("R", error=str(error))
            return
        self.line("A", effects=done)

    def step(self) -> None:
        """One random edit, biased towards deleting when a list is long."""
        ops: list[tuple[Callable[[], None], int]] = [
            (self.add_term, 6 if len(self.terms) < CAPS["terms"] else 0),
            (self.revise_term, 6 if self.terms else 0),
            (self.sign_off, 10 if self.terms else 0),
            (self.dispute, 2 if self.terms else 0),
            (self.delete_term, 3 if len(self.terms) > 3 else 0),
            (self.add_action, 7 if len(self.actions) < CAPS["action_items"] else 0),
            (self.edit_action, 10 if self.actions else 0),
            (self.delete_action, 4 if len(self.actions) > 5 else 0),
            (self.add_person, 2 if len(self.people) < CAPS["participants"] else 0),
            (self.delete_person, 1 if len(self.people) > 2 else 0),
            (self.export_plan, 2),
        ]
        chosen = self.rng.choices([op for op, _ in ops], [weight for _, weight in ops])[0]
        chosen()

    def pick(self, rows: dict[Any, Any]) -> Any:
        return rows[self.rng.choice(sorted(rows))]

    def add_term(self) -> None:
        term = m.Term(name=f"Term {self.rng.randrange(10**9)}", definition=self.text())
        self.save(
            [{"op": "add", "table": "terms", "row": snapshot(term)}], lambda: self.added(term)
        )

    def added(self, record: m.SessionRecord) -> list[dict[str, Any]]:
        return self.keep(self.store.add(record, self.session_id))

    def keep(self, saved: m.Record) -> list[dict[str, Any]]:
        """Remember a saved row and describe it as the acknowledged effect."""
        self.lists()[saved.table][saved.id] = saved
        return [put(saved, snapshot(saved))]

    def lists(self) -> dict[str, dict[Any, Any]]:
        return {"terms": self.terms, "action_items": self.actions, "participants": self.people}

    def revise_term(self) -> None:
        term = self.pick(self.terms)
        changes = {"definition": self.text(1)}
        revised, _ = term.revise(**changes)
        effect = put(term, snapshot(revised, next_version=True))
        self.save([effect], lambda: self.keep(glossary.revise_term(self.store, term, changes)[0]))

    def sign_off(self) -> None:
        term = self.pick(self.terms)
        team = self.rng.choice((m.Team.SALES, m.Team.MARKETING))
        who = self.pick(self.people).name if self.people else ""
        after = term.toggle_sign_off(team, who, self.now + dt.timedelta(seconds=1))
        effect = put(term, snapshot(after, next_version=True))
        self.save(
            [effect],
            lambda: self.keep(glossary.toggle_sign_off(self.store, term, team, who)),
        )

    def dispute(self) -> None:
        """Two rows in one transaction: the term marked disputed and its new action item."""
        term = self.pick(self.terms)
        owner = self.pick(self.people).id if self.people and self.rng.random() < 0.5 else None
        cleared = {
            f"{team}_signoff_{what}": None
            for team in ("sales", "marketing")
            for what in ("by", "at")
        }
        disputed = term.model_copy(update={"disputed": True, **cleared})
        action = {
            "version": 1,
            "title": f"Agree a definition of '{term.name}'",
            "status": "open",
            "priority": "high",
            "owner_id": owner,
            "term_id": term.id,
        }
        effects = [
            put(term, snapshot(disputed, next_version=True)),
            {"op": "add", "table": "action_items", "row": action},
        ]

        def call() -> list[dict[str, Any]]:
            item = glossary.dispute_term(self.store, term, owner_id=owner)
            self.terms[term.id] = self.store.get(m.Term, term.id)
            return [*self.keep(self.terms[term.id]), *self.keep(item)]

        self.save(effects, call)

    def delete(self, record: m.Record) -> list[dict[str, Any]]:
        self.store.delete(record)
        del self.lists()[record.table][record.id]
        if record.table != "action_items":
            self.reload_actions()  # the delete cleared references to it
        return [{"op": "delete", "table": record.table, "id": record.id}]

    def delete_term(self) -> None:
        term = self.pick(self.terms)
        self.save([deletion(term)], lambda: self.delete(term))

    def add_action(self) -> None:
        item = m.ActionItem(
            title=self.one_line(1, 6, "Follow up"),
            owner_id=self.pick(self.people).id if self.people and self.rng.random() < 0.7 else None,
            term_id=self.pick(self.terms).id if self.terms and self.rng.random() < 0.5 else None,
            priority=self.rng.choice(list(m.Priority)),
            status=self.rng.choice(list(m.ActionStatus)),
        )
        self.save(
            [{"op": "add", "table": "action_items", "row": snapshot(item)}],
            lambda: self.added(item),
        )

    def edit_action(self) -> None:
        item = self.pick(self.actions)
        if self.rng.random() < 0.5:
            after = item.model_copy(update={"status": item.next_status()})

            def call() -> list[dict[str, Any]]:
                return self.keep(planning.cycle_status(self.store, item))

        else:
            title = self.one_line(1, 6, "Renamed")
            after = item.model_copy(
                update={"title": title, "priority": self.rng.choice(list(m.Priority))}
            )

            def call() -> list[dict[str, Any]]:
                return self.keep(self.store.update(after))

        effect = put(item, snapshot(after, next_version=True))
        self.save([effect], call)

    def delete_action(self) -> None:
        item = self.pick(self.actions)
        self.save([deletion(item)], lambda: self.delete(item))

    def add_person(self) -> None:
        person = m.Participant(name=self.one_line(1, 3, "Sam"), team=self.rng.choice(list(m.Team)))
        self.save(
            [{"op": "add", "table": "participants", "row": snapshot(person)}],
            lambda: self.added(person),
        )

    def delete_person(self) -> None:
        person = self.pick(self.people)
        self.save([deletion(person)], lambda: self.delete(person))

    def export_plan(self) -> None:
        """Write the action plan over the previous one, as `workshop export --force` does."""
        text = render(self.store, self.session_id, "md")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()

        def call() -> list[dict[str, Any]]:
            write_atomically(self.export, text, force=True)
            return [{"op": "export", "sha": digest}]

        self.save([{"op": "export", "sha": digest}], call)


def writer(fd: int) -> Callable[[str], None]:
    """A line writer on `fd` that hands each line to the OS at once (no Python buffer)."""

    def emit(line: str) -> None:
        data = line.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]

    return emit


def run_edits(db: Path, export: Path, seed: int, emit: Callable[[str], None]) -> None:
    """Open the store on `db` and edit its first session until killed."""
    store = Store(db, who="crash-child")
    session_id = store.sessions()[0].session.id
    assert session_id is not None
    editor = Editor(store, session_id, random.Random(seed), emit, export)
    emit("READY\n")
    while True:
        editor.step()


def run_migration(db: Path, emit: Callable[[str], None]) -> None:
    """Open (and so migrate) an old file, acknowledge it, then wait to be killed."""
    emit("OPENING\n")
    store = Store(db, who="crash-child")
    version = store.database.schema_version
    store.close()
    emit(f"A {json.dumps({'effects': [{'op': 'migrated', 'version': version}]})}\n")
    while True:
        time.sleep(1)


def main(argv: list[str]) -> None:
    """`edit DB EXPORT SEED` or `migrate DB`, writing lines to stdout."""
    emit = writer(sys.stdout.fileno())
    if argv[0] == "edit":
        run_edits(Path(argv[1]), Path(argv[2]), int(argv[3]), emit)
    else:
        run_migration(Path(argv[1]), emit)


if __name__ == "__main__":
    main(sys.argv[1:])
