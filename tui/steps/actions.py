"""Step 5: the action items that leave the room, beside the standing cadence and the KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.color import Color, ColorParseError
from rich.text import Text
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.theme import Theme
from textual.widgets import Static, TabbedContent, TabPane

from tui.keys import bind
from tui.refusals import guarded
from tui.safe_text import safe_text
from tui.screens.status import STATUS_KEYS_HELP, ask_status
from tui.steps.action_forms import ActionFormModal, Layout, Links, item_cells
from tui.steps.action_table import ActionTable
from tui.steps.base import Saved, StepPane, StepView
from tui.steps.cadence_kpis import CADENCE, KPIS, RecordTab
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.tables import RecordTable
from workshop import models as m
from workshop import planning, steps
from workshop.errors import NotFound, WorkshopError
from workshop.planning import set_status
from workshop.storage.store import Store

TABS = ("tab-actions", "tab-cadence", "tab-kpis")
ACTIONS_ONLY = {"status", "sort", "filter_team", "filter_status"}
SORTS = ", ".join(planning.SORT_COLUMNS)
TEAMS = ", ".join(planning.TEAM_FILTERS)
STATUSES = ", ".join(planning.STATUS_FILTERS)
CADENCE_HINT = "The standing meetings both teams keep, e.g. a weekly pipeline review."
KPI_HINT = "What both teams measure: the baseline today and the target to reach."


@dataclass(frozen=True)
class StepFive(StepView):
    """Everything step 5 shows, read in one go off the UI thread, and the day, layout and
    colour its cells were made for."""

    items: list[m.ActionItem]
    cells: dict[int, tuple[Text, ...]]
    links: Links
    cadences: list[m.Cadence]
    kpis: list[m.Kpi]
    today: dt.date
    layout: Layout
    alarm: str


def read_step_five(
    store: Store, session_id: int, today: dt.date, layout: Layout, alarm: str
) -> StepFive:
    """Read the session's action items (with their table cells), links, cadence and KPIs."""
    links = Links.of(
        store.rows(m.Participant, session_id),
        terms=store.rows(m.Term, session_id),
        stages=store.rows(m.Stage, session_id),
        statements=store.rows(m.Statement, session_id),
    )
    items = store.rows(m.ActionItem, session_id)
    names = links.owner_names
    cells = {
        item.id or 0: item_cells(item, names, today, narrow=layout.narrow, alarm=alarm)
        for item in items
    }
    return StepFive(
        store.get_session(session_id),
        items,
        cells,
        links,
        store.rows(m.Cadence, session_id),
        store.rows(m.Kpi, session_id),
        today,
        layout,
        alarm,
    )


class ActionsStep(StepPane[StepFive]):
    """Who does what by when, the standing cadence, and the KPIs both teams track."""

    number = steps.ACTIONS.number
    title = steps.ACTIONS.name
    failure_at = "#actions-view"
    BINDINGS = [
        bind("a", "add", "Add", "Add a row to the table shown (action, meeting or KPI)"),
        bind("enter", "edit", "Edit", "Edit the selected row"),
        bind("delete", "delete", "Delete", "Delete the selected row (asks first)"),
        bind(
            "space",
            "status",
            "Status",
            f"Choose the selected action's status, then one key: {STATUS_KEYS_HELP}",
        ),
        bind("c", "next_tab", "Tab", "Switch between the Actions, Cadence and KPIs tables"),
        bind("o", "sort", "Sort", f"Sort actions by the next column ({SORTS})", show=False),
        bind("f", "filter_team", "Team", f"Filter actions by team ({TEAMS})", show=False),
        bind("g", "filter_status", "Status", f"Filter actions by status ({STATUSES})", show=False),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.links = Links()
        self._failure: str | None = None
        """Why the last read failed: the line above the table keeps saying it until a read."""
        self.cadence = RecordTab(self, RecordTable(CADENCE.columns, id="cadence-table"), CADENCE)
        self.kpis = RecordTab(self, RecordTable(KPIS.columns, id="kpis-table"), KPIS)

    def compose(self) -> ComposeResult:
        yield Static(
            "Who does what by when, the standing meetings, and the KPIs both teams track.",
            classes="step-intro",
        )
        with TabbedContent(id="actions-tabs"):
            with TabPane("Actions", id="tab-actions"):
                yield Static(id="actions-view")
                yield ActionTable(id="actions-table")
                yield Static(id="action-detail")
            with TabPane("Cadence", id="tab-cadence"):
                yield Static(CADENCE_HINT, classes="tab-hint")
                yield self.cadence.table
            with TabPane("KPIs", id="tab-kpis"):
                yield Static(KPI_HINT, classes="tab-hint")
                yield self.kpis.table

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_data_table_row_highlighted(self, event: ActionTable.RowHighlighted) -> None:
        """Show the highlighted item's whole title: the table cuts it on a narrow screen."""
        if event.data_table is self.table:
            self._show_detail(self.table.selected_item)

    def _show_detail(self, item: m.ActionItem | None) -> None:
        detail = self.query_one("#action-detail", Static)
        if item is None:
            detail.update("")
            return
        text = Text.assemble(("▸ ", "dim"), (item.title, "bold"))
        if item.description:
            text.append(f" — {' '.join(item.description.split())}", style="dim")
        detail.update(safe_text(text))

    @property
    def table(self) -> ActionTable:
        """The action-item table."""
        return self.query_one(ActionTable)

    @property
    def tab(self) -> str:
        """The id of the tab shown: tab-actions, tab-cadence or tab-kpis."""
        return self.query_one(TabbedContent).active or TABS[0]

    def today(self) -> dt.date:
        """The day overdue items are judged against (the app's clock)."""
        return self.workshop.clock().date()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read everything step 5 shows again, off the UI thread (the table says "loading")."""
        self._failure = None
        self.table.start_loading()
        super().reload()
        self.call_after_refresh(self._focus_table)

    def reader(self) -> Callable[[Store], StepFive]:
        """Reads the items, with cells for today, this screen's layout and the theme's alarm."""
        today, layout, alarm = self.today(), self.table.target_layout(), self._alarm()
        return lambda store: read_step_five(store, self.session_id, today, layout, alarm)

    def show(self, view: StepFive) -> None:
        """Show the action items (filled in chunks), the cadence and the KPIs as read."""
        self.links = view.links
        self.cadence.show(view.cadences)
        self.kpis.show(view.kpis)
        self.table.show_items(
            view.items,
            view.cells,
            view.links.owner_names,
            layout=view.layout,
            today=view.today,
            alarm=view.alarm,
        )

    def show_failure(self, message: str) -> None:
        """Say why the action items could not be read, on the line above their table."""
        self._failure = f"Could not show the action items: {message}"
        super().show_failure(self._failure)

    def _alarm(self) -> str:
        colour: str = self.app.theme_variables.get("error", "red")
        try:
            Color.parse(colour)
        except ColorParseError:
            return "red"
        return colour

    def _theme_changed(self, theme: Theme) -> None:
        if self.table.loaded and self.display:
            self.reload()  # overdue cells carry the theme's error colour

    def on_resize(self) -> None:
        self.cadence.fit()
        self.kpis.fit()

    def on_action_table_stale(self, event: ActionTable.Stale) -> None:
        event.stop()
        self.reload()

    def on_action_table_view_changed(self, event: ActionTable.ViewChanged) -> None:
        event.stop()
        if self._failure is None:
            self.query_one("#actions-view", Static).update(self.table.view_line())

    # -- tabs -----------------------------------------------------------------------------

    def _table_of(self, tab: str) -> RecordTable:
        return self.query_one(f"#{tab} RecordTable", RecordTable)

    def _focus_table(self) -> None:
        """Focus the shown tab's table, unless the focus is elsewhere (another step, a form)."""
        focused = self.screen.focused if self.is_mounted else None
        if self.display and (focused is None or self in focused.ancestors):
            self._table_of(self.tab).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.refresh_bindings()
        self._focus_table()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Status, sort and filter keys only act on the action-item table."""
        if action not in ACTIONS_ONLY:
            return True
        try:
            return self.tab == TABS[0]
        except NoMatches:
            return True

    def action_next_tab(self) -> None:
        """Show the next of the Actions, Cadence and KPIs tables."""
        self.query_one(TabbedContent).active = TABS[(TABS.index(self.tab) + 1) % len(TABS)]

    # -- keys on the action items ---------------------------------------------------------

    def action_sort(self) -> None:
        """Sort the action items by the next column."""
        self.table.set_view(self.table.view.next_sort())

    def action_filter_team(self) -> None:
        """Show only the action items of the next team (or all)."""
        self.table.set_view(self.table.view.next_team())

    def action_filter_status(self) -> None:
        """Show only the action items of the next status (or all, or not done)."""
        self.table.set_view(self.table.view.next_status())

    def _ready(self) -> bool:
        if not self.table.loaded:
            self.notify("Still reading the action items; try again in a moment.")
        return self.table.loaded

    def _selected_item(self) -> m.ActionItem | None:
        """The selected action item as stored now (NotFound when deleted elsewhere)."""
        item = self.table.selected_item if self._ready() else None
        if item is None or item.id is None:
            return item
        return self.workshop.store.get(m.ActionItem, item.id)

    def _refresh_item(self, row_id: int) -> None:
        """Show one item as stored now (after a refused or cancelled edit), in about 1 ms."""
        try:
            self.table.remember(self.workshop.store.get(m.ActionItem, row_id))
        except NotFound:
            self.table.forget(row_id)
        except WorkshopError as error:
            self.notify(str(error), severity="error")
            return
        self.changed()

    def _small_tab(self) -> RecordTab[Any] | None:
        """The cadence or KPI table's keeper when that tab is shown."""
        tabs: dict[str, RecordTab[Any]] = {TABS[1]: self.cadence, TABS[2]: self.kpis}
        return tabs.get(self.tab)

    def action_add(self) -> None:
        """Add a row to the table shown."""
        if (small := self._small_tab()) is not None:
            small.add()
        elif self._ready():
            self._open_form(None)

    @guarded
    def action_edit(self) -> None:
        """Edit the selected row of the table shown."""
        if (small := self._small_tab()) is not None:
            small.edit()
        elif (item := self._selected_item()) is not None:
            self._open_form(item)

    def _open_form(self, item: m.ActionItem | None) -> None:
        participants = self.links.participants

        def save(typed: dict[str, Any]) -> m.ActionItem:
            built = planning.build_action(typed, base=item, participants=participants)
            store = self.workshop.store
            return store.add(built, self.session_id) if item is None else store.update(built)

        title = "Add action item" if item is None else "Edit action item"
        form = ActionFormModal(title, self.links, item, today=self.today(), save=save)
        self.app.push_screen(form, lambda saved: self._saved(saved, item))

    def _saved(self, item: m.ActionItem | None, base: m.ActionItem | None) -> None:
        if not isinstance(item, m.ActionItem):
            if base is not None and base.id is not None:
                self._refresh_item(base.id)  # cancelled: it may have been refused as stale
            return
        self.table.remember(item)
        self.changed()
        summary = f"{'Added' if base is None else 'Saved'} '{item.title}'"
        warning = planning.due_warning(item.due, self.today())
        if warning:
            summary += f" ({warning})"
            self.notify(f"Saved, but the {warning}: {item.due}.", severity="warning")
        self.post_message(Saved(summary))

    @guarded
    def action_delete(self) -> None:
        """Delete the selected row of the table shown, after confirming."""
        if (small := self._small_tab()) is not None:
            small.delete()
        elif (item := self._selected_item()) is not None:
            self._confirm_delete(item)

    def _confirm_delete(self, item: m.ActionItem) -> None:
        def remove() -> m.ActionItem:
            self.workshop.store.delete(item)
            return item

        def confirmed(answer: bool | None) -> None:
            if answer and self.persist(remove, f"Deleted '{item.title}'"):
                self.table.forget(item.id or 0)
                self.changed()

        self.app.push_screen(ConfirmModal(f"Delete action item '{item.title}'?"), confirmed)

    @guarded
    def action_status(self) -> None:
        """Ask for the selected action item's status (one key each); only the choice is saved."""
        item = self._selected_item()
        if item is not None:
            ask_status(self, item, lambda status: self.save_status(item, status))

    def save_status(self, item: m.ActionItem, status: m.ActionStatus) -> None:
        """Give `item` the status chosen and save it at once."""
        store = self.workshop.store
        saved = self.persist(lambda: set_status(store, item, status), f"'{item.title}' is {status}")
        if saved is not None:
            self.table.remember(saved)
            self.changed()
        else:  # refused, perhaps changed elsewhere: show the row as it is stored now
            self._refresh_item(item.id or 0)
