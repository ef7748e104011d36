"""The spend tables as CSV rows: the same selectors and filters as the pages, money as the
Decimal's own 6-place string (never a float). Every cell of text people wrote (prompts, names,
notes, model keys) goes through `cell_text`, so a spreadsheet never runs it as a formula."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from depicta_web.lib.spreadsheet import cell_text

from . import ledger
from .budgets import budgets_in_use
from .forms import SpendFilterForm

Table = tuple[list[str], Iterable[list[str]]]


def _eur(value: Decimal | None) -> str:
    return "" if value is None else str(ledger.money(value))


def _when(value) -> str:
    return value.isoformat() if value else ""


def by_person(form: SpendFilterForm) -> Table:
    rows = ledger.spend_by_person(form.period, form.filters)
    return ["person", "generations", "total_eur"], (
        [cell_text(r.label), str(r.count), _eur(r.total)] for r in rows
    )


def by_model(form: SpendFilterForm) -> Table:
    rows = ledger.spend_by_model(form.period, form.filters)
    return ["model", "generations", "total_eur"], (
        [cell_text(r.label), str(r.count), _eur(r.total)] for r in rows
    )


def by_day(form: SpendFilterForm) -> Table:
    """The chart's numbers: one row a day, one column a series, and the day's total."""
    daily = ledger.spend_by_day(form.period, by=form.split, filters=form.filters)
    header = ["day", *(cell_text(s) for s in daily.series), "total_eur"]
    return header, (
        [
            day.isoformat(),
            *(_eur(daily.amount(day, s)) for s in daily.series),
            _eur(daily.day_total(day)),
        ]
        for day in daily.period.days
    )


GENERATION_HEADER = [
    "charged_at",
    "person",
    "model",
    "status",
    "hold_eur",
    "cost_eur",
    "balance_eur",
    "generation",
    "job_id",
    "prompt",
]


def _generation_rows(generations) -> Iterable[list[str]]:
    for g in generations:
        yield [
            _when(g.responded_at),
            cell_text(g.author.get_username()),
            cell_text(g.model),
            g.status,
            _eur(g.estimated_cost_eur),
            _eur(g.cost_eur),
            _eur(g.balance_eur),
            str(g.pk),
            cell_text(g.job_id),
            cell_text(g.prompt),
        ]


def expensive(form: SpendFilterForm) -> Table:
    return GENERATION_HEADER, _generation_rows(
        ledger.generations_expensive(form.period, form.filters)
    )


def generations(form: SpendFilterForm) -> Table:
    rows = ledger.charges(form.period, form.filters).select_related("author")
    return GENERATION_HEADER, _generation_rows(rows.order_by("-responded_at"))


def ledger_table(form: SpendFilterForm) -> Table:
    header = [
        "at",
        "kind",
        "person",
        "model",
        "hold_eur",
        "charge_eur",
        "topup_eur",
        "balance_eur",
        "source",
        "note",
        "generation",
    ]
    return header, (
        [
            _when(line.at),
            line.kind,
            cell_text(line.person),
            cell_text(line.model),
            _eur(line.hold),
            _eur(line.charge),
            _eur(line.topup),
            _eur(line.balance),
            line.source,
            cell_text(line.note),
            line.generation_id,
        ]
        for line in ledger.ledger_lines(form.period)
    )


def budgets(form: SpendFilterForm) -> Table:
    """This month's budgets (a month is the budget's period; the page filters do not apply)."""
    header = ["who", "limit_eur", "charged_eur", "generating_eur", "committed_eur", "percent"]
    return header, (
        [
            cell_text(use.name),
            _eur(use.limit),
            _eur(use.committed.charged),
            _eur(use.committed.in_flight),
            _eur(use.committed.total),
            str(use.percent),
        ]
        for use in budgets_in_use()
    )


EXPORTS: dict[str, Callable[[SpendFilterForm], Table]] = {
    "by-person": by_person,
    "by-model": by_model,
    "by-day": by_day,
    "expensive": expensive,
    "generations": generations,
    "ledger": ledger_table,
    "budgets": budgets,
}
