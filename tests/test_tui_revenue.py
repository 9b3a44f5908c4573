"""Pilot tests of step 4 (revenue cycle): keys in, the screen and the database checked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.pilot import Pilot

from tui.steps.revenue import RevenueStep
from tui.steps.revenue_widgets import CycleBars
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop.resources import sample_session
from workshop.revenue import StageInput, plan_revenue_cycle
from workshop.storage.session_file import import_document, parse_document
from workshop.storage.store import Store


def _text(widget: object) -> str:
    return str(widget.render())  # type: ignore[attr-defined]


def _table_volumes(pane: RevenueStep) -> dict[str, tuple[str, ...]]:
    """Every stage row as shown: name → (volume, per month, marketing, sales)."""
    table = pane.table
    shown = {}
    for row in table.ordered_rows:
        cells = [str(cell) for cell in table.get_row(row.key)]
        shown[cells[1].removesuffix(" ★")] = tuple(cells[3:7])
    return shown


def _expected_volumes(db_path: Path, session_id: int) -> dict[str, tuple[str, ...]]:
    """The same figures worked out by `plan_revenue_cycle` from what the database holds."""
    with Store(db_path) as check:
        goal = check.rows(m.RevenueGoal, session_id)[0]
        stages = check.rows(m.Stage, session_id)
    won = next(i for i, s in enumerate(stages) if s.is_won)
    plan = plan_revenue_cycle(
        goal.target,
        goal.average_deal_size,
        [StageInput(s.name, s.conversion) for s in stages],
        months=goal.months,
        marketing_share=goal.marketing_share,
        won_index=won,
    )
    return {
        v.name: tuple(
            f"{n:,}" for n in (v.volume, v.per_month, v.marketing_sourced, v.sales_sourced)
        )
        for v in plan.stages
    }


async def _edit_conversion(pilot: Pilot[None], row: int, typed: str) -> None:
    """Open the edit form of table row `row` and type `typed` as its conversion, then save."""
    pane = pilot.app.screen.query_one(RevenueStep)
    pane.table.move_cursor(row=row)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("tab", "tab", "tab", *typed, "ctrl+s")
    await pilot.pause()


async def test_goal_and_waterfall_work_back_and_a_changed_win_rate_updates_every_stage(
    make_tui, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one(RevenueStep)
        assert "b  bowtie" in _text(pane.query_one("#cycle-summary"))
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("g", *"1200000", "tab", *"25000", "enter")
        await pilot.pause()
        with Store(db_path) as check:
            goal = check.rows(m.RevenueGoal, sid)[0]
            assert (goal.target, goal.average_deal_size) == (Decimal(1_200_000), Decimal(25_000))
            opportunity = next(s for s in check.rows(m.Stage, sid) if s.name == "Opportunity")
            assert opportunity.conversion == Decimal(25)
        summary = _text(pane.query_one("#cycle-summary"))
        assert "48 deals" in summary and "4.00× coverage" in summary
        assert "USD 4,800,000" in summary
        shown = _table_volumes(pane)
        assert shown["Opportunity"][0] == "192" and shown["Won"][0] == "48"
        assert shown == _expected_volumes(db_path, sid)
        assert "192" in _text(pane.query_one(CycleBars))
        assert pane.goal_editor.field("target").value == "1,200,000"

        await pilot.press("escape")  # leave the goal editor for the table
        await _edit_conversion(pilot, 4, "20")
        with Store(db_path) as check:
            stages = {s.name: s for s in check.rows(m.Stage, sid)}
        assert stages["Opportunity"].conversion == Decimal(20)
        shown_after = _table_volumes(pane)
        assert shown_after == _expected_volumes(db_path, sid)
        assert shown_after["Opportunity"][0] == "240"
        changed = [name for name in shown if shown[name] != shown_after[name]]
        assert changed == ["Lead", "MQL", "SAL", "SQL", "Opportunity"]
        assert "5.00× coverage" in _text(pane.query_one("#cycle-summary"))
        assert "240" in _text(pane.query_one(CycleBars))


async def test_invalid_conversion_is_refused_inline_and_the_old_value_kept(
    make_tui, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "w")
        await pilot.pause()
        await _edit_conversion(pilot, 4, "0")
        for typed in ("0", "150", "abc"):
            if typed != "0":  # clear the field and type the next attempt in the same form
                await pilot.press("end", "ctrl+u", *typed, "ctrl+s")
                await pilot.pause()
            error = _text(app.screen.query_one("#form-error"))
            assert "conversion" in error, typed
            assert app.screen.query_one("#field-conversion").value == typed
            with Store(db_path) as check:
                stage = next(s for s in check.rows(m.Stage, sid) if s.name == "Opportunity")
            assert stage.conversion == Decimal(25)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen.focused, RecordTable)


async def test_invalid_target_is_refused_inline_and_the_last_good_one_kept(
    make_tui, session: m.Session, db_path: Path, store: Store
) -> None:
    sid = session.id or 0
    store.add(m.RevenueGoal(target=Decimal(1_200_000), average_deal_size=Decimal(25_000)), sid)
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "w")
        await pilot.pause()
        pane = app.screen.query_one(RevenueStep)
        await pilot.press("g", "minus", "5", "enter")
        await pilot.pause()
        message = _text(pane.query_one("#goal-message"))
        assert "Target must be greater than 0" in message and "kept 1,200,000" in message
        assert pane.goal_editor.field("target").has_class("-invalid")
        assert pane.goal_editor.field("target").value == "-5"  # what was typed stays to fix
        assert "48 deals" in _text(pane.query_one("#cycle-summary"))
        with Store(db_path) as check:
            assert check.rows(m.RevenueGoal, sid)[0].target == Decimal(1_200_000)
        await pilot.press("escape")
        await pilot.pause()
        assert pane.goal_editor.field("target").value == "1,200,000"
        assert pane.table.has_focus


async def test_add_reorder_delete_then_leaving_with_unowned_stages_asks(
    make_tui, session: m.Session, db_path: Path
) -> None:
    sid = session.id or 0
    app = make_tui(session_id=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "w")
        await pilot.pause()
        screen = app.screen
        pane = screen.query_one(RevenueStep)
        pane.table.move_cursor(row=3)  # SQL
        await pilot.press("shift+up")
        await pilot.pause()
        with Store(db_path) as check:
            positions = {s.name: s.position for s in check.rows(m.Stage, sid)}
        assert (positions["SAL"], positions["SQL"]) == (4, 3)
        assert pane.table.cursor_row == 2  # the cursor moved with the stage
        await pilot.press("right_square_bracket")
        await pilot.pause()
        with Store(db_path) as check:
            positions = {s.name: s.position for s in check.rows(m.Stage, sid)}
        assert (positions["SAL"], positions["SQL"]) == (3, 4)

        await pilot.press("a")  # a new stage goes below the selected one (SQL)
        await pilot.pause()
        await pilot.press(*"Demo", "tab", "tab", "tab", *"50", "ctrl+s")
        await pilot.pause()
        with Store(db_path) as check:
            names = [s.name for s in check.rows(m.Stage, sid)]
        assert names == ["Lead", "MQL", "SAL", "SQL", "Demo", "Opportunity", "Won"]
        assert str(pane.table.get_row_at(pane.table.cursor_row)[1]) == "Demo"
        await pilot.press("delete", "y")
        await pilot.pause()
        with Store(db_path) as check:
            assert "Demo" not in [s.name for s in check.rows(m.Stage, sid)]

        await pilot.press("5")
        await pilot.pause()
        assert "6 stages have no owner" in _text(app.screen.query_one(".dialog-question"))
        await pilot.press("y")
        await pilot.pause()
        assert screen.step == 5
        with Store(db_path) as check:
            gates = check.rows(m.Gate, sid)
        assert [(g.step, g.reason, g.continued) for g in gates] == [
            (4, "6 stages have no owner: Lead, MQL, Opportunity, SAL, SQL, Won", True)
        ]


async def test_key_numbers_fit_at_80x24(make_tui, db_path: Path) -> None:
    with Store(db_path) as seed:
        document = parse_document(sample_session("demo").read_bytes())
        sid = import_document(seed, document).id or 0
    app = make_tui(session_id=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one(RevenueStep)
        screen = app.screen.region
        footer_top = screen.bottom - 1
        summary = pane.query_one("#cycle-summary")
        assert "deals" in _text(summary) and "coverage" in _text(summary)
        bars = pane.query_one(CycleBars)
        rule = pane.query_one("#rounding-rule")
        for widget in (pane.goal_editor, summary, bars, pane.table, rule):
            assert widget.region.height > 0 and widget.region.bottom <= footer_top, widget
        assert bars.region.height >= 7  # six stages and the legend
        assert rule.region.height >= len(str(rule.render()).splitlines())
        # The table shows every stage and its volume column without scrolling sideways.
        assert pane.table.region.height >= pane.table.row_count + 1
        offset = 0
        for column in pane.table.ordered_columns:
            offset += column.get_render_width(pane.table)
            if column.label.plain == "/month":
                break
        assert offset <= pane.table.region.width
