"""Step 6: where the workshop stands, planned vs actual time, and the way out to export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.keys import bind
from tui.safe_text import safe_text
from tui.steps.base import StepPane, StepView
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop import steps
from workshop.countdown import format_difference, format_seconds
from workshop.timebox import planned_vs_actual
from workshop.wrap_up import wrap_up_summary

if TYPE_CHECKING:
    from workshop.storage.store import Store


@dataclass(frozen=True)
class WrapUpView(StepView):
    """What step 6 shows: the summary lines, each step's planned and actual time, the gates."""

    summary: list[str]
    timeboxes: list[tuple[int, int, int]]
    gates: list[m.Gate]


def read_wrap_up(store: Store, session_id: int, today: dt.date) -> WrapUpView:
    """Read what step 6 shows (a large session takes a moment)."""
    return WrapUpView(
        store.get_session(session_id),
        wrap_up_summary(store, session_id, today),
        planned_vs_actual(store, session_id),
        store.rows(m.Gate, session_id),
    )


class ReviewStep(StepPane[WrapUpView]):
    """Sums up the session and leads to the export preview (`x`)."""

    number = steps.REVIEW.number
    title = steps.REVIEW.name
    failure_at = "#wrap-up-summary"
    BINDINGS = [
        bind("e", "export", "Export", "Preview the action plan and export it (same as x)"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="wrap-up-summary", classes="step-intro")
            yield Static("[b]Planned vs actual time[/b]", classes="section-title")
            yield RecordTable(("Step", "Planned", "Actual", "Difference"), id="timebox-table")
            yield Static("", id="gates-summary")
            yield Static(
                "Press [b]x[/b] to preview the action plan and export it as Markdown, CSV, "
                "ICS or JSON. Exporting never ends or locks the session.",
                classes="step-intro",
            )

    def reader(self) -> Callable[[Store], WrapUpView]:
        """Reads the summary (overdue as of today), the timeboxes and the gates."""
        today = self.workshop.clock().date()
        return lambda store: read_wrap_up(store, self.session_id, today)

    def show(self, view: WrapUpView) -> None:
        """Show the summary, the planned and actual time of each step, and the gates."""
        summary = view.summary
        headline = Text(summary[0], style="bold") if summary else Text()
        self.query_one("#wrap-up-summary", Static).update(
            safe_text(Text("\n").join([headline, *map(Text, summary[1:])]))
        )
        titles = {step.number: step.name for step in steps.STEPS}
        rows = []
        for step, planned, actual in view.timeboxes:
            timed = actual > 0  # a step shown but never timed has no actual time to compare
            cells = (
                f"{step} {titles.get(step, '')}",
                f"{planned} min",
                format_seconds(actual) if timed else "not timed",
                format_difference(actual - planned * 60) if timed else "—",
            )
            rows.append((step, cells))
        self.query_one("#timebox-table", RecordTable).set_rows(rows)
        lines = [
            f"• step {g.step}: {g.reason} — {'continued anyway' if g.continued else 'stayed'}"
            for g in view.gates
        ]
        # Reasons quote names ("Open [/] x" is a fine term): the lines are text, never markup.
        text = Text.assemble(("Gates\n", "bold"), "\n".join(lines)) if lines else Text()
        self.query_one("#gates-summary", Static).update(safe_text(text))

    async def action_export(self) -> None:
        """Open the export preview (the session screen's `x`)."""
        await self.screen.run_action("export")
