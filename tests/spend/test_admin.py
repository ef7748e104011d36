"""The Django admin: generations, images, budgets and ledger entries, API money read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from depicta_web.generations.models import GeneratedImage
from depicta_web.spend.models import BalanceObservation, PersonBudget, TopUp

from .conftest import charge

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_page(admin_client):
    def get(name, *args, **params):
        response = admin_client.get(reverse(f"admin:{name}", args=args), params)
        assert response.status_code == 200, name
        return response

    return get


def test_changelists_list_filter_and_search(admin_page, alice):
    generation = charge(alice, "0.045000", balance="9.955000", prompt="A red kite over hills")
    image = GeneratedImage.objects.create(generation=generation, position=1, width=1024)
    PersonBudget.objects.create(user=alice, monthly_limit_eur=Decimal("10"))
    TopUp.objects.create(amount_eur=Decimal("5"), note="invoice 7")
    BalanceObservation.objects.create(amount_eur=Decimal("9.9"), source="sync", job_id="j-1")

    page = admin_page("generations_generation_changelist", q="kite").content.decode()
    assert "A red kite over hills" in page
    assert "0.045000" in page
    assert admin_page("generations_generation_changelist", status__exact="done")
    assert str(image) in admin_page("generations_generatedimage_changelist").content.decode()
    assert "alice" in admin_page("spend_personbudget_changelist").content.decode()
    assert "invoice 7" in admin_page("spend_topup_changelist", q="invoice").content.decode()
    assert "j-1" in admin_page("spend_balanceobservation_changelist").content.decode()
    assert admin_page("spend_spendsettings_changelist")


def test_money_from_the_api_is_read_only(admin_page, alice):
    generation = charge(alice, "0.045000", balance="9.955000")
    form = admin_page("generations_generation_change", generation.pk).context["adminform"]
    for name in ("cost_eur", "balance_eur", "estimated_cost_eur", "responded_at"):
        assert name in form.readonly_fields
    synced = BalanceObservation.objects.create(amount_eur=Decimal("9.9"), source="sync")
    form = admin_page("spend_balanceobservation_change", synced.pk).context["adminform"]
    assert "amount_eur" in form.readonly_fields
