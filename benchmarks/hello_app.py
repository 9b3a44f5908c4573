"""The yardstick: a bare Textual hello-world app, started exactly like the workshop app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class HelloApp(App[None]):
    """One line of text on the default screen: the least a Textual app can show."""

    def compose(self) -> ComposeResult:
        yield Static("Hello, world!")


if __name__ == "__main__":
    HelloApp().run()
