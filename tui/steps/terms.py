"""Step 3: the shared glossary; a term counts only once sales and marketing both sign it off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tui.keys import bind
from tui.refusals import guarded
from tui.safe_text import safe_text
from tui.screens.signer import SignerModal
from tui.steps.base import Saved, StepPane, StepView
from tui.steps.terms_widgets import (
    COLUMNS,
    MARKERS,
    Styles,
    TermsTable,
    excerpt,
    marker,
    term_cells,
)
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.forms import FormField, FormModal
from tui.widgets.tables import Cell
from workshop import glossary, steps
from workshop import models as m
from workshop.errors import DuplicateName, WorkshopError
from workshop.glossary import dispute_term, toggle_sign_off, unsigned_terms
from workshop.storage.store import Store
from workshop.text import terminal_safe

FIELDS = [
    FormField("name", "Name", placeholder="e.g. MQL"),
    FormField("definition", "Definition", "textarea"),
    FormField("entry_criteria", "Entry criteria", placeholder="What makes something this"),
    FormField("exit_criteria", "Exit criteria", placeholder="What moves it on"),
    FormField("example", "Example", placeholder="A case both teams recognise"),
]
CLEARED = "Definition changed: sales and marketing sign-offs cleared"


@dataclass(frozen=True)
class TermsView(StepView):
    """The terms as step 3 shows them, with their table cells, and who may sign them off."""

    terms: list[m.Term]
    rows: list[tuple[int, tuple[Cell, ...]]]
    participants: list[m.Participant]


def read_terms(store: Store, session_id: int, today: dt.date, styles: Styles) -> TermsView:
    """Read what step 3 shows; the cells are made here too, off the UI thread."""
    terms = store.rows(m.Term, session_id)
    return TermsView(
        store.get_session(session_id),
        terms,
        [(term.id or 0, term_cells(term, today, styles)) for term in terms],
        store.rows(m.Participant, session_id),
    )


class TermsStep(StepPane[TermsView]):
    """Agree what each term means; a term counts only when both teams sign it off."""

    number = steps.TERMS.number
    title = steps.TERMS.name
    failure_at = "#terms-count"
    BINDINGS = [
        bind("a", "add", "Add", "Add a term"),
        bind("enter", "edit", "Edit", "Edit the selected term"),
        bind("delete", "delete", "Delete", "Delete the selected term (asks first)"),
        bind("s", "sign_sales", "Sales ✔", "Toggle the sales sign-off of the selected term"),
        bind(
            "m",
            "sign_marketing",
            "Marketing ✔",
            "Toggle the marketing sign-off of the selected term",
        ),
        bind("d", "dispute", "Dispute", "Mark the selected term disputed and add an action item"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.terms: dict[int, m.Term] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            "Agree what each term means; it counts only when both teams sign it off.",
            classes="step-intro",
        )
        yield Static("", id="terms-count")
        yield TermsTable(COLUMNS, id="terms-table")
        with VerticalScroll(id="terms-detail"):
            yield Static("", id="terms-detail-text")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._redraw)

    @property
    def table(self) -> TermsTable:
        """The terms table."""
        return self.query_one("#terms-table", TermsTable)

    def reader(self) -> Callable[[Store], TermsView]:
        """Reads the terms with today's date and the theme's colours for their cells."""
        today, styles = self._today(), self._styles()
        return lambda store: read_terms(store, self.session_id, today, styles)

    def show(self, view: TermsView) -> None:
        """Show the terms as read, their count and the selected one's detail."""
        self.terms = {term.id or 0: term for term in view.terms}
        self.table.set_rows(view.rows)
        self._refresh_summary()

    def _today(self) -> dt.date:
        return self.workshop.clock().astimezone().date()

    def _styles(self) -> Styles:
        theme = self.app.current_theme
        return {
            state: getattr(theme, colour, None) or theme.foreground or ""
            for state, (_, colour) in MARKERS.items()
        }

    def _redraw(self, _theme: object = None) -> None:
        """Draw the rows again from the terms on screen (the theme's colours changed)."""
        today, styles = self._today(), self._styles()
        self.table.set_rows((tid, term_cells(t, today, styles)) for tid, t in self.terms.items())
        self._refresh_summary()

    def _show(self, term: m.Term) -> None:
        """Show one saved term in the table, the count and the detail panel."""
        self.terms[term.id or 0] = term
        self.table.upsert(term.id or 0, term_cells(term, self._today(), self._styles()))
        self.changed()
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        self.query_one("#terms-count", Static).update(
            Text(glossary.agreement_summary(list(self.terms.values())))
        )
        self._show_detail(self.table.selected_id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self._show_detail(int(key) if key is not None else None)

    def _show_detail(self, term_id: int | None) -> None:
        detail = self.query_one("#terms-detail", VerticalScroll)
        text = self.query_one("#terms-detail-text", Static)
        term = self.terms.get(term_id) if term_id is not None else None
        if term is None:
            detail.border_title = "No term selected"
            text.update("No terms yet: press a to add one (e.g. lead, MQL, SQL, opportunity).")
            return
        detail.border_title = safe_text(excerpt(term.name, 40))  # a title reads markup
        lines = Text()
        lines.append_text(marker(term, self._styles()))
        for team, who, when in (
            ("Sales", term.sales_signoff_by, term.sales_signoff_at),
            ("Marketing", term.marketing_signoff_by, term.marketing_signoff_at),
        ):
            lines.append(f"  {team}: ", style="bold")
            signer = terminal_safe(who or "")
            lines.append(f"{signer}, {when.astimezone():%d %b %Y %H:%M}" if when else "not signed")
        for label, value in (
            ("Definition", term.definition),
            ("Entry criteria", term.entry_criteria),
            ("Exit criteria", term.exit_criteria),
            ("Example", term.example),
        ):
            lines.append(f"\n{label}: ", style="bold")
            lines.append(terminal_safe(value, keep_newlines=True) or "—")
        text.update(lines)

    def gate_reason(self) -> str | None:
        """Terms not signed off by both teams, from the list on screen once it has loaded."""
        if self.shown is None:  # left before the first read landed: ask the store directly
            return glossary.gate_reason(unsigned_terms(self.workshop.store, self.session_id))
        return glossary.gate_reason(self.terms.values())

    def _selected(self) -> m.Term | None:
        """The selected term as stored now, so an edit made elsewhere is not overwritten.

        Raises NotFound when it was deleted elsewhere (the key's `guarded` reports it).
        """
        selected = self.table.selected_id
        return None if selected is None else self.workshop.store.get(m.Term, selected)

    def _form(self, title: str, term: m.Term | None) -> FormModal:
        values: dict[str, Any] = term.model_dump() if term else {}
        note = ""
        if term is not None and (term.sales_signoff_at or term.marketing_signoff_at):
            note = "Changing the definition or criteria clears both sign-offs."

        def save(typed: dict[str, Any]) -> tuple[m.Term, bool]:
            try:
                return glossary.save_term(self.workshop.store, self.session_id, term, typed)
            except DuplicateName as error:
                raise DuplicateName(f"name: {error}") from None

        return FormModal(title, FIELDS, values, save=save, note=note)

    def _saved(self, result: tuple[m.Term, bool] | None, verb: str) -> None:
        if not result:
            return
        term, cleared = result
        self._show(term)
        self.table.select_id(term.id or 0)
        self.post_message(Saved(f"{verb} {term.name}"))
        if cleared:
            self.notify(CLEARED, severity="warning", timeout=8)

    def action_add(self) -> None:
        """Open the form for a new term."""
        self.app.push_screen(self._form("Add term", None), lambda r: self._saved(r, "Added"))

    @guarded
    def action_edit(self) -> None:
        """Open the form for the selected term."""
        term = self._selected()
        if term is not None:
            self.app.push_screen(self._form("Edit term", term), lambda r: self._saved(r, "Saved"))

    @guarded
    def action_delete(self) -> None:
        """Delete the selected term after confirming."""
        term = self._selected()
        if term is None:
            return

        def delete() -> m.Term:
            self.workshop.store.delete(term)
            return term

        def confirmed(answer: bool | None) -> None:
            if answer and self.persist(delete, f"Deleted {term.name}"):
                self.terms.pop(term.id or 0, None)
                self.table.remove_record(term.id or 0)
                self.changed()
                self._refresh_summary()

        self.app.push_screen(
            ConfirmModal(f"Delete term {term.name}? Stages and action items keep no term."),
            confirmed,
        )

    @guarded
    def action_sign_sales(self) -> None:
        """Toggle the sales sign-off of the selected term."""
        self._toggle(m.Team.SALES)

    @guarded
    def action_sign_marketing(self) -> None:
        """Toggle the marketing sign-off of the selected term."""
        self._toggle(m.Team.MARKETING)

    def _participants(self) -> list[m.Participant]:
        """Who may sign off, as read with the terms (from the store before the first read)."""
        if self.shown is None:
            return self.workshop.store.rows(m.Participant, self.session_id)
        return self.shown.participants

    def _toggle(self, team: m.Team) -> None:
        term = self._selected()
        if term is None:
            return
        names = glossary.signers(self._participants(), team)
        if term.is_signed_off_by(team) or not names:
            self._sign(term, team, team.value)
            return
        question = f"Who signs {term.name} off for {team.value}?"
        self.app.push_screen(
            SignerModal(question, names), lambda who: self._sign(term, team, who) if who else None
        )

    def _sign(self, term: m.Term, team: m.Team, who: str) -> None:
        withdrawing = term.is_signed_off_by(team)
        summary = (
            f"{team.value.capitalize()} sign-off of {term.name} withdrawn"
            if withdrawing
            else f"{term.name} signed off for {team.value} by {who}"
        )
        saved = self.persist(lambda: toggle_sign_off(self.workshop.store, term, team, who), summary)
        if saved is None:
            return
        self._show(saved)
        done = saved.status is m.TermStatus.AGREED
        self.notify(f"{saved.name} agreed by both teams" if done else summary)

    @guarded
    def action_dispute(self) -> None:
        """Mark the selected term disputed and open an action item to settle it, in one key."""
        term = self._selected()
        if term is None:
            return
        if term.disputed:
            self.notify(
                f"{term.name} is already disputed; sign it off with s and m once agreed.",
                severity="warning",
            )
            return
        store = self.workshop.store
        action = self.persist(lambda: dispute_term(store, term), f"Disputed {term.name}")
        if action is None:
            return
        try:
            self._show(store.get(m.Term, term.id or 0))
        except WorkshopError:
            self.reload()
        self.notify(f"{term.name} disputed: action item '{action.title}' added to step 5")
