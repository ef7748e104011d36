"""Sync now and top-up notes against the real sandbox: the ledger explains its balance."""

from decimal import Decimal

import pytest
from django.urls import reverse

from depicta_web.spend.ledger import Period, reconciliation
from depicta_web.spend.models import BalanceObservation, TopUp

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_sync_now_records_the_balance_of_the_latest_job(carol_client, done_generation, depicta):
    response = carol_client.post(reverse("spend:sync"), follow=True)
    observation = BalanceObservation.objects.get()
    assert observation.source == "sync"
    assert observation.job_id == done_generation.job_id
    assert observation.amount_eur == done_generation.balance_eur
    assert f"Depicta reports a balance of €{observation.amount_eur}" in response.content.decode()
    carol_client.post(reverse("spend:sync"))
    assert BalanceObservation.objects.count() == 1  # the same job is not recorded twice


def test_sync_now_says_so_when_no_job_has_completed(carol_client, sandbox):
    response = carol_client.post(reverse("spend:sync"), follow=True)
    assert "Balance not synced" in response.content.decode()
    assert not BalanceObservation.objects.exists()


def test_a_noted_top_up_makes_the_reconciliation_add_up(
    carol_client, done_generation, sandbox_balance, settings
):
    from django.utils import timezone

    from depicta_web.sandbox.accounts import account_for_key
    from depicta_web.sandbox.credits import credit_topup

    opening = done_generation.balance_eur
    credit_topup(account=account_for_key(settings.DEPICTA_API_KEY), amount=Decimal("5"))
    response = carol_client.post(
        reverse("spend:topup"),
        {
            "amount_eur": "5.00",
            "paid_at": timezone.localtime().replace(tzinfo=None).isoformat(),
            "note": "Invoice 2026-11",
            "balance_after": str(sandbox_balance()),
        },
    )
    assert response.status_code == 302
    assert TopUp.objects.get().amount_eur == Decimal("5.000000")
    result = reconciliation(Period.last_days(1))
    assert result.opening.amount == opening
    assert result.closing.amount == opening + 5
    assert result.topups_total == Decimal("5.000000")
    assert result.difference == Decimal("0.000000")
    # Without the note, the same balances leave EUR 5 unexplained.
    TopUp.objects.all().delete()
    assert reconciliation(Period.last_days(1)).difference == Decimal("5.000000")
