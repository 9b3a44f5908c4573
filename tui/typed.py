"""Typed access to the running app from any screen or widget of the workshop."""

from __future__ import annotations

from typing import Any, cast

from tui.context import WorkshopContext


class WorkshopNode:
    """Mixin for the app's screens and widgets: `self.workshop` is the app, typed as the
    context they use (tui/context.py), so they run in any app that provides it."""

    app: Any

    @property
    def workshop(self) -> WorkshopContext:
        """The running app (typed), with its store, clock and settings."""
        return cast(WorkshopContext, self.app)
