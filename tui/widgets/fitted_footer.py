"""A footer that shows the keys that fit: the less essential ones give way on narrow screens.

Textual's footer lays every key out in one row and cuts the row at the screen's edge, so on
80 columns the keys of the step in use could fall off the end. This one drops keys until
the rest fit: first the ones the screen names as least essential, then the app's and the
screen's own, last the keys of what has focus. `?` (help) and the command palette, which
list every key, always stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ID = "app.help"
"""The key that is never dropped: help lists every key of every screen."""
PALETTE_WIDTH = 14
"""Cells the command-palette key takes at the right end (its border and padding included)."""
COMPACT_BELOW = 100
"""Screens narrower than this get the compact footer: one cell less between keys."""


def key_width(key_display: str, description: str, *, compact: bool) -> int:
    """Cells one key takes in the footer, as Textual's footer draws it."""
    if compact:  # "k desc" and a margin of one cell
        return cell_len(key_display) + cell_len(description) + 2
    return cell_len(key_display) + cell_len(description) + 3  # " k desc "


def fitting(widths: Sequence[int], ranks: Sequence[int], room: int) -> list[bool]:
    """Which keys to keep so their widths fit `room`: the highest rank goes first, and the
    last key of a rank before an earlier one; rank 0 is never dropped."""
    keep = [True] * len(widths)
    total = sum(widths)
    order = sorted(range(len(widths)), key=lambda i: (-ranks[i], -i))
    for index in order:
        if total <= room or ranks[index] == 0:
            break
        keep[index] = False
        total -= widths[index]
    return keep


class FittedFooter(Footer):
    """The footer of a screen, fitted to its width.

    `drop_first` lists binding ids the screen finds least essential, dropped first in that
    order; after them go the app's keys, then the screen's, then the focused widget's.
    """

    def __init__(self, *, drop_first: Sequence[str] = ()) -> None:
        super().__init__()
        self.drop_first = tuple(drop_first)
        self._shown: tuple[str, ...] = ()

    def _rank(self, binding: Binding, owner: object) -> int:
        if binding.id == HELP_ID:
            return 0
        if binding.id in self.drop_first:
            return 10 + len(self.drop_first) - self.drop_first.index(binding.id)
        if owner is self.app:
            return 3
        return 2 if owner is self.screen else 1

    def _shown_actions(self) -> set[str]:
        """The actions whose keys fit the footer's width."""
        width = self.size.width or self.app.size.width
        compact = width < COMPACT_BELOW
        seen: dict[str, tuple[int, int]] = {}
        for node, binding, _enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            shown = key_width(
                self.app.get_key_display(binding), binding.description, compact=compact
            )
            seen[binding.action] = (shown, self._rank(binding, node))
        actions = list(seen)
        room = width - PALETTE_WIDTH - (1 if compact else 0)  # app.tcss pads a compact footer
        keep = fitting([w for w, _ in seen.values()], [r for _, r in seen.values()], room)
        return {action for action, kept in zip(actions, keep, strict=True) if kept}

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self.compact = (self.size.width or self.app.size.width) < COMPACT_BELOW
        shown = self._shown_actions()
        self._shown = tuple(sorted(shown))
        yield from self._kept(super().compose(), shown)

    @staticmethod
    def _kept(keys: Iterable[Widget], shown: set[str]) -> Iterator[Widget]:
        for key in keys:  # the command palette's key is always kept
            if (
                not isinstance(key, FooterKey)
                or key.action in shown
                or key.has_class("-command-palette")
            ):
                yield key

    def on_resize(self) -> None:
        if self._bindings_ready and tuple(sorted(self._shown_actions())) != self._shown:
            self.call_after_refresh(self.recompose)
