"""Tests of the reverse-waterfall maths in workshop.revenue."""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.errors import RevenueInputError, ValidationFailed
from workshop.revenue import (
    BOWTIE_WON_STAGE,
    DEFAULT_BOWTIE,
    DEFAULT_BOWTIE_CONVERSIONS,
    DEFAULT_WATERFALL,
    DEFAULT_WATERFALL_CONVERSIONS,
    ROUNDING_RULE,
    StageInput,
    parse_percentage,
    plan_revenue_cycle,
)


def stages_of(names: tuple[str, ...], conversions: tuple[Decimal | None, ...]) -> list[StageInput]:
    return [
        StageInput(name, conversion) for name, conversion in zip(names, conversions, strict=True)
    ]


def waterfall() -> list[StageInput]:
    return stages_of(DEFAULT_WATERFALL, DEFAULT_WATERFALL_CONVERSIONS)


def test_design_example_through_the_full_waterfall() -> None:
    plan = plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), waterfall())

    assert plan.deals == 48
    assert plan.volume_of("Won") == 48
    assert plan.volume_of("opportunity") == 192
    assert plan.win_rate == Decimal(25)
    assert plan.coverage == Decimal("4.00")
    assert str(plan.coverage) == "4.00"
    assert plan.pipeline_value == Decimal(4_800_000)
    assert plan.won_index == len(DEFAULT_WATERFALL) - 1
    # SQL 40% → 480, SAL 60% → 800, MQL 50% → 1,600, Lead 30% → ⌈5,333.3⌉.
    assert [stage.volume for stage in plan.stages] == [5334, 1600, 800, 480, 192, 48]
    assert not any(stage.after_won for stage in plan.stages)


def test_volume_of_unknown_stage_raises_key_error() -> None:
    plan = plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), waterfall())
    with pytest.raises(KeyError):
        plan.volume_of("Churned")


def test_rounds_up_at_every_stage_not_only_at_the_end() -> None:
    stages = [StageInput("A", Decimal(30)), StageInput("B", Decimal(30)), StageInput("Won", None)]
    plan = plan_revenue_cycle(Decimal(100), Decimal(100), stages)

    assert [stage.volume for stage in plan.stages] == [14, 4, 1]
    # Rounding only once at the end would ask for ⌈1 ÷ 0.09⌉ = 12.
    assert math.ceil(Decimal(1) / (Decimal("0.3") * Decimal("0.3"))) == 12


def test_deals_round_up_for_a_part_deal() -> None:
    plan = plan_revenue_cycle(Decimal("100000.01"), Decimal(25_000), [StageInput("Won", None)])
    assert plan.deals == 5
    assert plan.win_rate is None
    assert plan.coverage is None
    assert plan.pipeline_value is None


def test_per_month_rounds_up() -> None:
    plan = plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), waterfall(), months=12)
    assert plan.stages[-1].per_month == 4  # 48 ÷ 12
    assert plan.volume_of("Opportunity") == 192
    assert plan.stages[4].per_month == 16  # 192 ÷ 12
    assert plan.stages[0].per_month == 445  # ⌈5,334 ÷ 12⌉ = ⌈444.5⌉

    quarterly = plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), waterfall(), months=5)
    assert quarterly.stages[-1].per_month == 10  # ⌈48 ÷ 5⌉ = ⌈9.6⌉


def test_source_split_sums_to_volume_and_rounds_marketing_up() -> None:
    plan = plan_revenue_cycle(
        Decimal(1_200_000), Decimal(25_000), waterfall(), marketing_share=Decimal(30)
    )
    for stage in plan.stages:
        assert stage.marketing_sourced + stage.sales_sourced == stage.volume
    assert plan.stages[-1].marketing_sourced == 15  # ⌈48 × 0.3⌉ = ⌈14.4⌉
    assert plan.stages[-1].sales_sourced == 33


@pytest.mark.parametrize(("share", "marketing"), [(Decimal(0), 0), (Decimal(100), 48)])
def test_source_split_extremes(share: Decimal, marketing: int) -> None:
    plan = plan_revenue_cycle(
        Decimal(1_200_000), Decimal(25_000), waterfall(), marketing_share=share
    )
    assert plan.stages[-1].marketing_sourced == marketing
    assert plan.stages[-1].sales_sourced == 48 - marketing


@pytest.mark.parametrize(
    ("win_rate", "coverage"),
    [("25", "4.00"), ("30", "3.33"), ("40", "2.50"), ("100", "1.00"), ("12.5", "8.00")],
)
def test_coverage_is_100_over_win_rate_to_two_decimals(win_rate: str, coverage: str) -> None:
    stages = [StageInput("Opportunity", Decimal(win_rate)), StageInput("Won", None)]
    plan = plan_revenue_cycle(Decimal(1_000_000), Decimal(10_000), stages)
    assert plan.win_rate == Decimal(win_rate)
    assert str(plan.coverage) == coverage
    assert plan.pipeline_value == Decimal(1_000_000) * Decimal(coverage)


def test_bowtie_customer_stages_are_computed_forwards() -> None:
    stages = stages_of(DEFAULT_BOWTIE, DEFAULT_BOWTIE_CONVERSIONS)
    won = DEFAULT_BOWTIE.index(BOWTIE_WON_STAGE)
    plan = plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), stages, won_index=won)

    assert plan.won_stage.name == "Commit"
    assert plan.volume_of("Commit") == 48
    assert plan.volume_of("Selection") == 192  # 25% win rate
    assert plan.volume_of("Onboard") == 45  # ⌊48 × 0.95⌋ = ⌊45.6⌋
    assert plan.volume_of("Impact") == 36  # ⌊45 × 0.8⌋
    assert plan.volume_of("Growth") == 14  # ⌊36 × 0.4⌋ = ⌊14.4⌋
    assert [stage.after_won for stage in plan.stages] == [False] * 4 + [True] * 3
    assert plan.coverage == Decimal("4.00")


def test_missing_conversion_after_won_counts_as_100_percent() -> None:
    stages = [
        StageInput("Selection", Decimal(50)),
        StageInput("Commit", None),
        StageInput("Onboard", None),
    ]
    plan = plan_revenue_cycle(Decimal(10), Decimal(1), stages, won_index=1)
    assert [stage.volume for stage in plan.stages] == [20, 10, 10]
    assert plan.stages[1].conversion is None


def test_rounding_rule_states_both_directions() -> None:
    assert "⌈" in ROUNDING_RULE and "⌊" in ROUNDING_RULE
    assert "every stage" in ROUNDING_RULE
    assert "months" in ROUNDING_RULE


def test_default_conversions_align_with_names() -> None:
    assert len(DEFAULT_BOWTIE_CONVERSIONS) == len(DEFAULT_BOWTIE)
    assert len(DEFAULT_WATERFALL_CONVERSIONS) == len(DEFAULT_WATERFALL)
    assert DEFAULT_WATERFALL_CONVERSIONS[DEFAULT_WATERFALL.index("Opportunity")] == Decimal(25)
    assert BOWTIE_WON_STAGE in DEFAULT_BOWTIE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", Decimal(30)),
        ("30%", Decimal(30)),
        (30, Decimal(30)),
        (" 12.5 % ", Decimal("12.5")),
        (Decimal(30), Decimal(30)),
        ("100", Decimal(100)),
        (12.5, Decimal("12.5")),
    ],
)
def test_parse_percentage_accepts(value: str | int | Decimal, expected: Decimal) -> None:
    assert parse_percentage(value) == expected


@pytest.mark.parametrize(
    "value", ["abc", "", "   ", "%", "0", 0, "-5", -5, "101", 101, "NaN", "inf", True]
)
def test_parse_percentage_refuses(value: str | int | Decimal) -> None:
    with pytest.raises(RevenueInputError) as caught:
        parse_percentage(value, "win rate")
    message = str(caught.value)
    assert message.startswith("win rate must be a percentage above 0 and at most 100")
    assert repr(str(value)) in message
    assert "\n" not in message
    assert caught.value.problems == [message]
    assert isinstance(caught.value, ValidationFailed)


def test_parse_percentage_names_the_default_field() -> None:
    with pytest.raises(RevenueInputError, match=r"^conversion must be .*\(got 'abc'\)\.$"):
        parse_percentage("abc")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": Decimal(0)}, "target"),
        ({"target": Decimal(-1)}, "target"),
        ({"target": Decimal("NaN")}, "target"),
        ({"average_deal_size": Decimal(0)}, "average deal size"),
        ({"average_deal_size": Decimal(-25_000)}, "average deal size"),
        ({"months": 0}, "months"),
        ({"months": 121}, "months"),
        ({"marketing_share": Decimal(-1)}, "marketing share"),
        ({"marketing_share": Decimal(101)}, "marketing share"),
        ({"won_index": 6}, "won stage"),
        ({"won_index": -1}, "won stage"),
        ({"stages": []}, "stages"),
    ],
)
def test_bad_plan_inputs_name_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "target": Decimal(1_200_000),
        "average_deal_size": Decimal(25_000),
        "stages": waterfall(),
    }
    arguments.update(kwargs)
    target = arguments.pop("target")
    deal = arguments.pop("average_deal_size")
    stages = arguments.pop("stages")
    with pytest.raises(RevenueInputError) as caught:
        plan_revenue_cycle(target, deal, stages, **arguments)  # type: ignore[arg-type]
    assert str(caught.value).startswith(field)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("conversion", [Decimal(0), Decimal(101), Decimal(-10), "abc", ""])
def test_bad_stage_conversion_names_the_stage(conversion: Decimal | str) -> None:
    stages = waterfall()
    stages[3] = StageInput("SQL", conversion)  # type: ignore[arg-type]
    with pytest.raises(RevenueInputError, match=r"^Stage 'SQL': conversion must be a percentage"):
        plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), stages)


def test_missing_conversion_before_won_names_the_stage() -> None:
    stages = waterfall()
    stages[3] = StageInput("SQL", None)
    with pytest.raises(RevenueInputError, match=r"^Stage 'SQL': conversion .*\(got nothing\)\.$"):
        plan_revenue_cycle(Decimal(1_200_000), Decimal(25_000), stages)


def test_missing_conversion_on_last_stage_is_fine() -> None:
    stages = [StageInput("Opportunity", Decimal(25)), StageInput("Won", None)]
    assert plan_revenue_cycle(Decimal(100), Decimal(10), stages).volume_of("Opportunity") == 40


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([StageInput(" ", Decimal(10)), StageInput("Won", None)], "Stage 1: name"),
        ([StageInput("Won", Decimal(10)), StageInput("won", None)], "Stage 'won': name"),
    ],
)
def test_bad_stage_names_are_refused(stages: list[StageInput], message: str) -> None:
    with pytest.raises(RevenueInputError, match=f"^{message}"):
        plan_revenue_cycle(Decimal(100), Decimal(10), stages)


# Properties ------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10_000_000), places=2)
percentages = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
conversion_lists = st.lists(percentages, min_size=0, max_size=7)


def cycle(conversions: list[Decimal]) -> list[StageInput]:
    stages = [StageInput(f"Stage {i}", conversion) for i, conversion in enumerate(conversions)]
    return [*stages, StageInput("Won", None)]


@given(target=amounts, deal=amounts, conversions=conversion_lists)
def test_volumes_never_decrease_going_up_the_cycle(
    target: Decimal, deal: Decimal, conversions: list[Decimal]
) -> None:
    plan = plan_revenue_cycle(target, deal, cycle(conversions))
    volumes = [stage.volume for stage in plan.stages]
    for upper, lower in pairwise(volumes):
        assert upper >= lower


@given(target=amounts, deal=amounts, conversions=conversion_lists)
def test_won_stage_volume_is_ceil_of_target_over_deal(
    target: Decimal, deal: Decimal, conversions: list[Decimal]
) -> None:
    plan = plan_revenue_cycle(target, deal, cycle(conversions))
    # Both are whole cents, so the exact ceiling is an integer division of cents.
    expected = -(-int(target * 100) // int(deal * 100))
    assert plan.deals == expected
    assert plan.won_stage.volume == plan.deals


@given(
    target=amounts,
    deal=amounts,
    conversions=st.lists(percentages, min_size=1, max_size=7),
    data=st.data(),
)
def test_raising_a_conversion_never_raises_an_upstream_volume(
    target: Decimal, deal: Decimal, conversions: list[Decimal], data: st.DataObject
) -> None:
    which = data.draw(st.integers(min_value=0, max_value=len(conversions) - 1))
    higher = data.draw(st.decimals(min_value=conversions[which], max_value=Decimal(100), places=2))
    raised = [*conversions]
    raised[which] = higher

    before = plan_revenue_cycle(target, deal, cycle(conversions))
    after = plan_revenue_cycle(target, deal, cycle(raised))
    for old, new in zip(before.stages, after.stages, strict=True):
        assert new.volume <= old.volume
