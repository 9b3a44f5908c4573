"""Reverse-waterfall maths: from one revenue target back to the volume every stage must reach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from workshop.errors import RevenueInputError
from workshop.models import MAX_MAGNITUDE

ROUNDING_RULE: str = (
    "Deals = ⌈target ÷ average deal size⌉; each earlier stage = ⌈next stage ÷ its conversion "
    "to the next stage⌉, rounded up at every stage; each stage after the won stage = "
    "⌊previous stage × its conversion⌋ (a missing conversion counts as 100%); per-month "
    "figures are ⌈volume ÷ months⌉; marketing-sourced = ⌈volume × marketing share⌉ and "
    "sales-sourced is the rest; pipeline coverage = 100 ÷ win rate, to two decimals."
)

# Default conversions are starting points to edit in the room; the 25% win rate on the stage
# before the won stage matches the design's worked example ($1.2M, $25k deals → 48 deals).
DEFAULT_BOWTIE: tuple[str, ...] = (
    "Awareness", "Education", "Selection", "Commit", "Onboard", "Impact", "Growth"
)  # fmt: skip
BOWTIE_WON_STAGE = "Commit"
DEFAULT_BOWTIE_CONVERSIONS: tuple[Decimal | None, ...] = (
    Decimal(10), Decimal(30), Decimal(25), Decimal(95), Decimal(80), Decimal(40), None
)  # fmt: skip

DEFAULT_WATERFALL: tuple[str, ...] = ("Lead", "MQL", "SAL", "SQL", "Opportunity", "Won")
DEFAULT_WATERFALL_CONVERSIONS: tuple[Decimal | None, ...] = (
    Decimal(30), Decimal(50), Decimal(60), Decimal(40), Decimal(25), None
)  # fmt: skip

_HUNDRED = Decimal(100)
_MAX_MONTHS = 120


@dataclass(frozen=True)
class StageInput:
    """One stage as the facilitator entered it: its name and % converting to the next stage."""

    name: str
    conversion: Decimal | None


@dataclass(frozen=True)
class StageVolume:
    """The count one stage must reach over the period, per month, and by source."""

    name: str
    volume: int
    per_month: int
    conversion: Decimal | None
    marketing_sourced: int
    sales_sourced: int
    after_won: bool


@dataclass(frozen=True)
class RevenuePlan:
    """The worked-back revenue cycle: deals, every stage's volume and the pipeline needed."""

    target: Decimal
    average_deal_size: Decimal
    months: int
    marketing_share: Decimal
    deals: int
    stages: tuple[StageVolume, ...]
    won_index: int
    win_rate: Decimal | None
    coverage: Decimal | None
    pipeline_value: Decimal | None

    @property
    def won_stage(self) -> StageVolume:
        """The stage where a deal counts as won (its volume is the number of deals)."""
        return self.stages[self.won_index]

    def volume_of(self, name: str) -> int:
        """Return the volume of the stage called `name`, ignoring case; KeyError if absent."""
        wanted = name.strip().casefold()
        for stage in self.stages:
            if stage.name.strip().casefold() == wanted:
                return stage.volume
        raise KeyError(name)


def _as_decimal(value: object) -> Decimal | None:
    """Read a finite Decimal from a Decimal, int, float or text, or None if it is not a number."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, Decimal | int):
            number = Decimal(value)
        elif isinstance(value, float | str):
            # Floats go through str so 12.5 stays 12.5 rather than its binary expansion.
            number = Decimal(str(value).strip())
        else:
            return None
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    # Refuse what no revenue plan needs and exact integer maths cannot do quickly.
    exponent = number.as_tuple().exponent
    if number.copy_abs() >= MAX_MAGNITUDE or (isinstance(exponent, int) and exponent < -6):
        return None
    return number


def parse_percentage(value: str | int | Decimal, field: str = "conversion") -> Decimal:
    """Read a percentage above 0 and at most 100 from 30, "30", "30%" or " 12.5 % "."""
    text = value.strip().removesuffix("%") if isinstance(value, str) else value
    number = _as_decimal(text)
    if number is None or not Decimal(0) < number <= _HUNDRED:
        raise RevenueInputError(
            f"{field} must be a percentage above 0 and at most 100 (got {_shown(value)})."
        )
    return number


def _shown(value: object) -> str:
    """Quote a rejected input the way the facilitator typed it."""
    return repr(str(value))


def _positive_amount(value: Decimal, field: str) -> Decimal:
    """Check that a money amount is a number above zero."""
    number = _as_decimal(value)
    if number is None or number <= 0:
        raise RevenueInputError(f"{field} must be an amount above 0 (got {_shown(value)}).")
    return number


def _ceil_div(numerator: int, denominator: int) -> int:
    """Integer ceiling of numerator ÷ denominator (denominator > 0), exact at any size."""
    return -(-numerator // denominator)


def _stage_conversions(stages: Sequence[StageInput], won_index: int) -> tuple[Decimal | None, ...]:
    """Validate every stage's name and conversion; stages before the won stage need one."""
    seen: set[str] = set()
    conversions: list[Decimal | None] = []
    for position, stage in enumerate(stages):
        if not stage.name or not stage.name.strip():
            raise RevenueInputError(f"Stage {position + 1}: name must not be empty.")
        key = stage.name.strip().casefold()
        if key in seen:
            raise RevenueInputError(f"Stage '{stage.name}': name is used more than once.")
        seen.add(key)
        field = f"Stage '{stage.name}': conversion"
        if stage.conversion is not None:
            conversions.append(parse_percentage(stage.conversion, field))
        elif position < won_index:
            raise RevenueInputError(
                f"{field} must be a percentage above 0 and at most 100 (got nothing)."
            )
        else:
            conversions.append(None)
    return tuple(conversions)


def plan_revenue_cycle(
    target: Decimal,
    average_deal_size: Decimal,
    stages: Sequence[StageInput],
    *,
    months: int = 12,
    marketing_share: Decimal = Decimal(50),
    won_index: int | None = None,
) -> RevenuePlan:
    """Work back from a revenue target to the volume each stage needs, rounding up per stage."""
    target = _positive_amount(target, "target")
    average_deal_size = _positive_amount(average_deal_size, "average deal size")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= _MAX_MONTHS:
        raise RevenueInputError(
            f"months must be a whole number from 1 to {_MAX_MONTHS} (got {_shown(months)})."
        )
    share = _as_decimal(marketing_share)
    if share is None or not Decimal(0) <= share <= _HUNDRED:
        raise RevenueInputError(
            f"marketing share must be a percentage from 0 to 100 (got {_shown(marketing_share)})."
        )
    if not stages:
        raise RevenueInputError("stages must list at least one stage.")
    won = len(stages) - 1 if won_index is None else won_index
    if isinstance(won, bool) or not isinstance(won, int) or not 0 <= won < len(stages):
        raise RevenueInputError(
            f"won stage must be one of the {len(stages)} stages (got index {won_index})."
        )
    conversions = _stage_conversions(stages, won)

    target_n, target_d = target.as_integer_ratio()
    deal_n, deal_d = average_deal_size.as_integer_ratio()
    deals = _ceil_div(target_n * deal_d, target_d * deal_n)

    volumes = [0] * len(stages)
    volumes[won] = deals
    for position in range(won - 1, -1, -1):
        conversion = conversions[position]
        assert conversion is not None  # _stage_conversions requires it before the won stage
        conv_n, conv_d = conversion.as_integer_ratio()
        volumes[position] = _ceil_div(volumes[position + 1] * 100 * conv_d, conv_n)
    for position in range(won + 1, len(stages)):
        conv_n, conv_d = (conversions[position - 1] or _HUNDRED).as_integer_ratio()
        volumes[position] = volumes[position - 1] * conv_n // (conv_d * 100)

    share_n, share_d = share.as_integer_ratio()
    stage_volumes = []
    for position, stage in enumerate(stages):
        volume = volumes[position]
        marketing = _ceil_div(volume * share_n, share_d * 100)
        stage_volumes.append(
            StageVolume(
                name=stage.name,
                volume=volume,
                per_month=_ceil_div(volume, months),
                conversion=conversions[position],
                marketing_sourced=marketing,
                sales_sourced=volume - marketing,
                after_won=position > won,
            )
        )

    win_rate = conversions[won - 1] if won > 0 else None
    coverage: Decimal | None = None
    pipeline_value: Decimal | None = None
    if win_rate is not None:
        coverage = _coverage(win_rate)
        with localcontext() as exact:
            # Enough digits that target × coverage is never rounded.
            exact.prec = len(target.as_tuple().digits) + len(coverage.as_tuple().digits) + 2
            pipeline_value = target * coverage
    return RevenuePlan(
        target=target,
        average_deal_size=average_deal_size,
        months=months,
        marketing_share=share,
        deals=deals,
        stages=tuple(stage_volumes),
        won_index=won,
        win_rate=win_rate,
        coverage=coverage,
        pipeline_value=pipeline_value,
    )


def _coverage(win_rate: Decimal) -> Decimal:
    """Pipeline coverage 100 ÷ win rate to two decimals, computed exactly and rounded half up."""
    rate_n, rate_d = win_rate.as_integer_ratio()
    numerator, denominator = 100 * 100 * rate_d, rate_n
    hundredths = (2 * numerator + denominator) // (2 * denominator)
    return Decimal(f"{hundredths}E-2")
