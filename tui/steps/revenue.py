"""Step 4: one shared revenue goal, worked backwards through the stages of the revenue cycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from tui.keys import bind
from tui.refusals import guarded
from tui.steps.base import Saved, SaveFailed, StepPane, StepView
from tui.steps.revenue_widgets import (
    COLUMNS,
    NO_STAGES,
    ROUNDING_SHORT,
    SLA,
    CycleBars,
    GoalEditor,
    GoalInput,
    amount,
    goal_text,
    percent,
    stage_cells,
    stage_detail,
    stage_fields,
)
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormModal
from tui.widgets.tables import RecordTable
from workshop import cycle, steps
from workshop import models as m
from workshop.errors import ValidationFailed, WorkshopError
from workshop.revenue import ROUNDING_RULE

if TYPE_CHECKING:
    from workshop.storage.store import Store

BARS_BESIDE_WIDTH = 180
"""Narrower than this, the bars go under the stages so that the table keeps every column."""
FULL_RULE_HEIGHT = 26
"""Lower than this (with the bars under the stages), the rounding rule is shown in short."""


@dataclass(frozen=True)
class RevenueView(StepView):
    """The goal and the stages with the plan they work out to, and the terms stages name."""

    revenue_cycle: cycle.RevenueCycle
    terms: list[m.Term]


def read_revenue(store: Store, session_id: int) -> RevenueView:
    """Read what step 4 shows."""
    return RevenueView(
        store.get_session(session_id),
        cycle.load_cycle(store, session_id),
        store.rows(m.Term, session_id),
    )


class RevenueStep(StepPane[RevenueView]):
    """One shared revenue goal, worked backwards through the stages of the revenue cycle."""

    number = steps.REVENUE_CYCLE.number
    title = steps.REVENUE_CYCLE.name
    failure_at = "#cycle-summary"
    BINDINGS = [
        bind("b", "defaults('bowtie')", "Bowtie", "Start from the bowtie stages"),
        bind("w", "defaults('waterfall')", "Waterfall", "Start from the waterfall stages"),
        bind("a", "add", "Add", "Add a stage below the selected one"),
        bind("enter", "edit", "Edit", "Edit the selected stage"),
        bind("delete", "delete", "Delete", "Delete the selected stage (asks first)"),
        bind(
            "shift+up,left_square_bracket",
            "move(-1)",
            "Up",
            "Move the stage up",
            key_display="shift+↑/[",
        ),
        bind(
            "shift+down,right_square_bracket",
            "move(1)",
            "Down",
            "Move the stage down",
            key_display="shift+↓/]",
        ),
        bind("g", "goal", "Goal", "Edit the revenue goal (enter saves, escape returns)"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.cycle = cycle.RevenueCycle(None, (), None, None)
        self.pending: dict[str, str] = {}
        self._follow: int | None = None
        """The stage to put the cursor on once the stages read after a save are shown."""

    def compose(self) -> ComposeResult:
        # The table comes first in the DOM so it takes focus when the step opens (letter keys
        # then work at once); the goal editor is docked above it.
        with Horizontal(id="cycle-body"):
            with Vertical(id="stages-column"):
                yield RecordTable(COLUMNS, id="stages-table", fill=SLA)
                yield Static(id="stage-detail")
            yield CycleBars(id="cycle-bars")
        with Vertical(id="cycle-top"):
            yield GoalEditor(id="goal-editor")
            yield Static(id="cycle-summary")
        yield Static(id="rounding-rule")

    @property
    def table(self) -> RecordTable:
        """The stages table."""
        return self.query_one(RecordTable)

    @property
    def goal_editor(self) -> GoalEditor:
        """The inline editor of the revenue goal."""
        return self.query_one(GoalEditor)

    def on_mount(self) -> None:
        self._fit_to_size()

    def on_resize(self) -> None:
        self._fit_to_size()

    def _fit_to_size(self) -> None:
        """Bars beside the stages on a wide screen, under them on a narrow one (`-narrow`);
        the short rounding rule when the screen is also low."""
        narrow = self.size.width < BARS_BESIDE_WIDTH
        self.set_class(narrow, "-narrow")
        rule = ROUNDING_SHORT if narrow and self.size.height < FULL_RULE_HEIGHT else ROUNDING_RULE
        self.query_one("#rounding-rule", Static).update(Text.assemble(("Rounding: ", "bold"), rule))

    def reader(self) -> Callable[[Store], RevenueView]:
        """Reads the goal, the stages and the terms."""
        return lambda store: read_revenue(store, self.session_id)

    def show(self, view: RevenueView) -> None:
        """Show the goal and the stages as read, and the plan they work out to."""
        had_stages = bool(self.cycle.stages)
        self.cycle = view.revenue_cycle
        self.pending = {}
        self.goal_editor.show_goal(self.cycle.goal, view.session.currency)
        self._show_plan()
        if self._follow is not None:
            self.table.select_id(self._follow)
            self._follow = None
        if had_stages != bool(self.cycle.stages):
            self.refresh_bindings()  # b/w only while empty; edit, delete, move only when not

    def _reload_at(self, stage_id: int) -> None:
        """Read the stages again (a save changes every volume), the cursor on `stage_id`."""
        self._follow = stage_id
        self.reload()

    def _terms(self) -> list[m.Term]:
        """The terms a stage may name, as read with the stages."""
        if self.shown is None:
            return self.workshop.store.rows(m.Term, self.session_id)
        return self.shown.terms

    def _show_plan(self) -> None:
        """Show the stages, their volumes, the picture and the summary of the current cycle."""
        state = self.cycle
        terms = {t.id or 0: t.name for t in self._terms()}
        won = state.won_index
        self.table.set_rows(
            (stage.id or 0, stage_cells(i, stage, state.plan, i == won, terms))
            for i, stage in enumerate(state.stages)
        )
        bars = self.query_one(CycleBars)
        bars.show(state.plan)
        bars.set_class(state.plan is None, "-empty")
        self.query_one("#cycle-summary", Static).update(self._summary())
        self._show_detail()

    def _show_detail(self) -> None:
        self.query_one("#stage-detail", Static).update(stage_detail(self._selected()))

    def on_data_table_row_highlighted(self, event: RecordTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _summary(self) -> Text:
        plan, goal = self.cycle.plan, self.cycle.goal
        if not self.cycle.stages:
            return Text(NO_STAGES)
        if plan is None or goal is None:
            return Text(f"✗ {self.cycle.problem}", style="bold")
        currency = self.session.currency
        line = Text()
        line.append(f"{plan.deals:,} deals", style="bold")
        line.append(f" ({plan.stages[plan.won_index].per_month:,}/month over {plan.months} months)")
        if plan.win_rate is not None and plan.coverage is not None:
            line.append(f" · win rate {percent(plan.win_rate)} · ")
            line.append(f"{plan.coverage}× coverage", style="bold")
            if plan.pipeline_value is not None:
                line.append(f" · pipeline value {currency} {amount(plan.pipeline_value)}")
        line.append(f" · {percent(plan.marketing_share)} marketing-sourced")
        return line

    # -- the goal ----------------------------------------------------------------------------

    def _save_goal_field(self, editor: GoalInput) -> None:
        """Save one goal field as typed, or refuse it inline and keep the last good value."""
        field, typed = editor.field, editor.value
        if typed == editor.saved_text and field not in self.pending:
            return
        label = cycle.GOAL_FIELDS[field]
        try:
            goal = cycle.set_goal_field(
                self.workshop.store,
                self.session_id,
                self.cycle.goal,
                field,
                typed,
                pending={**self.pending, field: typed},
            )
        except WorkshopError as error:
            kept = goal_text(self.cycle.goal, field) or "nothing yet"
            self.goal_editor.say(f"✗ {error} — kept {kept}", refused=field)
            if not isinstance(error, ValidationFailed):  # stale or unwritable: say so loudly
                self.post_message(SaveFailed(str(error)))
                self.notify(str(error), severity="error", timeout=8, markup=False)
            return
        if goal is None:
            self.pending[field] = typed
            self.goal_editor.say(
                f"{label} noted; the goal is saved once target and average deal size are given."
            )
            return
        self.pending = {}
        changed = goal is not self.cycle.goal
        self.cycle = replace(self.cycle, goal=goal)
        self.goal_editor.show_goal(goal, self.session.currency)
        self.reload()  # the plan: every volume works out again
        if changed:
            self.post_message(Saved(f"{label} {goal_text(goal, field)}"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, GoalInput):
            event.stop()
            self._save_goal_field(event.input)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if isinstance(event.input, GoalInput):
            event.stop()
            self._save_goal_field(event.input)

    def on_goal_input_reverted(self, event: GoalInput.Reverted) -> None:
        event.stop()
        self.pending.pop(event.field, None)
        self.goal_editor.say("")
        self.table.focus()

    def action_goal(self) -> None:
        """Put the cursor in the revenue target."""
        self.goal_editor.field("target").focus()

    # -- the stages --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "defaults":
            return not self.cycle.stages
        if action in ("edit", "delete", "move"):
            return bool(self.cycle.stages)
        return True

    def _selected(self) -> m.Stage | None:
        selected = self.table.selected_id
        return next((s for s in self.cycle.stages if s.id == selected), None)

    def _stored(self) -> m.Stage | None:
        """The selected stage as stored now (NotFound when it was deleted elsewhere)."""
        stage = self._selected()
        if stage is None or stage.id is None:
            return None
        return self.workshop.store.get(m.Stage, stage.id)

    def _form(
        self, title: str, stage: m.Stage | None, save: Callable[[dict[str, Any]], Any]
    ) -> FormModal:
        fields = stage_fields(self._terms())
        values: dict[str, Any] = stage.model_dump() if stage else {"is_won": False}
        if stage and stage.conversion is not None:
            values["conversion"] = f"{stage.conversion.normalize():f}"
        return FormModal(title, fields, values, save=save)

    def _after_save(self, stage: m.Stage | None, verb: str) -> None:
        if stage is None:
            return
        self._reload_at(stage.id or 0)
        self.post_message(Saved(f"{verb} stage {stage.name}"))

    @guarded
    def action_add(self) -> None:
        """Open the form for a new stage, placed below the selected one."""
        after = self._selected()
        store = self.workshop.store

        def save(typed: dict[str, Any]) -> m.Stage:
            return cycle.add_stage(store, self.session_id, typed, after=after)

        self.app.push_screen(
            self._form("Add stage", None, save), lambda s: self._after_save(s, "Added")
        )

    @guarded
    def action_edit(self) -> None:
        """Open the form for the selected stage (rename, owner, term, conversion, SLA…)."""
        stage = self._stored()
        if stage is None:
            return
        store = self.workshop.store

        def save(typed: dict[str, Any]) -> m.Stage:
            return cycle.save_stage(store, stage, typed)

        self.app.push_screen(
            self._form(f"Edit stage {stage.name}", stage, save),
            lambda s: self._after_save(s, "Saved"),
        )

    @guarded
    def action_delete(self) -> None:
        """Delete the selected stage after confirming."""
        stage = self._stored()
        if stage is None:
            return

        def confirmed(answer: bool | None) -> None:
            store = self.workshop.store

            def delete() -> m.Stage:
                cycle.delete_stage(store, stage)
                return stage

            if answer and self.persist(delete, f"Deleted stage {stage.name}"):
                self.reload()

        self.app.push_screen(
            ConfirmModal(
                f"Delete stage {stage.name}? Its volumes leave the plan; "
                "action items linked to it keep no stage."
            ),
            confirmed,
        )

    @guarded
    def action_move(self, offset: int) -> None:
        """Move the selected stage up (-1) or down (+1)."""
        stage = self._stored()
        if stage is None or stage.id is None:
            return
        store, stage_id = self.workshop.store, stage.id
        moved = self.persist(
            lambda: cycle.move_stage(store, self.session_id, stage_id, offset),
            f"Moved stage {stage.name} {'up' if offset < 0 else 'down'}",
        )
        if moved is not None:
            self._reload_at(stage_id)

    def action_defaults(self, shape: cycle.CycleShape) -> None:
        """Give a session without stages the bowtie or waterfall stages."""
        store = self.workshop.store
        created = self.persist(
            lambda: cycle.create_default_stages(store, self.session_id, shape),
            f"Started from the {shape} stages",
        )
        if created is not None:
            self.reload()
            self.notify(f"{shape.capitalize()} stages added: give each an owner team (enter).")

    def gate_reason(self) -> str | None:
        """'2 stages have no owner' when any stage lacks an owner team, else None."""
        return cycle.owner_gate_reason(self.workshop.store, self.session_id)
