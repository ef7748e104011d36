"""The spend screens are for admins: a designer gets 403, a visitor the login page."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", reverse("spend:overview")),
    ("get", reverse("spend:generations")),
    ("get", reverse("spend:ledger")),
    ("get", reverse("spend:budgets")),
    ("get", reverse("spend:export", args=["by-person"])),
    ("post", reverse("spend:sync")),
    ("post", reverse("spend:topup")),
    ("post", reverse("spend:budgets")),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_a_designer_is_refused_every_spend_page(alice_client, method, url):
    response = getattr(alice_client, method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_a_visitor_is_sent_to_the_login_page(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_admins_see_the_spend_link(alice, carol):
    spend = reverse("spend:overview")
    designer, admin = Client(), Client()
    designer.force_login(alice)
    admin.force_login(carol)
    assert f'href="{spend}"' not in designer.get(reverse("studio:index")).content.decode()
    page = admin.get(spend).content.decode()
    assert f'href="{spend}" aria-current="page">Spend</a>' in page


def test_a_designer_cannot_set_budgets(alice_client, alice):
    from depicta_web.spend.models import PersonBudget

    alice_client.post(reverse("spend:budgets"), {"user": alice.pk, "monthly_limit_eur": "999"})
    assert not PersonBudget.objects.exists()
