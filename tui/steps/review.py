"""Step 6: where the workshop stands, planned vs actual time, and the way out to export."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app import in_background
from tui.safe_text import safe_text
from tui.steps.base import RecordTable, StepPane, bind
from workshop import models as m
from workshop import steps
from workshop.timebox import format_difference, format_seconds, planned_vs_actual
from workshop.wrap_up import wrap_up_summary


class ReviewStep(StepPane):
    """Sums up the session and leads to the export preview (`x`)."""

    number = steps.REVIEW.number
    title = steps.REVIEW.name
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

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Re-read the summary, the timeboxes and the gates off the UI thread."""
        self.load()

    @in_background("wrap-up")
    def load(self) -> None:
        """Read what the step shows in a worker (a large session takes a moment)."""
        store = self.workshop.store
        summary = wrap_up_summary(store, self.session_id, self.workshop.clock().date())
        timeboxes = planned_vs_actual(store, self.session_id)
        gates = store.rows(m.Gate, self.session_id)
        self.app.call_from_thread(self._show, summary, timeboxes, gates)

    def show_failure(self, message: str) -> None:
        """Say why the summary could not be read, where it would be."""
        self.query_one("#wrap-up-summary", Static).update(safe_text(message))

    def _show(
        self, summary: list[str], timeboxes: list[tuple[int, int, int]], gates: list[m.Gate]
    ) -> None:
        from tui.steps import STEP_CLASSES

        headline = Text(summary[0], style="bold") if summary else Text()
        self.query_one("#wrap-up-summary", Static).update(
            safe_text(Text("\n").join([headline, *map(Text, summary[1:])]))
        )
        titles = {step.number: step.title for step in STEP_CLASSES}
        rows = []
        for step, planned, actual in timeboxes:
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
            for g in gates
        ]
        # Reasons quote names ("Open [/] x" is a fine term): the lines are text, never markup.
        text = Text.assemble(("Gates\n", "bold"), "\n".join(lines)) if lines else Text()
        self.query_one("#gates-summary", Static).update(safe_text(text))

    async def action_export(self) -> None:
        """Open the export preview (the session screen's `x`)."""
        await self.screen.run_action("export")
