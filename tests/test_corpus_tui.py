"""Hostile-input corpus, TUI part: every numeric and date field of the TUI fed junk by keys.

Each case types (or pastes) junk into one field and saves. It must be refused inline: the
form's error line (or the goal editor's message) names the field or the rule, the form stays
open with the junk still in the field, the app keeps running and the database, read through
a fresh Store, is exactly as it was. One app serves each group of cases (clear, type, save,
check, next), because starting an app is the slow part.

Text fields get the opposite check: markup-like text, RTL text and emoji are saved exactly
as typed and shown without a crash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select

from tui.screens.review import ReviewScreen
from tui.screens.score_entry import ScoreEntry
from tui.screens.session import SessionScreen
from tui.steps.revenue import RevenueStep
from tui.steps.revenue_widgets import GoalInput
from tui.widgets.forms import FormModal
from tui.widgets.tables import RecordTable
from workshop import cycle
from workshop import models as m
from workshop.storage.store import Store

SIZE = (120, 36)
TYPED_LIMIT = 3
"""Junk longer than this is pasted (one terminal paste event) instead of typed key by key:
each key press costs tens of milliseconds under Pilot, and the field receives the same text."""
MEGABYTE = "x" * 1_000_000
MARKUP = ["[b]x", "[/x]", "{{ 7*7 }}", "שלום עולם", "🎉 launch 👩‍💻"]
"""Text that looks like markup or a template, right-to-left text, and emoji (one a ZWJ)."""


def db_state(db_path: Path) -> dict[str, Any]:
    """Everything the database holds, read through a fresh Store: sessions, rows, change log."""
    with Store(db_path) as check:
        state: dict[str, Any] = {}
        for summary in check.sessions():
            sid = summary.session.id or 0
            state[f"session {sid}"] = summary.session.model_dump()
            for kind in m.ENTITIES:
                state[f"{sid} {kind.table}"] = [row.model_dump() for row in check.rows(kind, sid)]
            state[f"{sid} changes"] = len(check.changes(sid))
        return state


def shown(widget: Any) -> str:
    """The plain text a widget renders."""
    return str(widget.render())


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def enter_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` key by key, or paste it when it is long (as a terminal paste does)."""
    if len(text) > TYPED_LIMIT:
        pilot.app.post_message(events.Paste(text))
        await pilot.pause()
    elif text:
        await pilot.press(*text)


async def focus_field(pilot: Pilot[None], widget_id: str, key: str = "tab") -> Any:
    """Press `key` (tab) until the widget `widget_id` has the focus (as a facilitator would)."""
    for _ in range(24):
        focused = pilot.app.focused
        if focused is not None and focused.id == widget_id:
            return focused
        await pilot.press(key)
    raise AssertionError(f"tab never reached #{widget_id}")


def assert_alive(pilot: Pilot[None]) -> None:
    """The app is still running: no handler raised."""
    assert pilot.app.return_code is None
    assert pilot.app.is_running


class Forms:
    """Feeds junk to the fields of the form on top and checks each refusal."""

    def __init__(self, pilot: Pilot[None], db_path: Path) -> None:
        self.pilot = pilot
        self.db_path = db_path
        self.cases = 0

    @property
    def form(self) -> FormModal:
        """The open form."""
        screen = self.pilot.app.screen
        assert isinstance(screen, FormModal), f"expected a form, got {screen!r}"
        return screen

    async def type_into(self, field: str, text: str) -> Input:
        """Replace what `field` holds with `text`, by keys."""
        editor = await focus_field(self.pilot, f"field-{field}")
        assert isinstance(editor, Input)
        await self.pilot.press("ctrl+u")  # the cursor is at the end (or all is selected)
        await enter_text(self.pilot, text)
        assert editor.value == text
        return editor

    async def refused(self, field: str, junk: str, *words: str) -> None:
        """Type `junk` into `field`, save: refused inline, naming `words`; nothing written."""
        form = self.form
        editor = await self.type_into(field, junk)
        before = db_state(self.db_path)
        await self.pilot.press("ctrl+s")
        await self.pilot.pause()
        assert_alive(self.pilot)
        assert self.pilot.app.screen is form, f"{field}={junk[:30]!r} closed the form"
        error = shown(form.query_one("#form-error"))
        assert error.strip(), f"{field}={junk[:30]!r}: no message"
        assert len(error) <= 600, "a pasted page must not flood the form"
        for word in words:
            assert word.lower() in error.lower(), f"{field}={junk[:30]!r}: {error!r}"
        assert editor.value == junk, "the typed text must be kept"
        assert editor.has_class("-invalid"), f"{field} is not marked: {error!r}"
        assert db_state(self.db_path) == before
        self.cases += 1

    async def cancel(self) -> None:
        """Close the form without saving."""
        await self.pilot.press("escape")
        await settle(self.pilot)
        assert not isinstance(self.pilot.app.screen, FormModal)


# -- the new-session form ------------------------------------------------------------------


async def test_new_session_form_refuses_junk_title_and_date(make_tui, db_path: Path) -> None:
    app = make_tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        forms = Forms(pilot, db_path)
        await forms.refused("title", "", "title", "empty")
        await forms.refused("title", "   ", "title", "empty")
        await forms.refused("title", MEGABYTE, "title", "200")
        await forms.type_into("title", "Q4 alignment")
        for junk in ("2026-02-30", "yesterday", "", "9" * 10_000, "0", "-1", "2026-2-3"):
            await forms.refused("date", junk, "date")
        assert forms.cases == 10
        await forms.cancel()
    assert db_state(db_path) == {}


# -- participants, terms and the score keys ------------------------------------------------


async def test_names_and_score_keys_refuse_junk(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    store.add(m.Term(name="MQL"), sid)
    store.add(m.Term(name="Sales qualified lead"), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        forms = Forms(pilot, db_path)
        await pilot.press("1", "a")
        await pilot.pause()
        await forms.refused("name", "", "name", "empty")
        await forms.refused("name", "   ", "name", "empty")
        await forms.refused("name", "N" * 300, "name", "200")
        await forms.cancel()

        # Score entry: only 1-5 score; every other key is ignored.
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        entry = app.screen
        assert isinstance(entry, ScoreEntry)
        before = db_state(db_path)
        junk_keys = ("0", "6", "7", "9", "x", "minus", "plus", "period", "space", "comma")
        for key in junk_keys:
            await pilot.press(key)
            await pilot.pause()
            assert_alive(pilot)
            assert app.screen is entry and entry.index == 0, f"{key} moved or closed the entry"
            assert db_state(db_path) == before, f"{key} changed the database"
        await pilot.press("3")  # the same path saves a real score: these checks can fail
        await pilot.pause()
        assert entry.index == 1
        with Store(db_path) as check:
            assert [a.score for a in check.rows(m.Answer, sid)] == [3]
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await forms.refused("name", "", "name", "empty")
        for duplicate in ("mql", "  mQl  ", "  sales   QUALIFIED lead "):
            await forms.refused("name", duplicate, "name", "already")
        await forms.cancel()
        with Store(db_path) as check:
            assert [t.name for t in check.rows(m.Term, sid)] == ["MQL", "Sales qualified lead"]
        assert forms.cases + len(junk_keys) == 17


# -- step 5: action items, cadence, KPIs ---------------------------------------------------


async def test_action_cadence_and_kpi_forms_refuse_junk(
    make_tui, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        forms = Forms(pilot, db_path)

        await pilot.press("a")
        await pilot.pause()
        await forms.type_into("title", "Call every MQL within 24 h")
        for junk in ("2026-13-45", "soon", "99999-01-01", "-1", "0", "2026-02-30", "d" * 5000):
            await forms.refused("due", junk, "due", "YYYY-MM-DD")
        await forms.type_into("due", "2026-12-01")
        await forms.refused("title", "", "title", "empty")
        await forms.refused("title", "T" * 301, "title", "300")
        await forms.cancel()

        await pilot.press("c")  # the cadence table
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await forms.type_into("name", "Weekly pipeline review")
        weekday = await focus_field(pilot, "field-weekday")
        assert isinstance(weekday, Select)
        for key in ("f", "u", "n", "d", "a", "y", "8", "minus", "1"):
            await pilot.press(key)
            await pilot.pause()
            assert weekday.value in range(7), f"{key} left the weekday at {weekday.value!r}"
        if weekday.expanded:
            await pilot.press("escape")  # close the drop-down, not the form
        await pilot.pause()
        for junk in ("25:00", "9.30pm", "noon", "24:00", "9:60", ":"):
            await forms.refused("time", junk, "time", "HH:MM")
        await forms.type_into("time", "09:30")
        for junk in ("0", "-5", "abc", "1e9", "4", "481", "²", "9" * 5000, "30.5"):
            await forms.refused("duration_minutes", junk, "duration_minutes")
        await forms.cancel()

        await pilot.press("c")  # the KPI table
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await forms.type_into("name", "Lead-to-opportunity conversion")
        numbers = ("abc", "1e999999999", "NaN", "--5", "Infinity", "1e-999999999", "a" * 100_000)
        for field in ("baseline", "target"):
            for junk in numbers:
                await forms.refused(field, junk, field)
            await forms.type_into(field, "")
        await forms.cancel()
        assert forms.cases == 9 + 6 + 9 + 14
    with Store(db_path) as check:
        assert check.rows(m.ActionItem, sid) == []
        assert check.rows(m.Cadence, sid) == []
        assert check.rows(m.Kpi, sid) == []


# -- step 4: the inline goal and the stage form --------------------------------------------


async def goal_refused(
    pilot: Pilot[None], db_path: Path, field: str, junk: str, *words: str
) -> None:
    """Type `junk` into goal field `field` and press enter: refused under the fields."""
    pane = pilot.app.screen.query_one(RevenueStep)
    editor = pilot.app.focused
    if not isinstance(editor, GoalInput) or editor.field != field:
        if isinstance(editor, GoalInput):
            await pilot.press("escape")  # back to the stages, the saved value restored
        await pilot.press("g")  # the target; period and months sit before it
        back = field in ("period", "months")
        editor = await focus_field(pilot, f"goal-{field}", "shift+tab" if back else "tab")
    assert isinstance(editor, GoalInput)
    await pilot.press("ctrl+u")
    await enter_text(pilot, junk)
    before = db_state(db_path)
    await pilot.press("enter")
    await pilot.pause()
    assert_alive(pilot)
    message = shown(pane.query_one("#goal-message"))
    assert message.startswith("✗"), f"{field}={junk!r}: {message!r}"
    for word in words:
        assert word.lower() in message.lower(), f"{field}={junk!r}: {message!r}"
    assert "kept" in message
    assert editor.value == junk and editor.has_class("-invalid")
    assert db_state(db_path) == before


async def test_revenue_goal_and_stage_fields_refuse_junk(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    cycle.create_default_stages(store, sid, "waterfall")
    store.add(m.RevenueGoal(target=Decimal(1_200_000), average_deal_size=Decimal(25_000)), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        cases = {
            "target": ("0", "-5", "abc", "1e40", "NaN", "", "[/x]"),
            "average_deal_size": ("0", "abc", "-1k"),
            "months": ("0", "121", "abc", "-3", "1e1"),
            "marketing_share": ("101", "-1", "abc", "NaN"),
        }
        names = cycle.GOAL_FIELDS
        for field, junks in cases.items():
            for junk in junks:
                await goal_refused(pilot, db_path, field, junk, names[field])
        await pilot.press("escape")
        assert sum(len(junks) for junks in cases.values()) == 19
        pane = app.screen.query_one(RevenueStep)
        assert pane.goal_editor.field("target").value == "1,200,000"  # escape restored it

        forms = Forms(pilot, db_path)
        await pilot.press("a")
        await pilot.pause()
        await forms.type_into("name", "Expansion")
        for junk in ("0", "150", "abc", "1e-99", "-5", "NaN", "1e999999999"):
            await forms.refused("conversion", junk, "conversion")
        await forms.cancel()
        assert forms.cases == 7
    with Store(db_path) as check:
        [goal] = check.rows(m.RevenueGoal, sid)
        assert (goal.target, goal.months, goal.marketing_share) == (1_200_000, 12, 50)
        assert len(check.rows(m.Stage, sid)) == 6


# -- review mode: KPI readings and rescheduling --------------------------------------------


async def test_review_reading_and_reschedule_refuse_junk(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    store.add(m.ActionItem(title="Fix the CRM sync", due=dt.date(2026, 12, 1)), sid)
    store.add(m.Kpi(name="Speed to lead", unit="hours", baseline=Decimal(48)), sid)
    app = make_tui(session_id=sid, review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        forms = Forms(pilot, db_path)
        await pilot.press("k")
        await pilot.pause()
        for junk in ("abc", "1e999999999", "", "NaN", "v" * 20_000):
            await forms.refused("value", junk, "value")
        await forms.type_into("value", "12")
        for junk in ("2026-02-30", "", "0", "-1", "today"):
            await forms.refused("date", junk, "date")
        await forms.cancel()

        await pilot.press("d")
        await pilot.pause()
        for junk in ("2026-13-45", "soon", "99999-01-01", "-1", "0", "2026-02-30"):
            await forms.refused("due", junk, "due")
        await forms.cancel()
        assert forms.cases == 16
    with Store(db_path) as check:
        assert check.rows(m.KpiReading, sid) == []
        [item] = check.rows(m.ActionItem, sid)
        assert item.due == dt.date(2026, 12, 1) and item.version == 1


# -- text fields: markup-like text is data ------------------------------------------------


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param([t for t in MARKUP if not t.startswith("[")], id="template-rtl-emoji"),
        pytest.param([t for t in MARKUP if t.startswith("[")], id="brackets"),
    ],
)
async def test_markup_like_text_is_saved_and_shown_exactly(
    make_tui, texts: list[str], db_path: Path
) -> None:
    title = " ".join(texts)
    app = make_tui()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        forms = Forms(pilot, db_path)
        await pilot.press("n")
        await pilot.pause()
        await forms.type_into("title", title)
        await forms.type_into("organisation", texts[0])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_alive(pilot)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert title in shown(screen.query_one("#session-title"))

        await pilot.press("1")
        for text in texts:
            await pilot.press("a")
            await pilot.pause()
            await forms.type_into("name", text)
            await forms.type_into("role", text)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert_alive(pilot)
            assert text in shown(screen.query_one("#save-status"))
        table = screen.query_one("#participants-table", RecordTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [[text, "sales", text] for text in texts]
    with Store(db_path) as check:
        [summary] = check.sessions()
        assert (summary.session.title, summary.session.organisation) == (title, texts[0])
        people = check.rows(m.Participant, summary.session.id or 0)
        assert [(p.name, p.role) for p in people] == [(text, text) for text in texts]


async def test_markup_like_text_in_review_mode_is_shown_as_typed(
    make_tui, store: Store, db_path: Path
) -> None:
    title = " ".join(MARKUP)
    session = store.create_session(
        m.Session(
            title=title, organisation="[/org]", facilitator="[/who]", date=dt.date(2026, 11, 1)
        )
    )
    sid = session.id or 0
    for text in MARKUP:
        store.add(m.ActionItem(title=text, due=dt.date(2026, 12, 1)), sid)
    store.add(m.Kpi(name="[/kpi]", unit="[/u]", baseline=Decimal(1)), sid)
    app = make_tui(session_id=sid, review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_alive(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert title in shown(screen.query_one("#review-title"))
        assert "[/who]" in shown(screen.query_one("#review-since"))
        assert "[/u]" in " ".join(shown(w) for w in screen.query(".kpi-numbers"))
        forms = Forms(pilot, db_path)
        with Store(db_path) as check:
            items = check.rows(m.ActionItem, sid)
        for day, item in enumerate(items, 10):
            screen.table.select_id(item.id or 0)
            await pilot.press("d")
            await pilot.pause()
            assert item.title in shown(forms.form.query_one(".form-title"))
            await forms.type_into("due", f"2026-12-{day}")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert_alive(pilot)
            assert item.title in shown(screen.query_one("#review-status"))
        await pilot.press("k", "tab", *"3", "tab", "tab")
        await enter_text(pilot, "[/note] {{ 7*7 }} 🎉")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_alive(pilot)
    with Store(db_path) as check:
        assert sorted(i.title for i in check.rows(m.ActionItem, sid)) == sorted(MARKUP)
        assert all(i.version == 2 for i in check.rows(m.ActionItem, sid))
        [reading] = check.rows(m.KpiReading, sid)
        assert reading.note == "[/note] {{ 7*7 }} 🎉"
