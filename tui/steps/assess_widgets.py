"""Pieces of the Assess step: fast score entry, score and heat-map cells, the results legend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from workshop.assessment import Gap, Polarity, Severity
from workshop.blind_round import RoundRow
from workshop.errors import WorkshopError
from workshop.text import terminal_safe

HIDDEN = "•••"
"""What the hidden team's column shows during blind entry: never the numbers."""

NO_SCORE = "–"

SCALE = "1 strongly disagree · 2 disagree · 3 neither · 4 agree · 5 strongly agree"

LEGEND = (
    "Alignment index 0–100 (100 = aligned)\n"
    "Gap: · none ▲ low ▲▲ medium ▲▲▲ high ? unscored\n"
    "Largest gap first · g: gap → action item"
)

# Theme colours of the heat map, as (variable, blend factor towards the background).
_HEAT: dict[Severity, tuple[str, float]] = {
    Severity.HIGH: ("error", 0.0),
    Severity.MEDIUM: ("warning", 0.0),
    Severity.LOW: ("warning", 0.6),
    Severity.NONE: ("success", 0.7),
    Severity.UNKNOWN: ("panel", 0.0),
}


def score_text(score: Decimal | None) -> str:
    """A team score as read out: `4` for a consensus, `3.5` for a mean, a dash when unscored."""
    return NO_SCORE if score is None else f"{score.normalize():f}"


def possessive(team: str) -> str:
    """A team's name as an owner: "sales'" and "marketing's"."""
    return f"{team}'" if team.endswith("s") else f"{team}'s"


def polarity_text(polarity: Polarity) -> str:
    """How a statement's polarity reads in the table."""
    return "⚑ red flag" if polarity is Polarity.RED_FLAG else "positive"


def heat_cell(gap: Gap, theme_variables: dict[str, str]) -> Text:
    """The heat-map cell of one gap: the text marker (for monochrome) on a severity colour."""
    variable, towards_background = _HEAT[gap.severity]
    background = Color.parse(theme_variables.get("background", "#000000"))
    colour = Color.parse(theme_variables.get(variable, "#808080"))
    colour = colour.blend(background, towards_background)
    style = Style(
        bgcolor=colour.rich_color,
        color=colour.get_contrast_text(1.0).rich_color,
        bold=gap.severity in (Severity.HIGH, Severity.MEDIUM),
    )
    size = "" if gap.gap is None else score_text(gap.gap)
    return Text(f" {gap.marker:<3} {size:>4} ", style=style)


def readout(row: RoundRow, total: int) -> Text:
    """The selected statement in full, as the facilitator reads it out to the room."""
    statement = row.statement
    text = Text()
    text.append(f"{row.number}/{total} ", style="bold")
    theme = terminal_safe(statement.theme)
    text.append(f"{theme} · {polarity_text(statement.polarity)}\n", style="dim")
    text.append(terminal_safe(statement.text), style="bold")
    return text


SaveScore = Callable[[RoundRow, int | None], RoundRow]
FollowRow = Callable[[RoundRow], None]


class ScoreEntry(ModalScreen[bool]):
    """Enter one team's scores statement by statement: a digit saves and moves to the next.

    The other team's scores never appear here. Dismisses with True when it closed itself
    after scoring the last statement, False when the facilitator closed it.
    """

    BINDINGS = [
        *[
            Binding(
                str(n),
                f"score({n})",
                str(n),
                show=n in (1, 5),
                id=f"score_entry.score{n}",
                tooltip=f"Score {n} and move to the next statement",
            )
            for n in range(1, 6)
        ],
        Binding(
            "enter,down",
            "move(1)",
            "Skip",
            id="score_entry.next",
            tooltip="Keep this score and go to the next statement",
        ),
        Binding(
            "up", "move(-1)", "Back", id="score_entry.back", tooltip="Go to the previous statement"
        ),
        Binding(
            "backspace",
            "clear",
            "Clear",
            id="score_entry.clear",
            tooltip="Remove this team's score for this statement",
        ),
        Binding("escape", "done", "Done", id="score_entry.done", tooltip="Stop entering scores"),
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
