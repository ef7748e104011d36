"""The chart's geometry: bars stack to each day's total on a 1-2-5 axis."""

from datetime import date
from decimal import Decimal

from depicta_web.spend.chart import BOTTOM, HEIGHT, TOP, chart_build
from depicta_web.spend.ledger import DailySpend, Period


def test_bars_stack_to_the_days_total_and_the_axis_is_a_round_number():
    day = date(2026, 11, 20)
    daily = DailySpend(
        period=Period(day, day),
        series=["imagen-ultra", "flux-pro"],
        cells={day: {"imagen-ultra": Decimal("0.060000"), "flux-pro": Decimal("0.045000")}},
    )
    chart = chart_build(daily, href_for=lambda d, s: f"/{d}/{s}")
    assert chart.scale_max == Decimal("0.2")
    assert [t.label for t in chart.ticks] == ["€0", "€0.1", "€0.2"]
    lower, upper = chart.bars
    assert (lower.series, lower.amount, lower.href) == (
        "imagen-ultra",
        Decimal("0.060000"),
        "/2026-11-20/imagen-ultra",
    )
    plot = HEIGHT - TOP - BOTTOM
    assert lower.height == round(0.3 * plot, 2)
    assert upper.y + upper.height == lower.y  # stacked on top
    assert round(chart.baseline - upper.y, 2) == round(0.525 * plot, 2)  # 0.105 of 0.2
    assert [(item.series, item.total) for item in chart.legend] == [
        ("imagen-ultra", Decimal("0.060000")),
        ("flux-pro", Decimal("0.045000")),
    ]


def test_an_empty_period_draws_no_bars():
    daily = DailySpend(period=Period.last_days(30), series=[])
    chart = chart_build(daily, href_for=lambda d, s: "")
    assert chart.bars == []
    assert chart.scale_max == Decimal("1")
