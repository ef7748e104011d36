"""Budgets: a submit that would cross a monthly limit is refused before any API call."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depicta_web.generations.models import Generation
from depicta_web.spend.budgets import budgets_near, spend_committed
from depicta_web.spend.ledger import Period
from depicta_web.spend.models import PersonBudget, SpendSettings

from ..conftest import ALL_DATABASES
from .conftest import at, charge, in_flight

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

SUBMIT = reverse("studio:submit")
FLUX_PRICE = Decimal("0.045000")  # the sandbox's flux-pro at 1K


def post(client, **changes):
    data = {
        "prompt": "A lighthouse on a cliff at dusk",
        "model": "flux-pro",
        "aspect_ratio": "1:1",
        "image_size": "1K",
        "strictness": "",
    }
    data.update(changes)
    return client.post(SUBMIT, data, headers={"HX-Request": "true"})


def budget(user, limit: str) -> PersonBudget:
    return PersonBudget.objects.create(user=user, monthly_limit_eur=Decimal(limit))


def test_a_submit_over_my_budget_is_refused_with_a_clear_message_and_nothing_sent(
    alice_client, alice, sandbox, sandbox_jobs_total
):
    budget(alice, "0.050000")
    charge(alice, "0.030000")
    before = sandbox_jobs_total()
    response = post(alice_client)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#prompt-form"
    body = response.content.decode()
    assert "over your monthly budget of €0.050000" in body
    assert "€0.030000 charged" in body
    assert Generation.objects.count() == 1  # only the seeded charge
    assert DBTaskResult.objects.count() == 0
    assert sandbox_jobs_total() == before


def test_a_submit_within_my_budget_goes_through(alice_client, alice, sandbox):
    budget(alice, "0.075000")
    charge(alice, "0.030000")
    response = post(alice_client)
    assert response.status_code == 200
    assert Generation.objects.filter(status="queued", estimated_cost_eur=FLUX_PRICE).count() == 1


def test_images_still_generating_count_against_the_budget(alice_client, alice, sandbox):
    budget(alice, "0.100000")
    in_flight(alice, "0.045000", status=Generation.Status.QUEUED)
    in_flight(alice, "0.045000", status=Generation.Status.RECOVERING)
    assert spend_committed(author_id=alice.pk).total == Decimal("0.090000")
    response = post(alice_client)
    assert response.status_code == 422
    assert "€0.090000 still generating" in response.content.decode()


def test_last_months_spend_does_not_count(alice_client, alice, sandbox):
    budget(alice, "0.050000")
    last_month = Period.month_of(at().date()).start - timedelta(hours=1)
    charge(alice, "5.000000", when=last_month)
    assert post(alice_client).status_code == 200


def test_the_team_budget_refuses_anyone_once_the_team_has_spent_it(
    alice_client, alice, bob, sandbox
):
    SpendSettings.objects.create(pk=1, team_monthly_limit_eur=Decimal("1.000000"))
    charge(bob, "0.980000")
    response = post(alice_client)
    assert response.status_code == 422
    (message,) = response.context["form"].non_field_errors()
    assert "over the team's monthly budget of €1.000000" in message
    assert "€0.980000 charged" in message


def test_a_plain_post_over_budget_shows_the_whole_studio_with_the_message(
    alice_client, alice, sandbox
):
    budget(alice, "0.000000")
    response = alice_client.post(
        SUBMIT,
        {"prompt": "A fox", "model": "flux-pro", "aspect_ratio": "1:1", "image_size": "1K"},
    )
    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert "over your monthly budget" in response.content.decode()


def test_retrying_over_budget_is_refused_not_an_error(alice_client, alice, sandbox):
    failed = Generation.objects.create(
        author=alice,
        prompt="A fox",
        model="flux-pro",
        aspect_ratio="1:1",
        image_size="1K",
        status="failed",
    )
    budget(alice, "0.000000")
    response = alice_client.post(reverse("studio:retry", args=[failed.pk]))
    # Refused like a submit: the studio with the reason as a form error, not a 403 page.
    assert response.status_code == 422
    body = response.content.decode()
    assert "over your monthly budget" in body
    assert 'id="prompt-form"' in body
    assert "A fox" in body  # the prompt is there to change
    assert Generation.objects.count() == 1


def test_submits_at_the_same_instant_cannot_together_slip_past_a_budget(
    alice, sandbox, alice_client
):
    """Six requests race for a budget with room for two images: exactly two get in."""
    budget(alice, str(FLUX_PRICE * 2))
    assert alice_client.get(reverse("studio:index")).status_code == 200  # models cached
    start = threading.Barrier(6)
    statuses: list[int] = []

    def submit_at_once() -> None:
        client = Client()
        client.force_login(alice)
        try:
            start.wait(timeout=30)
            statuses.append(post(client).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_at_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 200, 422, 422, 422, 422]
    assert Generation.objects.filter(author=alice).count() == 2
    assert spend_committed(author_id=alice.pk).total == FLUX_PRICE * 2


def test_admins_learn_who_is_near_their_budget(alice, bob):
    budget(alice, "1.000000")
    budget(bob, "1.000000")
    charge(alice, "0.850000")
    charge(bob, "0.100000")
    near = budgets_near()
    assert [(use.name, use.percent) for use in near] == [("alice", 85)]
