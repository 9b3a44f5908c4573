"""The command palette offers the same actions as the keys, named 'area: verb'."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape
from textual.screen import Screen
from textual.widget import Widget


def palette_entries(screen: Screen[Any]) -> Iterator[tuple[str, str, App[Any] | Widget, Binding]]:
    """(name, help, node, binding) for every action bound on the screen and its focused step."""
    from tui.screens.session import SessionScreen

    nodes: list[App[Any] | Widget] = [screen.app, screen]
    if isinstance(screen, SessionScreen) and screen.is_mounted:
        nodes.append(screen.pane(screen.step))
    seen: set[str] = set()
    for node in nodes:
        for binding in node.BINDINGS:
            if not isinstance(binding, Binding) or not binding.id:
                continue
            area = binding.id.split(".")[0]
            name = f"{area}: {(binding.tooltip or binding.description).lower()}"
            if name in seen:
                continue
            seen.add(name)
            key = binding.key_display or binding.key.split(",")[0]
            yield name, f"key: {key}", node, binding


def highlight(matcher: Matcher, name: str) -> Content:
    """`name` shown as written, the letters the query matched highlighted.

    Textual's `Matcher.highlight` reads the name as markup, so a "[" in it could hide text.
    """
    content = Content(name)
    score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets if score else ():
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class WorkshopCommands(Provider):
    """Actions of the current screen and step, searchable by 'area: verb'."""

    def _entries(self) -> list[tuple[str, str, App[Any] | Widget, Binding]]:
        return list(palette_entries(self.screen))

    async def discover(self) -> Hits:
        for name, help_text, node, binding in self._entries():
            yield DiscoveryHit(
                Content(name),
                partial(node.run_action, binding.action),
                text=name,
                help=escape(help_text),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, node, binding in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, name),
                    partial(node.run_action, binding.action),
                    text=name,
                    help=escape(help_text),
                )
