"""Two processes on one file: a live session and a review, 2,000 interleaved edits.

Both edit the same action items, sometimes from copies read long before (as a screen left
open would), so many edits collide. Every collision must be refused with StaleEdit and a
plain message, no other error may reach either process ("database is locked" above all),
and no successful edit may be lost: each row's final version is one more than the number
of edits that succeeded on it, every success got its own version, and the row holds the
last one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from workshop import models as m
from workshop.errors import StaleEdit
from workshop.storage.store import Store

EDITS_PER_PROCESS = 1_000
SHARED_ROWS = 12
THINK_S = 0.004
"""Longest pause between two edits of one process: back-to-back writes of one process would
otherwise keep the other waiting in SQLite's busy handler, and not interleave."""


def edit(db: Path, who: str, seed: int, shared: list[int], start: Any, results: Any) -> None:
    """One process's 1,000 edits: updates of shared rows (some from stale copies) and adds."""
    outcome: dict[str, Any] = {"who": who, "updates": [], "stale": [], "errors": [], "adds": 0}
    try:
        rng = random.Random(seed)
        kept: dict[int, m.ActionItem] = {}
        with Store(db, who=who) as store:
            session_id = store.sessions()[0].session.id
            start.wait(timeout=30)
            for number in range(EDITS_PER_PROCESS):
                time.sleep(rng.uniform(0, THINK_S))  # a person pauses; lets the other one in
                roll = rng.random()
                try:
                    if roll < 0.1:
                        store.add(m.ActionItem(title=f"{who} adds {number}"), session_id)
                        outcome["adds"] += 1
                        continue
                    row_id = rng.choice(shared)
                    if roll < 0.4 and row_id in kept:
                        copy = kept.pop(row_id)  # read a while ago: probably stale by now
                    else:
                        copy = store.get(m.ActionItem, row_id)
                        if rng.random() < 0.3:
                            kept[row_id] = copy
                    title = f"{who} edit {number}"
                    saved = store.update(copy.model_copy(update={"title": title}))
                    outcome["updates"].append((row_id, saved.version, title))
                except StaleEdit as refused:
                    outcome["stale"].append(str(refused))
                except Exception as error:
                    outcome["errors"].append(f"{type(error).__name__}: {error}")
    except BaseException as error:
        outcome["errors"].append(f"worker failed: {type(error).__name__}: {error}")
    results.put(outcome)


def test_two_processes_editing_one_file_never_lock_and_never_lose_an_edit(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.db"
    with Store(db, who="setup") as store:
        session = store.create_session(m.Session(title="Q3", date=dt.date(2026, 11, 23)))
        shared = [
            store.add(m.ActionItem(title=f"shared {index}"), session.id).id or 0
            for index in range(SHARED_ROWS)
        ]
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=edit, args=(db, who, seed, shared, start, results))
        for who, seed in (("live", 1), ("review", 2))
    ]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    elapsed = time.monotonic() - began

    errors = [error for outcome in outcomes for error in outcome["errors"]]
    assert errors == [], errors[:5]
    attempted = sum(len(o["updates"]) + len(o["stale"]) + o["adds"] for o in outcomes)
    assert attempted == 2 * EDITS_PER_PROCESS
    for outcome in outcomes:
        assert outcome["stale"], f"{outcome['who']} never collided: the test proves nothing"
        for message in outcome["stale"]:
            assert "changed elsewhere" in message and "not saved" in message, message
            assert "\n" not in message

    successes = [update for outcome in outcomes for update in outcome["updates"]]
    with Store(db) as store:
        assert store.database.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        logged = Counter(
            change.entity_id
            for change in store.changes(session.id or 0)
            if change.action == "update"
        )
        writers = [change.who for change in store.changes(session.id or 0)][1:]
        for row_id in shared:
            row = store.get(m.ActionItem, row_id)
            mine = sorted((version, title) for rid, version, title in successes if rid == row_id)
            versions = [version for version, _ in mine]
            # No lost update: every success got its own version, and the row has the last.
            assert versions == list(range(2, row.version + 1)), (row_id, versions[:10])
            assert row.version == len(mine) + 1
            assert row.title == (mine[-1][1] if mine else f"shared {shared.index(row_id)}")
            assert logged[row_id] == len(mine)
        total_adds = sum(o["adds"] for o in outcomes)
        assert len(store.rows(m.ActionItem, session.id or 0)) == SHARED_ROWS + total_adds
    switches = sum(a != b for a, b in itertools.pairwise(writers))
    assert switches >= 100, f"the two processes barely interleaved ({switches} switches)"
    print(
        f"2 x {EDITS_PER_PROCESS} edits in {elapsed:.1f} s: {len(successes)} updates saved, "
        f"{sum(len(o['stale']) for o in outcomes)} stale edits refused, "
        f"{total_adds} rows added, {switches} switches between writers, 0 errors"
    )
