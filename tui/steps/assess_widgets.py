"""Pieces of the Assess step: score and heat-map cells, the read-out, the results legend."""

from __future__ import annotations

from decimal import Decimal

from rich.style import Style
from rich.text import Text
from textual.color import Color

from workshop.assessment import Gap, Polarity, Severity
from workshop.blind_round import RoundRow
from workshop.text import terminal_safe

HIDDEN = "•••"
"""What the hidden team's column shows during blind entry: never the numbers."""

NO_SCORE = "–"

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
