"""When the store refuses what a key asked: one line to the facilitator, the view read again,
and the app still running."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from textual.widget import Widget

from workshop.errors import NotFound, StaleEdit, WorkshopError

T = TypeVar("T")
P = ParamSpec("P")
N = TypeVar("N", bound=Widget)


def refused(node: Widget, error: WorkshopError) -> None:
    """Say in one line why a store call was refused; when the row was deleted or changed
    elsewhere (another process on the same file), read what the view shows again.

    The view is read again by its `reload` method, when it has one.
    """
    node.notify(str(error), severity="error", timeout=8, markup=False)
    reload = getattr(node, "reload", None)
    if isinstance(error, NotFound | StaleEdit) and callable(reload):
        try:
            reload()
        except WorkshopError as unreadable:  # the whole session went: say that too
            node.notify(str(unreadable), severity="error", timeout=8, markup=False)


def guarded(handler: Callable[Concatenate[N, P], T]) -> Callable[Concatenate[N, P], T | None]:
    """Wrap a key or event handler that calls the store: a WorkshopError it raises is
    reported by `refused` (a message, then the view read again) instead of ending the app."""

    @functools.wraps(handler)
    def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return handler(node, *args, **kwargs)
        except WorkshopError as error:
            refused(node, error)
            return None

    return run
