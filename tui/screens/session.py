"""A session on one screen: the step bar, the current step's pane, the saved indicator."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from tui.context import hold, in_background
from tui.keys import bind
from tui.safe_text import safe_text
from tui.steps import step_class
from tui.steps.base import Saved, SaveFailed
from tui.typed import WorkshopNode
from tui.widgets.dialogs import ConfirmModal
from tui.widgets.fitted_footer import FittedFooter
from tui.widgets.timer import StepTimer
from workshop.errors import WorkshopError
from workshop.steps import STEPS

if TYPE_CHECKING:
    from tui.steps.base import StepPane
    from workshop import models as m

FOOTER_DROPS_FIRST = (
    "app.projector",
    "app.quit",
    "session.timer",
    "session.next",
    "session.export",
    "session.back",
)
"""Footer keys that give way first on a narrow screen (help and the palette list them all)."""


WHILE_OPENING = frozenset({"back", "presentation"})
"""The session screen's actions that act before the session has been read."""


def step_bar(current: int, width: int) -> Text:
    """The six steps on one line, the current one highlighted; short names when the full
    ones do not fit `width` cells."""
    for short in (False, True):
        bar = Text()
        for step in STEPS:
            name = step.short_name if short else step.name
            if step.number > 1:
                bar.append("│")
            style = "reverse bold" if step.number == current else ""
            bar.append(f" {step.number} {name} ", style=style)
        if bar.cell_len <= width:
            break
    return bar


def _step_binding(number: int) -> Binding:
    title = STEPS[number - 1].name
    return bind(
        str(number),
        f"goto({number})",
        title,
        f"Jump to step {number}: {title}",
        area="session",
        name=f"step{number}",
        show=False,
    )


class SessionScreen(WorkshopNode, Screen[None]):
    """Runs one workshop: steps 1–6, each saved as it changes.

    Its first frame does not wait for the database: the header and the step bar, while the
    session is read in the background with the current step's module, and each step's pane
    is made the first time the step is shown.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *[_step_binding(step.number) for step in STEPS],
        bind(
            "ctrl+right",
            "next_step",
            "Next step",
            "Go to the next step",
            area="session",
            name="next",
        ),
        bind(
            "ctrl+left",
            "previous_step",
            "Prev step",
            "Go to the previous step",
            area="session",
            name="previous",
            show=False,
        ),
        bind("ctrl+z", "undo", "Undo", "Undo the last change of this session", area="session"),
        bind("t", "timer", "Timer", "Start or pause this step's timebox", area="session"),
        bind(
            "plus",
            "extend_timer",
            "+5 min",
            "Add five minutes to this step's timebox",
            area="session",
            name="extend",
            show=False,
        ),
        bind(
            "p",
            "presentation",
            "Big timer",
            "Presentation layout: the time left in large digits",
            area="session",
            show=False,
        ),
        bind("x", "export", "Export", "Preview and export the action plan", area="session"),
        bind("escape", "back", "Sessions", "Back to the session list", area="session"),
    ]

    step: reactive[int] = reactive(0)
    """The step shown: 0 until the session has been read."""
    status: reactive[str] = reactive("✓ all changes saved")

    def __init__(self, session_id: int, *, start_step: int | None = None) -> None:
        super().__init__(classes="session-screen")
        self.session_id = session_id
        self.start_step = start_step
        self.timer = StepTimer(session_id)

    def compose(self) -> ComposeResult:
        with Horizontal(id="session-header"):
            yield Static(id="session-title")
            yield self.timer
        yield Static(id="save-status")
        yield Static(id="step-bar")
        yield ContentSwitcher(id="steps")
        yield FittedFooter(drop_first=FOOTER_DROPS_FIRST)

    def on_mount(self) -> None:
        self._show_step_bar()
        # The read starts now, in a thread; keys wait for it (tui/keys.py) once the first
        # frame is out: holding the screen's messages any earlier would hold that frame back.
        self.call_after_refresh(hold, self._open())

    @in_background("session-open")
    def _open(self) -> None:
        """Read the session and import the pane of the step it opens on (off the UI thread)."""
        session = self.workshop.store.get_session(self.session_id)
        step = self.start_step or session.step_reached
        step_class(step)
        self.app.call_from_thread(self._opened, session, step)

    def _opened(self, session: m.Session, step: int) -> None:
        if not self.is_attached:
            return
        self.query_one("#session-title", Static).update(
            safe_text(Text.assemble((session.title, "bold"), "  ", session.organisation))
        )
        self.step = step

    def show_failure(self, message: str) -> None:
        """The session cannot be read (damaged or deleted since the list was read): the
        message is already on screen, so go back to the list."""
        if self.step == 0:
            self.dismiss(None)

    def pane(self, number: int) -> StepPane[Any]:
        """The pane of step `number` (made when the step was first shown)."""
        return self.query_one(f"#step-{number}", step_class(number))

    def watch_step(self) -> None:
        if self.is_mounted and self.step:
            self._show_step()

    def watch_status(self, status: str) -> None:
        self.query_one("#save-status", Static).update(safe_text(status))

    def on_resize(self) -> None:
        if self.is_mounted:
            self._show_step_bar()

    def _show_step_bar(self) -> None:
        width = (self.size.width or self.app.size.width) - 2  # the bar's padding
        self.query_one("#step-bar", Static).update(step_bar(self.step, width))

    def _show_step(self) -> None:
        self._show_step_bar()
        self.timer.load(self.step)
        switcher = self.query_one(ContentSwitcher)
        name = f"step-{self.step}"
        if switcher.query_children(f"#{name}"):
            switcher.current = name
            self._enter(self.pane(self.step))
        else:  # first visit: make the pane, show it once it is mounted
            pane = step_class(self.step)(self.session_id)
            mounted = switcher.mount(pane)
            switcher.current = name
            self.call_later(self._enter_mounted, pane, mounted)
        self._record_reached(self.step)

    async def _enter_mounted(self, pane: StepPane[Any], mounted: Awaitable[None]) -> None:
        await mounted
        if pane.is_attached and pane.number == self.step:
            self._enter(pane)

    def _enter(self, pane: StepPane[Any]) -> None:
        """Read the pane's rows again (in the background) and put the cursor in it."""
        pane.reload()
        focusable = pane.query("DataTable, Input")
        if focusable:
            focusable.first().focus()

    def _record_reached(self, step: int) -> None:
        """Remember the furthest step reached (saved only when it moves forward)."""
        from workshop.sessions import reach_step

        try:
            reach_step(self.workshop.store, self.session_id, step)
        except WorkshopError as error:
            self.status = f"✗ {error}"

    def _gate_question(self, number: int) -> str | None:
        """What to ask before going to step `number`, or None to go at once.

        Only leaving forwards asks, and a set of open items the facilitator already chose to
        continue with (the same unsigned terms, the same stages without owner) is not asked
        about again until it changes.
        """
        if number < self.step:
            return None
        reason = self.pane(self.step).gate_reason()
        if reason is None:
            return None
        from workshop.gates import pending_gate

        try:
            return pending_gate(self.workshop.store, self.session_id, self.step, reason)
        except WorkshopError as error:  # cannot tell whether it was answered: ask
            self.status = f"✗ {error}"
            return reason

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until the session has been read only escape (back to the list) acts: a step key,
        undo, the timer or export would act on a step not yet known."""
        return self.step != 0 or action in WHILE_OPENING

    def action_goto(self, number: int) -> None:
        """Go to step `number`, asking 'continue anyway?' when leaving with open issues."""
        if number == self.step:
            return
        reason = self._gate_question(number)
        if reason is None:
            self.step = number
            return
        leaving = self.step

        def answered(proceed: bool | None) -> None:
            from workshop.gates import record_gate

            try:
                record_gate(self.workshop.store, self.session_id, leaving, reason, bool(proceed))
            except WorkshopError as error:
                self.status = f"✗ {error}"
            if proceed:
                self.step = number

        self.app.push_screen(ConfirmModal(f"{reason}. Continue anyway?", yes="Continue"), answered)

    def action_next_step(self) -> None:
        """Go to the next step."""
        if self.step < len(STEPS):
            self.action_goto(self.step + 1)

    def action_previous_step(self) -> None:
        """Go to the previous step."""
        if self.step > 1:
            self.action_goto(self.step - 1)

    def action_undo(self) -> None:
        """Undo the session's last change (repeatable); the undo itself is logged."""
        from workshop.undo import undo_last

        try:
            words = undo_last(self.workshop.store, self.session_id)
        except WorkshopError as error:
            self.status = f"✗ {error}"
            self.notify(str(error), severity="error")
            return
        if words is None:
            self.notify("Nothing left to undo.")
            return
        self.status = f"✓ undone: {words}"
        self.notify(f"Undone: {words}")
        self.pane(self.step).reload()

    def action_timer(self) -> None:
        """Start or pause the current step's timer."""
        self.timer.toggle()

    def action_extend_timer(self) -> None:
        """Add five minutes to the current step's timebox."""
        self.timer.extend()

    def action_presentation(self) -> None:
        """Show or hide the time left in large digits (for the room)."""
        self.toggle_class("-presentation")

    def on_unmount(self) -> None:
        self.timer.save(pause=True)

    def action_export(self) -> None:
        """Open the export preview of the action plan."""
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.session_id))

    def action_back(self) -> None:
        """Back to the session list (everything is already saved)."""
        self.dismiss(None)

    def on_saved(self, message: Saved) -> None:
        clock = self.workshop.clock().astimezone()
        self.status = f"✓ saved {clock:%H:%M:%S} · {message.summary}"

    def on_save_failed(self, message: SaveFailed) -> None:
        self.status = f"✗ not saved: {message.reason}"
