"""The revenue-cycle step's pieces: the inline goal editor, the stage cells and form, the bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tui.keys import bind
from tui.safe_text import safe_text
from tui.widgets.forms import FormField, enum_label, enum_options
from tui.widgets.tables import Cell
from workshop import models as m
from workshop.revenue import RevenuePlan

PLACEHOLDERS = {
    "period": "FY",
    "months": "12",
    "target": "e.g. 1,200,000",
    "average_deal_size": "e.g. 25k",
    "marketing_share": "50",
}
"""What an empty goal field suggests; amounts accept 1,200,000, 1.2M or 25k."""

MARKETING_BLOCK, SALES_BLOCK, WON_MARK = "█", "▒", "★"
"""Bar shapes and the won marker: distinct as shapes, so they read on a monochrome projector."""
PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"
"""Left-aligned blocks of one to seven eighths of a cell, for the end of a bar."""


def amount(value: Decimal) -> str:
    """An amount with thousands separators and no needless decimals: 1,200,000 or 12,500.50."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{value:,}"


def percent(value: Decimal | None) -> str:
    """A percentage as entered (25 → '25%'), or '—' for none."""
    return "—" if value is None else f"{value.normalize():f}%"


def goal_text(goal: m.RevenueGoal | None, field: str) -> str:
    """How a stored goal field reads in its input ('' when there is no goal yet)."""
    if goal is None:
        return ""
    value = getattr(goal, field)
    if field in ("target", "average_deal_size"):
        return amount(value)
    if field == "marketing_share":
        return f"{value.normalize():f}"
    return str(value)


# The numbers come first so they stay in view; the SLA, last, takes the width that is left.
COLUMNS = ("#", "Stage", "Conv %", "Volume", "/month", "Mkt", "Sales", "Owner", "Term", "SLA")
SLA = COLUMNS[-1]
NO_STAGES = (
    "No stages yet. Which revenue cycle do you start from?\n"
    "  b  bowtie: Awareness → Education → Selection → Commit (won) → Onboard → Impact → Growth\n"
    "  w  waterfall: Lead → MQL → SAL → SQL → Opportunity → Won\n"
    "Either can be edited afterwards: a add, enter edit, shift+↑/↓ or [ ] reorder, del delete."
)
ROUNDING_SHORT = "every stage ⌈up⌉ to the won one, ⌊down⌋ after it; per month ⌈up⌉."
"""The rounding rule in one line, for a screen too low for the whole rule."""


def stage_cells(
    position: int,
    stage: m.Stage,
    plan: RevenuePlan | None,
    won: bool,
    terms: dict[int, str],
) -> tuple[Cell, ...]:
    """The table cells of one stage: its settings and, when the plan works out, its volumes."""
    name = safe_text(Text(f"{stage.name} {WON_MARK}", style="bold") if won else stage.name)
    owner: Cell = enum_label(stage.owner_team) if stage.owner_team else Text("⚠ none", style="bold")
    numbers: tuple[Cell, ...] = ("–",) * 4
    if plan is not None:
        volume = plan.stages[position]
        counts = (volume.volume, volume.per_month, volume.marketing_sourced, volume.sales_sourced)
        numbers = tuple(Text(f"{count:,}", justify="right") for count in counts)
    return (
        str(position + 1),
        name,
        Text(percent(stage.conversion), justify="right"),
        *numbers,
        owner,
        terms.get(stage.term_id, "") if stage.term_id is not None else "",
        stage.sla,
    )


def stage_detail(stage: m.Stage | None) -> Text:
    """The line under the stages: the selected stage's hand-off SLA in full."""
    if stage is None or not stage.sla:
        return Text()
    return safe_text(Text.assemble(("SLA: ", "bold"), stage.sla))


def stage_fields(terms: Sequence[m.Term]) -> list[FormField]:
    """The fields of the stage form; the linked term is picked from the session's terms."""
    return [
        FormField("name", "Name", placeholder="e.g. SQL"),
        FormField("owner_team", "Owner team", "select", enum_options(m.Team)),
        FormField("term_id", "Linked term", "select", [(t.name, t.id) for t in terms]),
        FormField(
            "conversion",
            "Conversion % to the next stage",
            placeholder="e.g. 25 (empty after the won stage)",
        ),
        FormField("exit_criteria", "Exit criteria", "textarea"),
        FormField("sla", "Hand-off SLA", placeholder="e.g. sales calls every MQL within 24 h"),
        FormField(
            "is_won",
            "Won stage",
            "select",
            [("No", False), (f"Yes {WON_MARK} a deal counts as won here", True)],
            allow_blank=False,
        ),
    ]


class GoalInput(Input):
    """One goal field edited in place: enter or leaving saves it, escape restores the saved one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind(
            "escape",
            "revert",
            "Revert",
            "Put back the saved value and return to the stages",
            area="revenue.goal",
        ),
    ]

    @dataclass
    class Reverted(Message):
        """The facilitator abandoned an edit of a goal field."""

        field: str

    def __init__(self, field: str) -> None:
        super().__init__(
            placeholder=PLACEHOLDERS[field], id=f"goal-{field}", compact=True, select_on_focus=True
        )
        self.field = field
        self.saved_text = ""

    def show_saved(self, text: str) -> None:
        """Show the stored value (and remember it for escape)."""
        self.saved_text = text
        self.value = text
        self.remove_class("-invalid")

    def action_revert(self) -> None:
        """Put back the saved value and hand focus back to the pane."""
        self.value = self.saved_text
        self.remove_class("-invalid")
        self.post_message(self.Reverted(self.field))


class GoalEditor(Vertical):
    """The shared revenue goal as a row of inline fields, with the reason a value was refused."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="goal-row"):
            yield Label("Period", classes="goal-label")
            yield GoalInput("period")
            yield Label("Months", classes="goal-label")
            yield GoalInput("months")
            yield Label("Target", classes="goal-label")
            yield GoalInput("target")
            yield Label("", classes="goal-currency")
        with Horizontal(classes="goal-row"):
            yield Label("Avg deal size", classes="goal-label")
            yield GoalInput("average_deal_size")
            yield Label("", classes="goal-currency")
            yield Label("Marketing-sourced", classes="goal-label")
            yield GoalInput("marketing_share")
            yield Label("% of pipeline", classes="goal-unit")
        yield Static("", id="goal-message")

    def field(self, name: str) -> GoalInput:
        """The input of goal field `name`."""
        return self.query_one(f"#goal-{name}", GoalInput)

    def show_goal(self, goal: m.RevenueGoal | None, currency: str) -> None:
        """Show the stored goal in every field and clear any message."""
        for editor in self.query(GoalInput):
            editor.show_saved(goal_text(goal, editor.field))
        for label in self.query(".goal-currency").results(Label):
            label.update(currency)
        self.say("")

    def say(self, message: str, *, refused: str | None = None) -> None:
        """Show a message under the fields; `refused` names the field whose value was refused."""
        line = self.query_one("#goal-message", Static)
        line.update(safe_text(message))  # it can quote what was typed: never read as markup
        line.set_class(bool(message), "-shown")
        line.set_class(refused is not None, "-refused")
        for editor in self.query(GoalInput):
            editor.set_class(editor.field == refused, "-invalid")


class CycleBars(Widget):
    """Horizontal bars of every stage's volume, scaled to the largest, split by source."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: RevenuePlan | None = None

    def show(self, plan: RevenuePlan | None) -> None:
        """Draw `plan` (nothing when the cycle does not work out)."""
        self.plan = plan
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.plan is None:
            return Text()
        return bar_picture(self.plan, max(self.size.width, 20))


def bar_picture(plan: RevenuePlan, width: int) -> Text:
    """One line per stage (name, bar, volume) and a legend, fitted to `width` cells."""
    name_width = min(max(len(stage.name) for stage in plan.stages) + 3, 15)
    number_width = max(len(f"{stage.volume:,}") for stage in plan.stages)
    bar_width = max(width - name_width - number_width - 2, 4)
    largest = max((stage.volume for stage in plan.stages), default=0) or 1
    picture = Text(no_wrap=True, overflow="ellipsis")
    for index, stage in enumerate(plan.stages):
        won = index == plan.won_index
        mark = f"{WON_MARK} " if won else "  "
        room = name_width - 3  # the marker takes two cells and one space follows the name
        name = stage.name if len(stage.name) <= room else stage.name[: room - 1] + "…"
        picture.append(f"{mark}{name:<{room}} ", style="bold" if won else "")
        # Lengths in eighths of a cell, so small stages still show; the split is drawn on the
        # whole cells and the remainder is a partial block.
        eighths = max(round(bar_width * 8 * stage.volume / largest), 1 if stage.volume else 0)
        cells, rest = divmod(eighths, 8)
        marketing = (2 * cells * stage.marketing_sourced + stage.volume) // (2 * stage.volume or 1)
        dim = "dim" if stage.after_won else ""
        picture.append(MARKETING_BLOCK * marketing, style=dim)
        picture.append(SALES_BLOCK * (cells - marketing), style=dim)
        picture.append(PARTIAL_BLOCKS[rest] if rest else "", style=dim)
        cells += 1 if rest else 0
        picture.append(" " * (bar_width - cells + 1))
        picture.append(f"{stage.volume:>{number_width},}\n", style="bold" if won else "")
    picture.append(f"{MARKETING_BLOCK} marketing {SALES_BLOCK} sales {WON_MARK} won")
    return picture
