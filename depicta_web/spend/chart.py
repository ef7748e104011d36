"""Spend per day as a server-rendered stacked bar chart (SVG, no script, no CDN).

The amounts stay Decimal; only pixel coordinates are floats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from .ledger import DailySpend

WIDTH = 960
HEIGHT = 280
LEFT = 64  # room for the euro axis
RIGHT = 24  # room for the last date's label
BOTTOM = 28  # room for the dates
TOP = 12
SERIES_COLOURS = 8  # .series-0 … .series-7 in spend.css; more series share the last colour


@dataclass(frozen=True)
class Bar:
    day: date
    series: str
    amount: Decimal
    x: float
    y: float
    width: float
    height: float
    css: str
    href: str

    @property
    def title(self) -> str:
        return f"{self.day:%a %d %b}: {self.series} €{self.amount}"


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class DayLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Legend:
    series: str
    css: str
    total: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    days: list[DayLabel]
    legend: list[Legend]
    scale_max: Decimal

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 x 10^n at or above `value` (an axis maximum)."""
    if value <= 0:
        return Decimal("1")
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent).to_integral_value(ROUND_CEILING)  # pragma: no cover


def css_for(index: int) -> str:
    return f"series-{min(index, SERIES_COLOURS - 1)}"


def chart_build(daily: DailySpend, *, href_for: Callable[[date, str], str]) -> Chart:
    days = daily.period.days
    scale_max = _nice_ceiling(daily.peak)
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = float(HEIGHT - BOTTOM)
    slot = (WIDTH - LEFT - RIGHT) / len(days)
    bar_width = max(slot * 0.72, 1.0)
    css = {series: css_for(i) for i, series in enumerate(daily.series)}
    bars = []
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar_width) / 2
        stacked = Decimal(0)
        for series in daily.series:
            amount = daily.amount(day, series)
            if amount <= 0:
                continue
            top = float((stacked + amount) / scale_max) * plot_height
            bottom = float(stacked / scale_max) * plot_height
            bars.append(
                Bar(
                    day=day,
                    series=series,
                    amount=amount,
                    x=round(x, 2),
                    y=round(baseline - top, 2),
                    width=round(bar_width, 2),
                    height=round(max(top - bottom, 0.5), 2),
                    css=css[series],
                    href=href_for(day, series),
                )
            )
            stacked += amount
    ticks = [
        Tick(
            y=round(baseline - float(fraction) * plot_height, 2),
            label=f"€{(scale_max * fraction).normalize():f}",
        )
        for fraction in (Decimal(0), Decimal("0.5"), Decimal(1))
    ]
    every = max(len(days) // 10, 1)
    labels = [
        DayLabel(x=round(LEFT + (i + 0.5) * slot, 2), label=f"{day:%d %b}")
        for i, day in enumerate(days)
        if (len(days) - 1 - i) % every == 0
    ]
    totals: dict[str, Decimal] = {s: Decimal(0) for s in daily.series}
    for day in days:
        for series in daily.series:
            totals[series] += daily.amount(day, series)
    legend = [Legend(series=s, css=css[s], total=totals[s]) for s in daily.series]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        baseline=baseline,
        bars=bars,
        ticks=ticks,
        days=labels,
        legend=legend,
        scale_max=scale_max,
    )
