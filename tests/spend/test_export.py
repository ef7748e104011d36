"""CSV exports: the tables as shown, with the page's filters, money as 6-place strings."""

import csv
import io

import pytest
from django.urls import reverse

from depicta_web.spend.models import PersonBudget, TopUp

from .conftest import at, charge, in_flight

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(alice, bob):
    charge(alice, "0.045000", when=at(0), balance="9.895000", hold="0.050000")
    charge(bob, "0.060000", when=at(0), balance="9.940000", model="imagen-ultra")
    charge(alice, "0.030000", when=at(3), model="seedream-4", prompt='A "quoted", comma prompt')
    charge(bob, "2.000000", when=at(40), model="imagen-ultra")


def rows(client, table, **params):
    response = client.get(reverse("spend:export", args=[table]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_by_person_csv(carol_client, seeded):
    assert rows(carol_client, "by-person") == [
        ["person", "generations", "total_eur"],
        ["alice", "2", "0.075000"],
        ["bob", "1", "0.060000"],
    ]


def test_by_model_csv_keeps_the_filters(carol_client, seeded, bob):
    assert rows(carol_client, "by-model", days="90", author=bob.pk) == [
        ["model", "generations", "total_eur"],
        ["imagen-ultra", "2", "2.060000"],
    ]


def test_by_day_csv_has_the_charts_numbers(carol_client, seeded):
    table = rows(carol_client, "by-day", days="7")
    assert table[0] == ["day", "imagen-ultra", "flux-pro", "seedream-4", "total_eur"]
    assert len(table) == 1 + 7
    assert table[-1] == [at(0).date().isoformat(), "0.060000", "0.045000", "0.000000", "0.105000"]
    assert table[-4] == [at(3).date().isoformat(), "0.000000", "0.000000", "0.030000", "0.030000"]


def test_generations_csv_quotes_prompts_and_shows_hold_and_cost(carol_client, seeded):
    table = rows(carol_client, "generations", first=at(3).date().isoformat())
    header, *body = table
    assert header[:7] == [
        "charged_at",
        "person",
        "model",
        "status",
        "hold_eur",
        "cost_eur",
        "balance_eur",
    ]
    assert len(body) == 3
    flux = next(r for r in body if r[2] == "flux-pro")
    assert flux[4:7] == ["0.050000", "0.045000", "9.895000"]
    seedream = next(r for r in body if r[2] == "seedream-4")
    assert seedream[-1] == 'A "quoted", comma prompt'


def test_ledger_csv_includes_top_ups(carol_client, seeded):
    TopUp.objects.create(amount_eur="5.000000", paid_at=at(1), note="invoice 7")
    table = rows(carol_client, "ledger", days="7")
    kinds = [r[1] for r in table[1:]]
    assert kinds == ["charge", "top-up", "charge", "charge"]
    top_up = table[2]
    assert (top_up[6], top_up[9]) == ("5.000000", "invoice 7")


def test_an_unknown_table_is_404(carol_client):
    assert carol_client.get(reverse("spend:export", args=["salaries"])).status_code == 404


def test_budgets_csv(carol_client, alice):
    PersonBudget.objects.create(user=alice, monthly_limit_eur="1.000000")
    charge(alice, "0.300000")
    in_flight(alice, "0.045000")
    assert rows(carol_client, "budgets") == [
        ["who", "limit_eur", "charged_eur", "generating_eur", "committed_eur", "percent"],
        ["alice", "1.000000", "0.300000", "0.045000", "0.345000", "34"],
    ]
