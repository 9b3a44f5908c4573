"""Pilot tests of the layout at 80×24 and 120×36 with the demo: the footer, the step bar and
the tables fit the width there is, and the long text column takes the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from tui.screens.session import SessionScreen
from tui.steps import step_classes
from tui.steps.revenue import RevenueStep
from tui.steps.revenue_widgets import CycleBars
from workshop import models as m
from workshop.resources import sample_session
from workshop.storage.session_file import import_json
from workshop.storage.store import Store

NARROW, WIDE = (80, 24), (120, 36)


@pytest.fixture
def demo_id(db_path: Path) -> int:
    with Store(db_path) as seed:
        return import_json(seed, sample_session("demo").read_bytes()).id or 0


def _column_widths(table: DataTable[Any]) -> dict[str, int]:
    return {str(c.label.plain): c.get_render_width(table) for c in table.ordered_columns}


def _fits(table: DataTable[Any]) -> bool:
    """Every column is inside the table: nothing hides off the right edge."""
    return sum(_column_widths(table).values()) <= table.size.width


def _footer_keys(app: Any) -> list[FooterKey]:
    return [key for key in app.screen.query(FooterKey) if key.display]


def _keys_fit(keys: list[FooterKey], width: int) -> bool:
    """Every key is on screen and left of the command palette's key (never under it)."""
    palette = next(key for key in keys if key.has_class("-command-palette"))
    others = [key for key in keys if key is not palette]
    return (
        bool(others)
        and all(key.region.right <= palette.region.x for key in others)
        and (palette.region.right <= width)
    )


async def _goto(pilot: Any, number: int) -> SessionScreen:
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    screen.step = number  # straight there, past any gate question
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_footer_keeps_help_and_the_step_keys_inside_80_columns(make_tui, demo_id) -> None:
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=NARROW) as pilot:
        for number in range(1, 7):
            screen = await _goto(pilot, number)
            keys = _footer_keys(app)
            assert _keys_fit(keys, NARROW[0]), number
            shown = {key.action for key in keys}
            assert "help" in shown, number
            own = {  # the keys of the step in use, as the footer would list them
                binding.action
                for node, binding, _enabled, _tooltip in screen.active_bindings.values()
                if node is screen.pane(number) and binding.show
            }
            assert own and own <= shown, (number, own - shown)


async def test_footer_fits_on_the_session_list_and_the_review(make_tui, demo_id) -> None:
    app = make_tui()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(2):
            keys = _footer_keys(app)
            assert _keys_fit(keys, NARROW[0])
            assert "question_mark" in {key.key for key in keys}
            app.open_session(demo_id, review=True)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()


async def test_step_bar_shows_all_six_steps_at_80_and_full_names_at_120(make_tui, demo_id) -> None:
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("#step-bar", Static)
        text = str(bar.render())
        assert cell_len(text) <= bar.content_region.width
        for number in range(1, 7):
            assert f" {number} " in text
        assert "6 Review" in text
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        text = str(bar.render())
        assert all(step.title in text for step in step_classes()), text
        assert cell_len(text) <= bar.content_region.width


async def test_revenue_stages_keep_every_column_and_the_bars_go_under_them(
    make_tui, demo_id, db_path
) -> None:
    with Store(db_path) as check:
        first = check.rows(m.Stage, demo_id)[0]
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=NARROW) as pilot:
        await _goto(pilot, 4)
        pane = app.screen.query_one(RevenueStep)
        table, bars = pane.table, pane.query_one(CycleBars)
        widths = _column_widths(table)
        upto_term = sum(width for name, width in widths.items() if name != "SLA")
        # Owner and term are in view at 80 columns (the last one's right padding may not be).
        assert upto_term - table.cell_padding <= table.size.width
        assert first.sla in str(pane.query_one("#stage-detail", Static).render())
        assert bars.region.y >= table.region.bottom  # under the table, not beside it
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        await pilot.pause()
        assert _fits(table)  # the SLA column too
        assert table.columns[next(k for k in table.columns if k.value == "SLA")].width >= 30
        assert bars.region.y >= table.region.bottom and bars.region.height >= 7


async def test_action_titles_use_the_width_at_120_columns(make_tui, demo_id) -> None:
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=WIDE) as pilot:
        await _goto(pilot, 5)
        table = app.screen.query_one("#actions-table", DataTable)
        await pilot.pause()
        title = table.ordered_columns[0]
        # "Get marketing's sign-off on the SQL definition" is shown whole.
        assert title.get_render_width(table) - 2 >= 46
        assert _fits(table)


async def test_the_highlighted_actions_whole_title_is_shown_at_80_columns(
    make_tui, demo_id
) -> None:
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=NARROW) as pilot:
        await _goto(pilot, 5)
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        table = app.screen.query_one("#actions-table", DataTable)
        item = table.selected_item  # type: ignore[attr-defined]
        assert table.ordered_columns[0].get_render_width(table) - 2 < len(item.title)  # cut
        detail = app.screen.query_one("#action-detail", Static)
        assert detail.region.bottom <= 23  # above the footer, on screen
        assert item.title in str(detail.render())


async def test_long_text_column_takes_the_rest_and_follows_a_resize(make_tui, demo_id) -> None:
    app = make_tui(session_id=demo_id)
    async with app.run_test(size=WIDE) as pilot:
        await _goto(pilot, 1)
        table = app.screen.query_one("#participants-table", DataTable)
        wide_role = _column_widths(table)["Role"]
        assert _fits(table) and sum(_column_widths(table).values()) >= table.size.width - 2
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        await pilot.pause()
        assert _column_widths(table)["Role"] < wide_role
        assert _fits(table) and sum(_column_widths(table).values()) >= table.size.width - 2


async def test_session_list_columns_fit_at_80_and_titles_show_whole_at_120(
    make_tui, demo_id
) -> None:
    app = make_tui()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions-table", DataTable)
        assert _fits(table)
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        await pilot.pause()
        assert _fits(table)
        title = "FY2027 revenue alignment workshop"
        assert table.ordered_columns[0].get_render_width(table) - 2 >= len(title)
