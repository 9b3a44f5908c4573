"""Fast score entry of the Assess step: one team's scores, statement by statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.keys import bind
from tui.steps.assess_widgets import polarity_text, score_text
from workshop.blind_round import RoundRow
from workshop.errors import WorkshopError
from workshop.text import terminal_safe

SCALE = "1 strongly disagree · 2 disagree · 3 neither · 4 agree · 5 strongly agree"

SaveScore = Callable[[RoundRow, int | None], RoundRow]
FollowRow = Callable[[RoundRow], None]


class ScoreEntry(ModalScreen[bool]):
    """Enter one team's scores statement by statement: a digit saves and moves to the next.

    The other team's scores never appear here. Dismisses with True when it closed itself
    after scoring the last statement, False when the facilitator closed it.
    """

    BINDINGS = [
        *[
            bind(
                str(n),
                f"score({n})",
                str(n),
                f"Score {n} and move to the next statement",
                area="score_entry",
                name=f"score{n}",
                show=n in (1, 5),
            )
            for n in range(1, 6)
        ],
        bind(
            "enter,down",
            "move(1)",
            "Skip",
            "Keep this score and go to the next statement",
            area="score_entry",
            name="next",
        ),
        bind(
            "up",
            "move(-1)",
            "Back",
            "Go to the previous statement",
            area="score_entry",
            name="back",
        ),
        bind(
            "backspace",
            "clear",
            "Clear",
            "Remove this team's score for this statement",
            area="score_entry",
        ),
        bind("escape", "done", "Done", "Stop entering scores", area="score_entry"),
    ]

    def __init__(
        self, team: str, rows: Sequence[RoundRow], start: int, *, save: SaveScore, follow: FollowRow
    ) -> None:
        super().__init__(classes="score-entry-screen")
        self.team = team
        self.rows = list(rows)
        self.index = max(0, min(start, len(self.rows) - 1))
        self.save = save
        self.follow = follow

    def compose(self) -> ComposeResult:
        with Vertical(id="score-entry"):
            yield Static(id="score-entry-title")
            yield Static(id="score-entry-statement")
            yield Static(id="score-entry-score")
            yield Static(SCALE, id="score-entry-scale")
            yield Static(
                "1–5 score & next · enter/↓ skip · ↑ back · backspace clear · esc done",
                id="score-entry-keys",
            )
            yield Static("", id="score-entry-error")

    def on_mount(self) -> None:
        self._show()

    @property
    def row(self) -> RoundRow:
        """The statement being scored."""
        return self.rows[self.index]

    def _show(self) -> None:
        row = self.row
        title = Text()
        title.append(f" {self.team.upper()} ", style="reverse bold")
        title.append(f"  statement {row.number} of {len(self.rows)}", style="bold")
        title.append(f" · {polarity_text(row.statement.polarity)}", style="dim")
        self.query_one("#score-entry-title", Static).update(title)
        statement = Text(terminal_safe(row.statement.text))
        self.query_one("#score-entry-statement", Static).update(statement)
        current = score_text(row.scores.score_for(self.team))
        self.query_one("#score-entry-score", Static).update(
            Text.assemble("Score now: ", (current, "bold"))
        )
        self.follow(row)

    def _store(self, score: int | None) -> bool:
        try:
            self.rows[self.index] = self.save(self.row, score)
        except WorkshopError as error:
            self.query_one("#score-entry-error", Static).update(Text(terminal_safe(str(error))))
            return False
        self.query_one("#score-entry-error", Static).update("")
        return True

    def action_score(self, score: int) -> None:
        """Save `score` for this statement and move on (closing after the last one)."""
        if not self._store(score):
            return
        if self.index == len(self.rows) - 1:
            self.dismiss(True)
            return
        self.action_move(1)

    def action_clear(self) -> None:
        """Remove this team's score for this statement."""
        if self._store(None):
            self._show()

    def action_move(self, step: int) -> None:
        """Go to the next (1) or previous (-1) statement without changing the score."""
        self.index = max(0, min(self.index + step, len(self.rows) - 1))
        self._show()

    def action_done(self) -> None:
        """Stop entering scores."""
        self.dismiss(False)
