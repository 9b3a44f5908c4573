"""Typed text is shown as typed on every screen: never read as markup, never a live action.

One session holds markup-like text in every text field it has ("[/]" closes nothing, "[b]x"
would turn bold, "[@click=app.quit]" would be a link that quits, "\\[" would be an escape).
The walk visits every screen, step, picker and form with it, and checks on each that the
app still runs, the text shows with its brackets where it is visible, and no rendered
segment carries an action (Textual's `@click` meta) made from what was typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, MarkdownViewer, Select, Static

from tests.conftest import FROZEN_NOW
from tui.screens.signer import SignerModal
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormModal
from workshop import models as m
from workshop.storage.store import Store

HOSTILE = "[/] [b]x [@click=app.quit] \\["
"""All four at once: a closing tag with nothing open, a style, an action, an escape."""
SIZE = (120, 36)
PEOPLE = {
    "Eve [/] x": m.Team.SALES,
    "Pat [interim] Jones": m.Team.SALES,
    "[@click=app.quit]Quit": m.Team.MARKETING,
    "Back\\[slash [b]x": m.Team.MARKETING,
}
"""Names from the bug report, one of each kind, so each can be looked for on screen."""


def hostile(tag: str) -> str:
    """A field value: a short tag to find it by, then all four markup-like strings."""
    return f"{tag} {HOSTILE}"


@pytest.fixture
def hostile_session(store: Store) -> int:
    """A session whose every text field holds markup-like text."""
    session = store.create_session(
        m.Session(
            title=hostile("Title"),
            organisation=hostile("Org"),
            facilitator=hostile("Fay"),
            date=dt.date(2026, 11, 23),
            notes=hostile("Notes"),
        )
    )
    sid = session.id or 0
    people = [
        store.add(m.Participant(name=name, team=team, role=hostile("Role")), sid)
        for name, team in PEOPLE.items()
    ]
    statement = store.add(m.Statement(text=hostile("Statement"), theme=hostile("Theme")), sid)
    for team, score in ((m.Team.SALES, 2), (m.Team.MARKETING, 5)):
        store.add(m.Answer(statement_id=statement.id or 0, team=team, score=score), sid)
    signed = store.add(
        m.Term(
            name=hostile("Signed"),
            definition=hostile("Definition"),
            entry_criteria=hostile("Entry"),
            exit_criteria=hostile("Exit"),
            example=hostile("Example"),
            sales_signoff_by="Pat [interim] Jones",
            sales_signoff_at=FROZEN_NOW,
            marketing_signoff_by=hostile("Mo"),
            marketing_signoff_at=FROZEN_NOW,
        ),
        sid,
    )
    store.add(m.Term(name=hostile("Open"), definition=hostile("Meaning")), sid)
    store.add(
        m.RevenueGoal(period=hostile("FY"), target=Decimal(1_000_000), average_deal_size=25_000),
        sid,
    )
    stage = store.add(
        m.Stage(
            name=hostile("Stage"),
            owner_team=m.Team.SALES,
            term_id=signed.id,
            conversion=Decimal(20),
            exit_criteria=hostile("Exit"),
            sla=hostile("SLA"),
        ),
        sid,
    )
    store.add(m.Stage(name=hostile("Won"), position=1, is_won=True), sid)
    item = store.add(
        m.ActionItem(
            title=hostile("Action"),
            description=hostile("Details"),
            owner_id=people[1].id,
            team=m.Team.SALES,
            due=dt.date(2026, 11, 1),
            term_id=signed.id,
            stage_id=stage.id,
            statement_id=statement.id,
        ),
        sid,
    )
    store.add(m.Cadence(name=hostile("Cadence")), sid)
    kpi = store.add(m.Kpi(name=hostile("KPI"), unit=hostile("u"), baseline=1, target=9), sid)
    store.add(
        m.KpiReading(
            kpi_id=kpi.id or 0,
            value=Decimal(3),
            date=dt.date(2026, 11, 20),
            note=hostile("Reading"),
        ),
        sid,
    )
    store.add(
        m.Review(date=dt.date(2026, 11, 10), reviewer=hostile("Reviewer")),
        sid,
    )
    store.add(
        m.ReviewNote(
            date=dt.date(2026, 11, 12),
            author=hostile("Author"),
            text=hostile("Note"),
            action_item_id=item.id,
        ),
        sid,
    )
    return sid


def screen_lines(app: Any) -> list[str]:
    """The screen on top as lines of plain text, as the terminal shows it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def typed_actions(app: Any) -> list[tuple[str, str]]:
    """Every action on screen (a segment's `@click` meta) that would quit the app.

    Only typed text read as markup makes one: Textual's own widgets make other actions (a
    Markdown link), none of which quits.
    """
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            meta = segment.style.meta if segment.style else {}
            action = str(meta.get("@click", ""))
            if "quit" in action:
                found.append((segment.text, action))
    return found


def _plain_text(widget: Widget) -> bool:
    """Whether a click on `widget` has nothing of its own to do (a text, not a control)."""
    return isinstance(widget, Static) and not any(
        isinstance(node, Select | Button) for node in widget.ancestors_with_self
    )


class Walk:
    """Visits screens, checking each for a crash, a live action and the text shown as typed."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.visited: list[str] = []
        self.clicked: set[type] = set()

    async def settle(self) -> None:
        """Let workers finish and the screen catch up."""
        await self.pilot.pause()
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        """Press `keys`, then let the screen settle."""
        await self.pilot.press(*keys)
        await self.settle()

    async def step(self, number: int, *expected: str) -> None:
        """Go to step `number` (continuing past a gate's question), then check it."""
        await self.press(str(number))
        if isinstance(self.app.screen, ConfirmModal):
            await self.check(f"gate leaving for step {number}")
            await self.press("y")
        assert getattr(self.app.screen, "step", None) == number
        await self.check(f"step {number}", *expected)

    async def check(self, where: str, *expected: str) -> str:
        """The app runs, nothing typed became an action, and each `expected` text is shown.

        Where the text `[@click=app.quit]` is on screen it is also clicked: nothing quits.
        """
        await self.settle()
        self.visited.append(where)
        assert self.app.is_running and self.app.return_code is None, where
        assert typed_actions(self.app) == [], where
        text = "\n".join(screen_lines(self.app))
        for words in expected:
            assert words in text, f"{where}: {words!r} not shown in\n{text}"
        await self.click_the_quit_link()
        return text

    async def scroll_through(self, where: str, scroller: Any, *expected: str) -> None:
        """Check every page of `scroller` (a long preview); each `expected` is on one of them."""
        pages = []
        scroller.scroll_home(animate=False)
        for page in range(40):
            pages.append(await self.check(f"{where}, page {page + 1}"))
            if scroller.scroll_y >= scroller.max_scroll_y:
                break
            scroller.scroll_page_down(animate=False)
        seen = "\n".join(pages)
        for words in expected:
            assert words in seen, f"{where}: {words!r} not shown on any page"

    async def click_the_quit_link(self) -> None:
        """Click on the typed '[@click=app.quit]' in a text on screen: the app keeps running.

        Only in a plain text: in a table, a list or a select a click picks the row or opens the
        options, which is what they are for. Once per kind of screen (a click takes a while).
        """
        if type(self.app.screen) in self.clicked:
            return
        for y, line in enumerate(screen_lines(self.app)):
            x = line.find("[@click")
            if x >= 0 and _plain_text(self.app.screen.get_widget_at(x + 1, y)[0]):
                self.clicked.add(type(self.app.screen))
                await self.pilot.click(offset=(x + 1, y))
                await self.settle()
                assert self.app.is_running and self.app.return_code is None, "clicked: it quit"
                return


class Markup(App[None]):
    """Text read as markup, to show that the walk's check can fail."""

    def compose(self) -> ComposeResult:
        yield Static("Back\\[slash [b]x")
        yield Static("[@click=app.quit]Quit[/]")


async def assert_the_check_can_fail() -> None:
    """Text read as markup makes an action the check finds, and loses its brackets."""
    app = Markup()
    async with app.run_test(size=(40, 4)):
        assert typed_actions(app) == [("Quit", "app.quit")]
        assert screen_lines(app)[:2] == ["Back[slash x".ljust(40), "Quit".ljust(40)]


async def test_typed_markup_is_shown_as_typed_on_every_screen(
    make_tui, hostile_session: int
) -> None:
    await assert_the_check_can_fail()
    app = make_tui()
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot)
        await walk.check("session list", "Title [/] [b]x [@click=app.quit] \\[")
        await walk.press("ctrl+f")
        await pilot.press(*"Definition")
        await walk.check("search", "Definition [/] [b]x", "Signed [/] [b]x")
        await walk.press("escape")

        await walk.press("enter")
        await walk.check("step 1", "Eve [/] x", "Pat [interim] Jones", "[@click=app.quit]Quit")
        await walk.press("enter")
        assert isinstance(app.screen, FormModal)
        await walk.check("participant form", "Eve [/] x", "Role [/] [b]x")
        await walk.press("escape")

        await walk.step(2, "Theme [/] [b]x", "Statement [/] [b]x")
        await walk.press("r")  # reveal
        await walk.check("step 2 revealed", "Theme [/] [b]x", "Statement [/] [b]x")

        await walk.step(3, "Signed [/] [b]x", "Definition [/] [b]x", "Pat [interim] Jones")
        await walk.press("enter")
        await walk.check("term form", "Signed [/] [b]x", "Example [/] [b]x")
        await walk.press("escape")
        await walk.press("down")  # the term nobody signed yet
        await walk.press("s")
        assert isinstance(app.screen, SignerModal)
        await walk.check("sales picker", "Open [/] [b]x", "Eve [/] x", "Pat [interim] Jones")
        await walk.press("down", "enter")  # Pat signs: a toast and the detail quote the name
        await walk.check("signed by Pat", "Sales: Pat [interim] Jones, 23 Nov 2026")
        await walk.press("m")
        assert isinstance(app.screen, SignerModal)
        await walk.check("marketing picker", "[@click=app.quit]Quit", "Back\\[slash [b]x")
        await walk.press("escape")

        await walk.step(4, "Stage [/] [b]x", "SLA [/] [b]x")
        await walk.press("enter")
        await walk.check("stage form", "Stage [/] [b]x", "Signed [/] [b]x")
        await walk.press("escape")

        await walk.step(5, "Action [/] [b]x", "Pat [interim] Jo")
        await walk.press("enter")
        await walk.check("action form", "Action [/] [b]x", "Pat [interim] Jones (sales)")
        await walk.press("escape")
        await walk.press("c")
        await walk.check("cadence", "Cadence [/] [b]x")
        await walk.press("enter")
        await walk.check("cadence form", "Cadence [/] [b]x")
        await walk.press("escape")
        await walk.press("c")
        await walk.check("KPIs", "KPI [/] [b]x")
        await walk.press("enter")
        await walk.check("KPI form", "KPI [/] [b]x", "u [/] [b]x")
        await walk.press("escape")

        # The gates quote the names of what was left open, backslash and all.
        await walk.step(6, "Title [/] [b]x", "Open [/] [b]x [@click=app.quit] \\[")
        await walk.press("x")
        await pilot.resize_terminal(SIZE[0], 200)  # the whole preview in a few pages
        preview = app.screen.query_one(MarkdownViewer)
        await walk.scroll_through("export preview", preview, "Action [/] [b]x", "KPI [/] [b]x")
        await pilot.resize_terminal(*SIZE)
        await walk.press("escape")
        await walk.press("question_mark")
        await walk.check("help", "Keys")
        await walk.press("escape")
        await walk.press("ctrl+p")
        await pilot.press(*"export")
        await walk.check("command palette", "export the action plan")
        await walk.press("escape")
        await walk.press("escape")

        await walk.press("r")
        await walk.check("review", "Action [/] [b]x", "Reviewer [/] [b]x", "Note [/] [b]x")
        await walk.press("c")
        await walk.check("what changed", "Pat [interim] Jones", "Cadence [/] [b]x")
        await walk.press("escape")
        await walk.press("o")
        await walk.check("compare", "Org [/] [b]x")
        await walk.press("escape")
        await walk.press("k")
        await walk.check("reading form", "KPI [/] [b]x")
        await walk.press("escape")
        await walk.press("n")
        await walk.check("note form", "Progress note on 'Action [/] [b]x")
        await walk.press("escape")
        assert len(walk.visited) >= 30
