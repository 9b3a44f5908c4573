"""How an action item is shown and edited on step 5: its table cells and its form."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.widgets import Input, Select, Static

from tui.widgets.forms import FormField, FormModal, enum_options
from workshop import models as m
from workshop import planning
from workshop.errors import ValidationFailed
from workshop.text import terminal_safe

COLUMNS = ("Title", "Owner", "Team", "Category", "Priority", "Due", "Status")
OVERDUE_MARKER = "⚠"
SCROLLBAR = 2
"""Columns reserved for the table's vertical scrollbar, so widths never need recomputing."""
WIDE = {"Team": 10, "Category": 16, "Priority": 8, "Due": 12, "Status": 11}
NARROW = {"Team": 5, "Category": 8, "Priority": 4, "Due": 12, "Status": 7}
TITLE_ROOM = 44
"""The title keeps at least this many cells before the other columns switch to short words."""
"""Widths of the fixed columns; narrow terminals (80 columns) get short words."""
NARROW_LABELS = {"Priority": "Pri."}
SHORT_WORDS: dict[str, str] = {
    m.Team.MARKETING: "mktg",
    m.Team.LEADERSHIP: "lead",
    m.Priority.CRITICAL: "crit",
    m.Priority.MEDIUM: "med",
    m.ActionStatus.IN_PROGRESS: "in prog",
    m.Category.COMMUNICATION: "comms",
    m.Category.CONSULTATION: "consult",
    m.Category.CULTURE_TRUST: "culture",
    m.Category.CROSS_FUNCTIONAL: "x-team",
    m.Category.TECHNOLOGY: "tools",
    m.Category.MEASUREMENT: "measure",
}


@dataclass(frozen=True)
class Layout:
    """Column widths of the action table for one terminal width."""

    narrow: bool
    widths: tuple[int, ...]

    @classmethod
    def for_width(cls, width: int) -> Layout:
        """The widths that fit `width` columns of screen (cell padding and scrollbar included):
        full words (marketing, in progress) while the title keeps TITLE_ROOM cells, short
        words (mktg, in prog) when that gives the title its room.

        At 120 columns full words would cut every title at 32 cells; short words give it 48.
        """
        content = width - SCROLLBAR - 2 * len(COLUMNS)
        wide = cls._sized(content, narrow=False)
        return wide if wide.widths[0] >= TITLE_ROOM else cls._sized(content, narrow=True)

    @classmethod
    def _sized(cls, content: int, *, narrow: bool) -> Layout:
        fixed = NARROW if narrow else WIDE
        flexible = max(content - sum(fixed.values()), 16)
        owner = min(max(flexible * 3 // 10, 7), 18)
        sized = {"Title": flexible - owner, "Owner": owner, **fixed}
        return cls(narrow, tuple(sized[name] for name in COLUMNS))

    def labels(self) -> list[Text]:
        """The column headings."""
        names = [NARROW_LABELS.get(n, n) if self.narrow else n for n in COLUMNS]
        return [Text(name, no_wrap=True, overflow="ellipsis") for name in names]


def cell(text: str, style: str = "") -> Text:
    """A one-line cell of user text: never read as markup or terminal controls, cut with an
    ellipsis when too wide."""
    line = terminal_safe(" ".join(text.split()))
    return Text(line, style=style, no_wrap=True, overflow="ellipsis", end="")


@functools.lru_cache(maxsize=4096)
def shared_cell(text: str, style: str = "") -> Text:
    """`cell`, made once per text and style: thousands of rows share a few owners and words.

    Safe because DataTable only reads its cells (it renders them, never changes them).
    """
    return cell(text, style)


def item_cells(
    item: m.ActionItem,
    owner_names: Mapping[int, str],
    today: dt.date,
    *,
    narrow: bool,
    alarm: str,
) -> tuple[Text, ...]:
    """The cells of one action item; an overdue due date gets a marker and the `alarm` style."""

    def word(value: str) -> str:
        return SHORT_WORDS.get(value, value) if narrow else value

    owner = owner_names.get(item.owner_id, "") if item.owner_id is not None else ""
    due = item.due.isoformat() if item.due else ""
    if item.is_overdue(today):
        due_cell = shared_cell(f"{OVERDUE_MARKER} {due}", f"bold {alarm}")
    else:
        due_cell = shared_cell(due)
    return (
        cell(item.title),
        shared_cell(owner),
        shared_cell(word(item.team)),
        shared_cell(word(item.category)),
        shared_cell(word(item.priority)),
        due_cell,
        shared_cell(word(item.status)),
    )


@dataclass(frozen=True)
class Links:
    """What an action item can point to: its owner and the term, stage or statement it serves."""

    participants: Sequence[m.Participant] = ()
    terms: Sequence[m.Term] = ()
    stages: Sequence[m.Stage] = ()
    statements: Sequence[m.Statement] = ()
    owner_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, participants: Sequence[m.Participant], **others: Sequence[Any]) -> Links:
        """Links with the owner names worked out once."""
        names = {p.id: p.name for p in participants if p.id is not None}
        return cls(participants=participants, owner_names=names, **others)

    def options(self) -> dict[str, list[tuple[str, int]]]:
        """Select options per form field: label shown, id returned."""
        return {
            "owner_id": [(f"{p.name} ({p.team.value})", p.id or 0) for p in self.participants],
            "term_id": [(t.name, t.id or 0) for t in self.terms],
            "stage_id": [(f"{s.position + 1}. {s.name}", s.id or 0) for s in self.stages],
            "statement_id": [(_short(s.text, 60), s.id or 0) for s in self.statements],
        }


def _short(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def action_fields(links: Links) -> list[FormField]:
    """The fields of the action-item form, most used first."""
    options = links.options()
    return [
        FormField("title", "Title", placeholder="What will be done, e.g. Call every MQL in 24 h"),
        FormField("owner_id", "Owner (from participants)", "select", options["owner_id"]),
        FormField("team", "Team (blank: the owner's team)", "select", enum_options(m.Team)),
        FormField("due", "Due date (YYYY-MM-DD)", placeholder="e.g. 2026-12-01"),
        FormField("priority", "Priority", "select", enum_options(m.Priority), allow_blank=False),
        FormField("status", "Status", "select", enum_options(m.ActionStatus), allow_blank=False),
        FormField("category", "Category", "select", enum_options(m.Category), allow_blank=False),
        FormField("description", "Description", "textarea"),
        FormField("term_id", "Serves term (optional)", "select", options["term_id"]),
        FormField("stage_id", "Serves stage (optional)", "select", options["stage_id"]),
        FormField("statement_id", "Serves gap (optional)", "select", options["statement_id"]),
    ]


def action_values(item: m.ActionItem | None, links: Links) -> dict[str, Any]:
    """The form's starting values; a link to a row that is gone starts blank."""
    if item is None:
        return {
            "priority": m.Priority.MEDIUM,
            "status": m.ActionStatus.OPEN,
            "category": m.Category.PROCESS,
        }
    values = item.model_dump()
    values["due"] = item.due.isoformat() if item.due else ""
    for name, choices in links.options().items():
        if values.get(name) not in {value for _, value in choices}:
            values[name] = None
    return values


class ActionFormModal(FormModal):
    """The action-item form: says at once when the typed due date lies in the past."""

    def __init__(
        self,
        title: str,
        links: Links,
        item: m.ActionItem | None,
        *,
        today: dt.date,
        save: Callable[[dict[str, Any]], Any],
    ) -> None:
        note = "" if links.participants else "Add participants in step 1 to pick an owner."
        super().__init__(
            title, action_fields(links), action_values(item, links), save=save, note=note
        )
        self.today = today

    def on_mount(self) -> None:
        prompts = {"owner_id": "No owner", "team": "Owner's team", "term_id": "None"}
        prompts |= {"stage_id": "None", "statement_id": "None"}
        for name, prompt in prompts.items():
            self.query_one(f"#field-{name}", Select).prompt = prompt
        due = self.query_one("#field-due", Input)
        warning = Static("", id="due-warning", classes="due-warning")
        due.parent.mount(warning, after=due)  # type: ignore[union-attr]
        self._flag_due(due.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "field-due":
            self._flag_due(event.value)

    def _flag_due(self, typed: str) -> None:
        try:
            warning = planning.due_warning(planning.parse_due(typed), self.today)
        except ValidationFailed:
            warning = None  # the date is still being typed; saving names the problem
        flag = f"{OVERDUE_MARKER} {warning}: it is saved, and shown as overdue" if warning else ""
        warning_line = self.query_one("#due-warning", Static)
        warning_line.update(flag)
        warning_line.display = bool(flag)
