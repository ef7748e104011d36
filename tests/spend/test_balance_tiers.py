"""The prompt form follows Depicta's balance tiers: what the balance cannot buy is disabled,
with the reason, and refused before any API call."""

import re

import pytest
from django.urls import reverse

from depicta_web.generations.models import Generation

from ..conftest import ALL_DATABASES
from .conftest import charge

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def option(page: str, value: str) -> str:
    return re.search(rf'<option value="{re.escape(value)}"[^>]*>[^<]*</option>', page).group(0)


def test_under_fifty_cents_only_budget_models_at_most_2k(alice_client, alice, depicta):
    charge(alice, "0.045000", balance="0.300000")
    page = alice_client.get(reverse("studio:index")).content.decode()
    for model in depicta.list_models().models:
        html = option(page, model.key)
        if model.budget:
            assert "disabled" not in html
        else:
            assert "disabled" in html
            assert "unavailable: below a €0.50 balance (now €0.300000) only budget models" in html
    assert "disabled" in option(page, "4K")
    assert "disabled" not in option(page, "2K")


def test_a_model_the_tier_rules_out_is_refused_before_any_api_call(
    alice_client, alice, depicta, sandbox_jobs_total
):
    charge(alice, "0.045000", balance="0.300000")
    before = sandbox_jobs_total()
    response = alice_client.post(
        reverse("studio:submit"),
        {"prompt": "A fox", "model": "flux-pro", "aspect_ratio": "1:1", "image_size": "1K"},
    )
    assert response.status_code == 422
    assert "FLUX Pro is unavailable" in " ".join(response.context["form"].errors["model"])
    assert Generation.objects.count() == 1
    assert sandbox_jobs_total() == before


def test_a_budget_model_still_works_in_the_low_tier(alice_client, alice, depicta):
    charge(alice, "0.045000", balance="0.300000")
    budget_model = next(m for m in depicta.list_models().models if m.budget)
    response = alice_client.post(
        reverse("studio:submit"),
        {"prompt": "A fox", "model": budget_model.key, "aspect_ratio": "1:1", "image_size": "2K"},
    )
    assert response.status_code == 302
    assert Generation.objects.filter(model=budget_model.key).count() == 1


def test_under_one_cent_nothing_can_be_picked(alice_client, alice, depicta):
    charge(alice, "0.045000", balance="0.005000")
    page = alice_client.get(reverse("studio:index")).content.decode()
    for model in depicta.list_models().models:
        assert "the balance (€0.005000) is under €0.01" in option(page, model.key)


def test_with_a_healthy_balance_every_model_is_offered(alice_client, alice, depicta):
    charge(alice, "0.045000", balance="20.000000")
    page = alice_client.get(reverse("studio:index")).content.decode()
    assert "disabled" not in "".join(option(page, m.key) for m in depicta.list_models().models)
