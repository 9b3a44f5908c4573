"""The command palette offers the same actions as the keys, named 'area: verb'."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


def palette_entries(screen: DOMNode) -> Iterator[tuple[str, str, DOMNode, Binding]]:
    """(name, help, node, binding) for every action bound on the screen and its focused step."""
    from tui.screens.session import SessionScreen

    nodes: list[DOMNode] = [screen.app, screen]
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


class WorkshopCommands(Provider):
    """Actions of the current screen and step, searchable by 'area: verb'."""

    def _entries(self) -> list[tuple[str, str, DOMNode, Binding]]:
        return list(palette_entries(self.screen))

    async def discover(self) -> Hits:
        for name, help_text, node, binding in self._entries():
            yield DiscoveryHit(name, partial(node.run_action, binding.action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, node, binding in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(node.run_action, binding.action),
                    help=help_text,
                )
