"""Help and the command palette list every key the app binds."""

from __future__ import annotations

from textual.binding import Binding

from tui.screens.help import help_markdown
from tui.steps import step_classes
from workshop import models as m


def test_help_lists_every_step_binding_with_a_tooltip() -> None:
    text = help_markdown()
    for step in step_classes():
        for binding in step.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id and binding.tooltip, binding
            assert binding.tooltip in text, binding.tooltip
    for contract_key in (
        "`n`",
        "`delete`",
        "`?`",
        "`ctrl+q`",
        "`ctrl+z`",
        "`x`",
        "`t`",
        "`s`",
        "`m`",
    ):
        assert contract_key in text, contract_key


async def test_question_mark_opens_help_and_palette_offers_area_verb(
    make_tui, session: m.Session
) -> None:
    app = make_tui(session_id=session.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        from tui.commands import palette_entries

        names = [name for name, *_ in palette_entries(app.screen)]
        assert "session: undo the last change of this session" in names
        assert any(name.startswith("step: add") for name in names)
