"""Errors at the edges: a row deleted by another process, a read that fails in a worker.

The `store` fixture is a second connection to the app's database file: what it deletes, the
app finds gone only when a key reaches for it. A key on such a row says so in one line and
the view is read again; a background read that fails says why where its result would be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tui.app import WorkshopApp
from tui.screens.review import ReviewScreen
from tui.screens.session import SessionScreen
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop.errors import StorageError
from workshop.storage.store import Store

GONE = "does not exist (it may have been deleted)"
SIZE = (120, 36)


def messages(app: WorkshopApp) -> list[str]:
    """The texts of the toasts shown so far."""
    return [str(n.message) for n in app._notifications]


def shown_ids(app: WorkshopApp, selector: str) -> set[str]:
    """The row keys of the table `selector` on the current screen."""
    table = app.screen.query_one(selector, RecordTable)
    return {str(key.value) for key in table.rows}


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers and the messages they post finish."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press_on_deleted(
    make_tui: Callable[..., WorkshopApp],
    store: Store,
    record: m.SessionRecord,
    selector: str,
    keys: tuple[str, ...],
    *,
    review: bool = False,
    open_keys: tuple[str, ...] = (),
) -> WorkshopApp:
    """Open the session, let another connection delete `record`, then press `keys` on it.

    Returns the app after the keys, still running (a crash would have ended the test).
    """
    app = make_tui(session_id=record.session_id, review=review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*open_keys)
        await settle(pilot)
        assert str(record.id) in shown_ids(app, selector)
        app.screen.query_one(selector, RecordTable).focus()
        store.delete(record)
        await pilot.press(*keys)
        await settle(pilot)
        assert app.is_running, "the app died"
        assert any(GONE in text for text in messages(app)), messages(app)
        assert str(record.id) not in shown_ids(app, selector), "the view was not read again"
        assert isinstance(app.screen, SessionScreen | ReviewScreen), "a dialog opened on it"
    return app


async def test_enter_on_a_participant_deleted_elsewhere(make_tui, store, session) -> None:
    person = store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    await press_on_deleted(
        make_tui, store, person, "#participants-table", ("enter",), open_keys=("1",)
    )


async def test_delete_key_on_a_participant_deleted_elsewhere(make_tui, store, session) -> None:
    person = store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), session.id)
    await press_on_deleted(
        make_tui, store, person, "#participants-table", ("delete",), open_keys=("1",)
    )


@pytest.mark.parametrize("key", ["s", "enter"])
async def test_key_on_a_term_deleted_elsewhere(make_tui, store, session, key: str) -> None:
    term = store.add(m.Term(name="MQL", definition="Marketing qualified"), session.id)
    await press_on_deleted(make_tui, store, term, "#terms-table", (key,), open_keys=("3",))


async def test_enter_on_a_stage_deleted_elsewhere(make_tui, store, session) -> None:
    stage = store.add(m.Stage(name="SQL", owner_team=m.Team.SALES), session.id)
    await press_on_deleted(make_tui, store, stage, "#stages-table", ("enter",), open_keys=("4",))


@pytest.mark.parametrize("key", ["enter", "space"])
async def test_key_on_an_action_deleted_elsewhere(make_tui, store, session, key: str) -> None:
    item = store.add(m.build(m.ActionItem, {"title": "Fix the CRM sync"}), session.id)
    await press_on_deleted(make_tui, store, item, "#actions-table", (key,), open_keys=("5",))


async def test_status_key_on_a_review_item_deleted_elsewhere(make_tui, store, session) -> None:
    item = store.add(m.build(m.ActionItem, {"title": "Fix the CRM sync"}), session.id)
    await press_on_deleted(make_tui, store, item, "#review-table", ("space",), review=True)


def fail_with(error: Exception) -> Callable[..., Any]:
    """A stand-in for a store read that fails with `error`."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


BOOM = "the disk is on fire"

# (what to break, how to reach the screen, where its result would be shown, error raised)
WORKERS = {
    "session list": (
        "workshop.storage.store.Store.sessions",
        {},
        (),
        "#sessions-empty",
        RuntimeError,
    ),
    "terms": (
        "tui.steps.terms.term_cells",
        {"session": True},
        ("3",),
        "#terms-count",
        RuntimeError,
    ),
    "actions": (
        "tui.steps.actions.read_step_five",
        {"session": True},
        ("5",),
        "#actions-view",
        RuntimeError,
    ),
    "wrap-up": (
        "tui.steps.review.wrap_up_summary",
        {"session": True},
        ("6",),
        "#wrap-up-summary",
        StorageError,
    ),
    "export preview": (
        "workshop.export.render",
        {"session": True},
        ("x",),
        "#export-preview",
        RuntimeError,
    ),
    "review": (
        "workshop.review.board.review_board",
        {"session": True, "review": True},
        (),
        "#review-since",
        RuntimeError,
    ),
    "what changed": (
        "tui.screens.review_changes.what_changed",
        {"session": True, "review": True},
        ("c",),
        "#changes-detail",
        RuntimeError,
    ),
    "compare": (
        "tui.screens.compare.session_to_compare",
        {"session": True, "review": True},
        ("o",),
        "#compare-text",
        RuntimeError,
    ),
    "search": ("tui.screens.search.search", {}, ("ctrl+f", "x"), "#search-hint", RuntimeError),
}


def shown_text(app: WorkshopApp, selector: str) -> str:
    """What the widget `selector` on the current screen shows, as plain text."""
    widget = app.screen.query_one(selector)
    if isinstance(widget, Static):
        return str(widget.render())
    return str(widget.query_one("Markdown").source)  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", list(WORKERS))
async def test_a_failed_background_read_is_shown_where_its_result_would_be(
    make_tui, store, session, monkeypatch, where: str
) -> None:
    target, options, keys, selector, error = WORKERS[where]
    store.add(m.Term(name="MQL"), session.id)  # a row for the terms step to draw
    monkeypatch.setattr(target, fail_with(error(BOOM)))
    kwargs = {"session_id": session.id} if options.get("session") else {}
    app = make_tui(review=options.get("review", False), **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        assert app.is_running
        assert any(BOOM in text for text in messages(app)), messages(app)
        text = shown_text(app, selector)
        assert BOOM in text, text
        assert "Reading" not in text and "Rendering" not in text and "Comparing" not in text
