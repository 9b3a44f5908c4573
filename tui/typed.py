"""Typed access to the running app from any screen or widget of the workshop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.app import WorkshopApp


class WorkshopNode:
    """Mixin for the app's screens and widgets: `self.workshop` is the app, typed."""

    app: Any

    @property
    def workshop(self) -> WorkshopApp:
        """The running app (typed), with its store, clock and settings."""
        from tui.app import WorkshopApp

        assert isinstance(self.app, WorkshopApp)
        return self.app
