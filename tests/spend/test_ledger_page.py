"""The ledger page: every charge with its hold, observed balances, top-ups noted by hand."""

from decimal import Decimal

import pytest
from django.urls import reverse

from depicta_web.spend.models import BalanceObservation, TopUp

from .conftest import at, charge

pytestmark = pytest.mark.django_db

LEDGER = reverse("spend:ledger")


def test_the_ledger_shows_each_charge_with_its_hold_and_the_balance_after(carol_client, alice):
    charge(alice, "0.041000", hold="0.045000", balance="9.959000", when=at(0))
    page = carol_client.get(LEDGER).content.decode()
    for amount in ("€0.045000", "€0.041000", "€9.959000"):
        assert amount in page


def test_an_admin_notes_a_top_up_with_the_balance_shown_after_it(carol_client, carol):
    response = carol_client.post(
        reverse("spend:topup"),
        {
            "amount_eur": "20",
            "paid_at": "2026-11-02T09:30",
            "note": "card",
            "balance_after": "24.5",
        },
        follow=True,
    )
    assert "Top-up of €20.000000 noted." in response.content.decode()
    topup = TopUp.objects.get()
    assert (topup.amount_eur, topup.note, topup.recorded_by) == (
        Decimal("20.000000"),
        "card",
        carol,
    )
    seen = BalanceObservation.objects.get()
    assert (seen.amount_eur, seen.source) == (Decimal("24.500000"), "manual")
    assert seen.observed_at > topup.paid_at


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_a_top_up_must_be_a_positive_amount(carol_client, amount):
    response = carol_client.post(
        reverse("spend:topup"), {"amount_eur": amount, "paid_at": "2026-11-02T09:30"}
    )
    assert response.status_code == 422
    assert not TopUp.objects.exists()
