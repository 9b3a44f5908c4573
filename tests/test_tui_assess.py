"""Pilot tests of step 2 (the blind assessment round): keys in, screen and database checked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.widgets import Digits

from tui.screens.session import SessionScreen
from tui.steps.assess import AssessStep
from tui.steps.assess_widgets import HIDDEN
from tui.widgets.tables import RecordTable
from workshop import blind_round as br
from workshop import models as m
from workshop.assessment import StatementScores, score_assessment
from workshop.storage.store import Store

# Distinctive: sales never gives a 2, 3 or 4, so any of its scores on screen would show.
SALES = [5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1]
MARKETING = [2, 3, 2, 4, 2, 3, 4, 3, 4, 2, 4, 3, 4, 2]


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Everything on the terminal, line by line (modal screens include what is beneath)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def pane(app) -> AssessStep:  # type: ignore[no-untyped-def]
    """The Assess pane, even while the score-entry dialog covers it."""
    screen = next(s for s in app.screen_stack if isinstance(s, SessionScreen))
    return screen.query_one(AssessStep)


def column(app, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The plain text of one column of the statements table, top to bottom."""
    table = pane(app).query_one("#assess-table", RecordTable)
    return [str(table.get_cell(key, name)) for key in table.rows]


def table_order(app) -> list[int]:  # type: ignore[no-untyped-def]
    table = pane(app).query_one("#assess-table", RecordTable)
    return [int(str(key.value)) for key in table.rows]


def stored_scores(db_path: Path, session_id: int) -> dict[str, dict[int, int]]:
    """The consensus scores in the database, by team then statement id."""
    with Store(db_path) as check:
        answers = check.rows(m.Answer, session_id)
    scores: dict[str, dict[int, int]] = {"sales": {}, "marketing": {}}
    for answer in answers:
        assert answer.participant_id is None
        scores[answer.team.value][answer.statement_id] = answer.score
    return scores


async def test_blind_round_hides_the_first_team_then_reveals_the_scores(
    make_tui, session: m.Session, db_path: Path
) -> None:
    session_id = session.id or 0
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        with Store(db_path) as check:
            statements = check.rows(m.Statement, session_id)
        assert len(statements) == 14
        ids = [s.id or 0 for s in statements]
        assert "Entering: SALES (marketing's scores are hidden)" in screen_text(app)

        # Sales: enter on the first statement, then one digit per statement.
        await pilot.press("enter", *[str(n) for n in SALES])
        await pilot.pause()
        assert not app.screen.is_modal  # closed itself after the last statement
        assert stored_scores(db_path, session_id)["sales"] == dict(zip(ids, SALES, strict=True))
        assert column(app, "Sales") == [str(n) for n in SALES]
        assert set(column(app, "Marketing")) == {HIDDEN}

        # Marketing: sales' column is hidden the whole time marketing enters.
        await pilot.press("m", "enter", *[str(n) for n in MARKETING[:7]])
        await pilot.pause()
        assert app.screen.is_modal
        text = screen_text(app)
        assert "Entering: MARKETING (sales' scores are hidden)" in text
        assert set(column(app, "Sales")) == {HIDDEN}
        assert column(app, "Marketing")[:7] == [str(n) for n in MARKETING[:7]]
        table_lines = [line.split() for line in text.splitlines() if line.split()[:1] != []]
        table_lines = [
            tokens
            for tokens in table_lines
            if tokens[0].isdigit() and ("positive" in tokens or "flag" in tokens)
        ]
        assert len(table_lines) >= 5
        for tokens in table_lines:  # no sales score (only ever 5 or 1) anywhere on a row
            assert "5" not in tokens[1:] and "1" not in tokens[1:]
            assert tokens.count(HIDDEN) == 2
        await pilot.press(*[str(n) for n in MARKETING[7:]])
        await pilot.pause()
        assert not app.screen.is_modal
        assert set(column(app, "Sales")) == {HIDDEN}
        assert set(column(app, "Gap")) == {HIDDEN}
        scores = stored_scores(db_path, session_id)
        assert scores["marketing"] == dict(zip(ids, MARKETING, strict=True))

        # Reveal: the indices and the ranked gaps match workshop.assessment on the stored data.
        await pilot.press("r")
        await pilot.pause()
        expected = score_assessment(
            StatementScores(
                s.id or 0,
                s.polarity,
                Decimal(scores["sales"][s.id or 0]),
                Decimal(scores["marketing"][s.id or 0]),
            )
            for s in statements
        )
        screen = app.screen
        assert screen.query_one("#sales-index", Digits).value == str(expected.sales_index)
        assert screen.query_one("#marketing-index", Digits).value == str(expected.marketing_index)
        assert screen.query_one("#assess-results").display
        assert table_order(app) == [gap.statement_id for gap in expected.gaps]
        gaps = column(app, "Gap")
        for gap, cell in zip(expected.gaps, gaps, strict=True):
            assert gap.marker in cell
            assert f"{gap.gap.normalize():f}" in cell  # type: ignore[union-attr]
        assert column(app, "Sales") == [
            str(scores["sales"][gap.statement_id]) for gap in expected.gaps
        ]
        assert "Revealed" in screen_text(app)

        # r again hides both (blind entry for marketing continues).
        await pilot.press("r")
        await pilot.pause()
        assert set(column(app, "Sales")) == {HIDDEN}
        assert not screen.query_one("#assess-results").display


async def test_gap_becomes_a_linked_action_item(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    session_id = session.id or 0
    statements = br.seed_statements(store, session_id)
    for statement, sales, marketing in zip(statements, SALES, MARKETING, strict=True):
        br.record_score(store, statement, "sales", sales)
        br.record_score(store, statement, "marketing", marketing)
    largest = br.score_round(br.read_round(store, session_id)).gaps[0]
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "g")  # blind: there is no gap to act on yet
        await pilot.pause()
        with Store(db_path) as check:
            assert check.rows(m.ActionItem, session_id) == []
        await pilot.press("r")
        await pilot.pause()
        assert table_order(app)[0] == largest.statement_id
        await pilot.press("g")
        await pilot.pause()
        with Store(db_path) as check:
            items = check.rows(m.ActionItem, session_id)
            statement = check.get(m.Statement, largest.statement_id)
        assert len(items) == 1
        assert items[0].statement_id == largest.statement_id
        assert items[0].title == f"Close the gap on: {statement.theme}"
        assert "saved" in str(app.screen.query_one("#save-status").render())
        await pilot.press("g")  # a second press does not duplicate it
        await pilot.pause()
        with Store(db_path) as check:
            assert len(check.rows(m.ActionItem, session_id)) == 1


async def test_reopening_shows_saved_scores_hidden_again_and_keys_adjust(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    session_id = session.id or 0
    statements = br.seed_statements(store, session_id)
    for statement, sales, marketing in zip(statements, SALES, MARKETING, strict=True):
        br.record_score(store, statement, "sales", sales)
        br.record_score(store, statement, "marketing", marketing)
    first = statements[0].id or 0
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        text = screen_text(app)
        assert "Entering: SALES (marketing's scores are hidden)" in text
        assert column(app, "Sales") == [str(n) for n in SALES]
        assert set(column(app, "Marketing")) == {HIDDEN}

        # + and - change the active team's score of the selected statement, saved at once.
        await pilot.press("m")  # marketing has scored everything: the cursor stays on top
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert stored_scores(db_path, session_id)["marketing"][first] == 4
        assert column(app, "Marketing")[0] == "4"
        await pilot.press("minus")
        await pilot.pause()
        assert stored_scores(db_path, session_id)["marketing"][first] == 3
        await pilot.press("backspace")
        await pilot.pause()
        assert first not in stored_scores(db_path, session_id)["marketing"]
        assert column(app, "Marketing")[0] == "–"
        await pilot.press("ctrl+z")  # undo brings the cleared score back on screen
        await pilot.pause()
        assert stored_scores(db_path, session_id)["marketing"][first] == 3
        assert column(app, "Marketing")[0] == "3"

        # At 80x24 the reveal fits: both indices, the legend and the table header.
        await pilot.press("r")
        await pilot.pause()
        text = screen_text(app)
        # The statement text stays; theme and type give way (the readout names both).
        for visible in ("SALES", "MARKETING", "Gap: · none", "Statement", "Revealed"):
            assert visible in text
        assert pane(app).view.revealed

        # Switching to the projector theme redraws the heat map without squeezing the columns.
        await pilot.press("f2")
        await pilot.pause()
        openings = {s.text[:12] for s in statements}
        rows_on_screen = [
            line for line in screen_text(app).splitlines() if "▲" in line and "Gap:" not in line
        ]
        assert len(rows_on_screen) >= 5
        assert all(any(opening in line for opening in openings) for line in rows_on_screen)


async def test_score_entry_goes_back_skips_and_clears(
    make_tui, store: Store, session: m.Session, db_path: Path
) -> None:
    session_id = session.id or 0
    statements = br.seed_statements(store, session_id)
    ids = [s.id or 0 for s in statements]
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2", "enter", "4", "down", "2", "up", "up", "5", "backspace", "escape")
        await pilot.pause()
        assert not app.screen.is_modal
        assert stored_scores(db_path, session_id)["sales"] == {ids[0]: 4, ids[1]: 5}
        assert "Scored: sales 2/14" in screen_text(app)
