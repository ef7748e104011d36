"""Sync now and top-up notes against the real sandbox: the ledger explains its balance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from depicta_web.spend.ledger import Period, balance_sync, reconciliation
from depicta_web.spend.models import BalanceObservation, TopUp

from .. import depicta_docs as docs
from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_sync_now_records_the_balance_from_the_account_profile(
    carol_client, done_generation, sandbox_balance
):
    response = carol_client.post(reverse("spend:sync"), follow=True)
    observation = BalanceObservation.objects.get()
    assert observation.source == "sync"
    assert observation.amount_eur == sandbox_balance() == done_generation.balance_eur
    assert observation.held_eur == Decimal("0.000000")
    assert f"Depicta reports a balance of €{observation.amount_eur}" in response.content.decode()
    carol_client.post(reverse("spend:sync"))
    assert BalanceObservation.objects.count() == 1  # nothing changed: nothing recorded twice


def test_sync_works_before_any_image_was_made(carol_client, sandbox, sandbox_balance):
    carol_client.post(reverse("spend:sync"))
    assert BalanceObservation.objects.get().amount_eur == sandbox_balance()


def test_sync_now_says_so_when_depicta_does_not_answer(carol_client, settings):
    from ..processes import free_port

    settings.DEPICTA_BASE_URL = f"http://127.0.0.1:{free_port()}"
    response = carol_client.post(reverse("spend:sync"), follow=True)
    assert "Balance not synced. Depicta did not answer" in response.content.decode()
    assert not BalanceObservation.objects.exists()


def test_the_spend_page_shows_what_depicta_holds_and_what_is_available(
    carol_client, documented_api
):
    carol_client.post(reverse("spend:sync"))
    page = carol_client.get(reverse("spend:overview")).content.decode()
    assert "€0.090000 held for images in progress, €12.865000 available" in page
    assert "Credits expire on 15 Jan 2027." in page
    assert "a paid top-up before then" not in page  # 45 days away: no warning yet


def test_admins_are_warned_a_month_before_the_credits_expire(
    carol_client, documented_api, bob, client
):
    soon = timezone.now() + timedelta(days=10)
    profile = {"user": {**docs.PROFILE["user"], "credits_expire_at": soon.isoformat()}}
    documented_api.routes["GET /v1/account/profile"] = (200, profile, {})
    carol_client.post(reverse("spend:sync"))
    warning = f"Depicta credits expire on {timezone.localtime(soon):%-d %b %Y}"
    assert warning in carol_client.get(reverse("studio:index")).content.decode()
    assert (
        "a paid top-up before then" in carol_client.get(reverse("spend:overview")).content.decode()
    )
    client.force_login(bob)  # a designer: not theirs to act on
    assert "credits expire" not in client.get(reverse("studio:index")).content.decode()


def test_a_difference_that_is_exactly_the_holds_is_explained_as_such(carol, documented_api):
    BalanceObservation.objects.create(
        amount_eur=Decimal("12.955000"),
        observed_at=timezone.now() - timedelta(hours=1),
        source=BalanceObservation.Source.MANUAL,
        recorded_by=carol,
    )
    # Depicta took its €0.09 hold off the balance it reports; no charge is recorded yet.
    held_off = {"user": {**docs.PROFILE["user"], "balance_eur": "12.865000"}}
    documented_api.routes["GET /v1/account/profile"] = (200, held_off, {})
    balance_sync(user=carol)
    result = reconciliation(Period.last_days(1))
    assert result.difference == Decimal("-0.090000")
    assert result.explained_by_holds


def test_a_noted_top_up_makes_the_reconciliation_add_up(
    carol_client, done_generation, sandbox_balance, settings
):
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
