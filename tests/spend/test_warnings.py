"""The banner: everyone is warned of a low balance; admins see who is near a budget."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from depicta_web.generations.models import Generation
from depicta_web.spend.models import PersonBudget, SpendSettings

from .conftest import charge

pytestmark = pytest.mark.django_db


def page_for(user) -> str:
    """A page of the studio (a generation's detail page) as `user` sees it."""
    client = Client()
    client.force_login(user)
    generation = Generation.objects.order_by("created_at").first()
    response = client.get(reverse("gallery:detail", args=[generation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_everyone_sees_a_low_balance_under_the_admins_threshold(alice, carol):
    SpendSettings.objects.create(pk=1, low_balance_eur=Decimal("2.000000"))
    charge(alice, "0.045000", balance="1.500000")
    assert "The Depicta balance is low: €1.50, under €2.00" in page_for(alice)
    assert "Ask an admin to top up" in page_for(alice)
    assert "Note a top-up" in page_for(carol)


def test_no_banner_above_the_threshold(alice):
    SpendSettings.objects.create(pk=1, low_balance_eur=Decimal("1.000000"))
    charge(alice, "0.045000", balance="1.500000")
    assert 'id="spend-warnings"' not in page_for(alice)


def test_admins_see_who_is_near_their_budget_and_designers_do_not(alice, carol):
    PersonBudget.objects.create(user=alice, monthly_limit_eur=Decimal("1.000000"))
    charge(alice, "0.900000")
    assert "alice has used 90% of their monthly budget" in page_for(carol)
    assert "has used" not in page_for(alice)


def test_admins_set_the_threshold_and_budgets(carol_client, alice):
    url = reverse("spend:budgets")
    response = carol_client.post(
        url,
        {
            "set_team": "1",
            "team_monthly_limit_eur": "50",
            "low_balance_eur": "3.5",
            "near_budget_percent": "75",
        },
    )
    assert response.status_code == 302
    team = SpendSettings.objects.get()
    assert (team.team_monthly_limit_eur, team.low_balance_eur, team.near_budget_percent) == (
        Decimal("50.000000"),
        Decimal("3.500000"),
        75,
    )
    carol_client.post(url, {"user": alice.pk, "monthly_limit_eur": "12.5"})
    assert PersonBudget.objects.get(user=alice).monthly_limit_eur == Decimal("12.500000")
    carol_client.post(url, {"user": alice.pk, "monthly_limit_eur": ""})
    assert not PersonBudget.objects.exists()


def test_a_bad_budget_is_explained(carol_client, alice):
    response = carol_client.post(
        reverse("spend:budgets"), {"user": alice.pk, "monthly_limit_eur": "-1"}
    )
    assert response.status_code == 422
    assert "greater than or equal to 0" in response.content.decode()
