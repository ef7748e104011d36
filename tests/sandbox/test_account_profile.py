"""GET /v1/account/profile: who the key belongs to, its settled balance, holds and expiry."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from depicta_web.depicta.schema import parse_time
from depicta_web.sandbox.models import SandboxAccount

from .conftest import SANDBOX_DATABASES, assert_error, generate, job_make

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)

DOCUMENTED_FIELDS = {
    "id",
    "email",
    "email_verified",
    "name",
    "created_at",
    "balance_eur",
    "held_eur",
    "credit_limit_cents",
    "credits_expire_at",
    "pending_credit_notice",
    "prompt_analysis_opt_in",
    "providers",
    "two_factor_enabled",
}


def profile_of(client):
    response = client.get("/v1/account/profile")
    assert response.status_code == 200, response.text
    return response.json()["user"]


def test_the_profile_has_every_documented_field(api):
    response = api.get("/v1/account/profile")
    assert set(response.json()) == {"user"}
    user = profile_of(api)
    assert set(user) == DOCUMENTED_FIELDS
    assert uuid.UUID(user["id"])
    assert "@" in user["email"]
    assert user["email_verified"] is True
    assert user["name"]
    assert parse_time(user["created_at"]) is not None
    assert isinstance(user["credit_limit_cents"], int)
    assert user["credit_limit_cents"] > 0
    assert (user["pending_credit_notice"], user["prompt_analysis_opt_in"]) == (False, False)
    assert user["providers"] is None
    assert user["two_factor_enabled"] is False


def test_a_new_account_has_its_start_balance_nothing_held_and_no_expiry(api):
    user = profile_of(api)
    assert (user["balance_eur"], user["held_eur"]) == ("25.000000", "0.000000")
    assert user["credits_expire_at"] is None


def test_the_id_is_stable_and_differs_per_key(api, other_api):
    first = profile_of(api)
    assert profile_of(api)["id"] == first["id"]
    assert profile_of(other_api)["id"] != first["id"]
    assert profile_of(other_api)["email"] != first["email"]


def test_a_running_job_is_held_but_not_taken_off_the_balance(api, account):
    job = job_make(account, hold="0.200")
    user = profile_of(api)
    assert (user["balance_eur"], user["held_eur"]) == ("25.000000", "0.200000")
    job.mark_failed(code="internal_error", message="gone")
    assert profile_of(api)["held_eur"] == "0.000000"
    assert profile_of(api)["balance_eur"] == "25.000000"  # a failed job costs nothing


def test_a_completed_generation_is_charged_to_the_balance(api):
    answer = generate(api).json()
    user = profile_of(api)
    assert user["balance_eur"] == answer["balance_eur"]
    assert Decimal(user["balance_eur"]) == Decimal("25") - Decimal(answer["cost_eur"])
    assert user["held_eur"] == "0.000000"


def test_a_top_up_makes_the_credit_expire_a_year_later(api, account):
    profile_of(api)  # the account exists
    call_command("sandbox_topup", "--amount", "10")
    user = profile_of(api)
    assert user["balance_eur"] == "35.000000"
    ahead = parse_time(user["credits_expire_at"]) - datetime.now(UTC)
    assert timedelta(days=365) <= ahead + timedelta(minutes=1)
    assert ahead <= timedelta(days=366)


def test_the_expiry_set_on_the_account_is_reported(api, account):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    SandboxAccount.objects.filter(pk=account.pk).update(credits_expire_at=soon)
    assert parse_time(profile_of(api)["credits_expire_at"]) == soon


def test_the_profile_needs_a_key(anonymous):
    assert_error(anonymous.get("/v1/account/profile"), 401, "auth_invalid")
