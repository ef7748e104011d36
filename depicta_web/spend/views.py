"""The admins' spend screens. Staff only: a designer gets 403, a visitor the login page."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import ledger
from .budgets import budgets_in_use
from .chart import chart_build
from .exports import EXPORTS
from .forms import PersonBudgetForm, SpendFilterForm, SpendSettingsForm, TopUpForm
from .ledger import Filters, Period
from .models import SpendSettings
from .selectors import account_state


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("The spend pages are for admins.")
        return view(request, *args, **kwargs)

    return wrapped


def drill_url(period: Period, filters: Filters | None = None) -> str:
    """The generations behind a figure: same period, same model or person."""
    filters = filters or Filters()
    query: dict[str, str | int] = {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
    }
    if filters.model:
        query["model"] = filters.model
    if filters.author_id is not None:
        query["author"] = filters.author_id
    return f"{reverse('spend:generations')}?{urlencode(query)}"


def _filters(request: HttpRequest) -> SpendFilterForm:
    return SpendFilterForm(request.GET or None)


def _filter_context(request: HttpRequest, form: SpendFilterForm) -> dict:
    """What the shared filter bar and the CSV links need."""
    return {
        "form": form,
        "period": form.period,
        "filters": form.filters,
        "split": form.split,
        "days_value": str(len(form.period)),
        "query": request.GET.urlencode(),
    }


def _series_filter(
    split: str, series: str, by_person: dict[str, int | None], base: Filters
) -> Filters:
    if split == "person":
        return Filters(model=base.model, author_id=by_person.get(series))
    return Filters(model=series, author_id=base.author_id)


@require_GET
@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    period, filters, split = form.period, form.filters, form.split
    people = ledger.spend_by_person(period, filters)
    ids = {row.key: row.author_id for row in people}
    daily = ledger.spend_by_day(period, by=split, filters=filters)

    def href_for(day: date, series: str) -> str:
        return drill_url(Period(day, day), _series_filter(split, series, ids, filters))

    balance = ledger.balance_current()
    rate = ledger.burn_rate()
    context = {
        **_filter_context(request, form),
        "balance": balance,
        "account": account_state(),
        "burn_rate": rate,
        "days_left": ledger.days_left(balance.amount if balance else None, rate),
        "recent": [
            (label, ledger.spend_total(p), drill_url(p))
            for label, p in (
                ("Today", Period.last_days(1)),
                ("Last 7 days", Period.last_days(7)),
                ("Last 30 days", Period.last_days(30)),
            )
        ],
        "total": daily.total,
        "period_url": drill_url(period, filters),
        "chart": chart_build(daily, href_for=href_for),
        "people": [
            (row, drill_url(period, Filters(filters.model, row.author_id))) for row in people
        ],
        "models": [
            (row, drill_url(period, Filters(row.key, filters.author_id)))
            for row in ledger.spend_by_model(period, filters)
        ],
        "expensive": ledger.generations_expensive(period, filters),
        "reconciliation": ledger.reconciliation(period),
        "budgets": budgets_in_use(),
    }
    return render(request, "spend/index.html", context)


@require_GET
@staff_required
def generations(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    rows = ledger.charges(form.period, form.filters).select_related("author")
    context = {
        **_filter_context(request, form),
        "generations": rows.order_by("-responded_at"),
        "total": ledger.spend_total(form.period, form.filters),
    }
    return render(request, "spend/generations.html", context)


@require_GET
@staff_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    """Any table of the spend screens as CSV, with the same filters as the page."""
    if table not in EXPORTS:
        raise Http404("No such table.")
    form = _filters(request)
    header, rows = EXPORTS[table](form)
    period = form.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="spend-{table}-{period.first}-{period.last}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _ledger_context(request: HttpRequest, topup_form: TopUpForm) -> dict:
    form = _filters(request)
    return {
        **_filter_context(request, form),
        "lines": ledger.ledger_lines(form.period),
        "reconciliation": ledger.reconciliation(form.period),
        "topup_form": topup_form,
    }


@require_GET
@staff_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    return render(request, "spend/ledger.html", _ledger_context(request, TopUpForm()))


@require_POST
@staff_required
def topup(request: HttpRequest) -> HttpResponse:
    form = TopUpForm(request.POST)
    if not form.is_valid():
        return render(request, "spend/ledger.html", _ledger_context(request, form), status=422)
    data = form.cleaned_data
    noted = ledger.topup_record(
        user=request.user,
        amount=data["amount_eur"],
        paid_at=data["paid_at"],
        note=data["note"],
        balance_after=data["balance_after"],
    )
    messages.success(request, f"Top-up of €{noted.amount_eur} noted.")
    return redirect("spend:ledger")


@require_POST
@staff_required
def sync(request: HttpRequest) -> HttpResponse:
    try:
        seen = ledger.balance_sync(user=request.user)
    except ledger.SyncUnavailable as exc:
        messages.error(request, f"Balance not synced. {exc}")
    else:
        held = f", €{seen.held_eur} of it held for images in progress" if seen.held_eur else ""
        messages.success(
            request,
            f"Depicta reports a balance of €{seen.amount_eur}{held} "
            f"(synced {localtime(seen.observed_at):%d %b %H:%M}).",
        )
    return redirect("spend:overview")


@require_http_methods(["GET", "POST"])
@staff_required
def budgets(request: HttpRequest) -> HttpResponse:
    team = SpendSettings.current()
    settings_form = SpendSettingsForm(instance=team)
    person_form = PersonBudgetForm()
    status = 200
    if request.method == "POST":
        if "set_team" in request.POST:
            settings_form = SpendSettingsForm(request.POST, instance=team)
            if settings_form.is_valid():
                settings_form.save()
                messages.success(request, "Spend settings saved.")
                return redirect("spend:budgets")
        else:
            person_form = PersonBudgetForm(request.POST)
            if person_form.is_valid():
                person_form.save(by=request.user)
                messages.success(request, f"Budget for {person_form.cleaned_data['user']} saved.")
                return redirect("spend:budgets")
        status = 422
    context = {
        "settings_form": settings_form,
        "person_form": person_form,
        "budgets": budgets_in_use(),
    }
    return render(request, "spend/budgets.html", context, status=status)
