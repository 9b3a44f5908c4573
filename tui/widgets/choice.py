"""A Select for forms: its options are shown as typed, and typing a letter picks an option.

Textual's Select searches by typing only while its list is open; a facilitator tabbing
through a form expects `m` on a closed Team field to pick marketing, as a native drop-down
does. Typing a word picks the first option that starts with it; the same letter again picks
the next option starting with that letter.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.widgets import Select

from tui.safe_text import safe_text

T = TypeVar("T")

SEARCH_RESET = 0.7
"""Seconds after the last letter when typing starts a new word (as in Textual's open list)."""


def plain_options(options: Iterable[tuple[RenderableType, T]]) -> list[tuple[RenderableType, T]]:
    """Options whose text labels are shown as typed: names such as "[/x]" are never markup."""
    return [
        (safe_text(label) if isinstance(label, str | Text) else label, value)
        for label, value in options
    ]


def _searchable(character: str | None) -> bool:
    return character is not None and character.isprintable() and not character.isspace()


class ChoiceSelect(Select[T]):
    """A Select that picks by typing while closed; its text labels are never read as markup."""

    def __init__(self, options: Iterable[tuple[RenderableType, T]], **kwargs: Any) -> None:
        super().__init__(plain_options(options), **kwargs)
        self._typed = ""
        self._typed_at = 0.0

    def on_blur(self) -> None:
        self._typed = ""  # the next field, or the next visit, starts a new word

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """A letter picks an option here; it never reaches a binding of the screen."""
        return _searchable(character)

    def on_key(self, event: events.Key) -> None:
        if self.expanded or not _searchable(event.character):
            return  # the open list searches by itself; space and enter open it
        event.stop()
        event.prevent_default()
        self.pick_typed(event.character or "")

    def pick_typed(self, character: str) -> None:
        """Add `character` to the word being typed and select the option it names, if any."""
        now = time.monotonic()
        typed = self._typed + character if now - self._typed_at < SEARCH_RESET else character
        self._typed_at = now
        repeated = len(set(typed.casefold())) == 1  # "m", "mm": the next option with an m
        index = None if repeated else self._match(typed)
        if index is None:
            if not repeated:
                typed = character  # no option starts with the word: start again from the letter
            index = self._next_starting(character)
        self._typed = typed
        if index is not None:
            self.value = self._options[index][1]

    def _labels(self) -> list[tuple[int, str]]:
        """(position, label) of every option but the blank one, from Select's own list."""
        labels = []
        for index, (label, value) in enumerate(self._options):
            if value != self.NULL:
                shown = label.plain if isinstance(label, Text) else str(label)
                labels.append((index, shown.casefold()))
        return labels

    def _match(self, typed: str) -> int | None:
        """The first option starting with `typed`."""
        word = typed.casefold()
        return next((index for index, label in self._labels() if label.startswith(word)), None)

    def _next_starting(self, letter: str) -> int | None:
        """The option after the selected one that starts with `letter`, wrapping around."""
        letter = letter.casefold()
        starting = [index for index, label in self._labels() if label.startswith(letter)]
        current = next((i for i, (_, v) in enumerate(self._options) if v == self.value), -1)
        candidates = [index for index in starting if index > current] or starting
        return candidates[0] if candidates else None
