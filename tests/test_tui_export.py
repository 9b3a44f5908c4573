"""Step 6 and the export screen: preview the plan, write it, never overwrite silently."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Input, MarkdownViewer, Select

from workshop.resources import sample_session
from workshop.storage.session_file import import_json
from workshop.storage.store import Store


def demo_session(db_path: Path) -> int:
    with Store(db_path) as store:
        return import_json(store, sample_session("demo").read_bytes()).id or 0


async def test_export_from_step_6_previews_and_writes(
    make_tui, db_path: Path, tmp_path: Path
) -> None:
    session_id = demo_session(db_path)
    app = make_tui(session_id=session_id)
    target = tmp_path / "plan.md"
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#wrap-up-summary").render())
        assert "Northwind Analytics" in summary and "3 Terms:" in summary
        await pilot.press("x")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        export = app.screen
        assert type(export).__name__ == "ExportScreen"
        viewer = export.query_one(MarkdownViewer)
        assert "Action plan" in viewer.document.source
        export.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.read_text(encoding="utf-8").startswith("# Action plan")

        # Same path again asks first; "n" keeps the file as it was.
        target.write_text("mine", encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == "mine"

        # Another format, then back to the session: nothing was ended or locked.
        export.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        assert export.query_one("#export-path", Input).value.endswith(".csv")
        csv_target = tmp_path / "items.csv"
        export.query_one("#export-path", Input).value = str(csv_target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert csv_target.read_text(encoding="utf-8").startswith("Summary,")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "SessionScreen"


async def test_unwritable_path_is_reported_inline(make_tui, db_path: Path, tmp_path: Path) -> None:
    session_id = demo_session(db_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        export = app.screen
        export.query_one("#export-path", Input).value = str(locked / "missing-folder" / "plan.md")
        await pilot.press("ctrl+s")
        await pilot.pause()
        message = str(export.query_one("#export-error").render())
        assert message and "Traceback" not in message
        assert not os.path.exists(locked / "missing-folder")


async def test_e_on_step_6_opens_the_export_preview(make_tui, db_path: Path) -> None:
    session_id = demo_session(db_path)
    app = make_tui(session_id=session_id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportScreen"
