"""Preferences that outlive a run: the projector theme chosen with F2 is the next run's theme."""

from __future__ import annotations

from tui.app import DEFAULT_THEME, PROJECTOR_THEME

SIZE = (120, 36)


async def test_the_projector_theme_is_kept_for_the_next_run(make_tui) -> None:
    first = make_tui()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert first.theme == DEFAULT_THEME
        await pilot.press("f2")
        await pilot.pause()
        assert first.theme == PROJECTOR_THEME.name

    second = make_tui()
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert second.theme == PROJECTOR_THEME.name
        await pilot.press("f2")  # switched off again: the run after starts in the default
        await pilot.pause()

    third = make_tui()
    async with third.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert third.theme == DEFAULT_THEME
