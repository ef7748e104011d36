"""Credit: tiers and holds at submit, the actual cost at completion, top-ups."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from depicta_web.sandbox.accounts import account_for_key
from depicta_web.sandbox.catalogue import cost_actual, model_find
from depicta_web.sandbox.models import SandboxJob

from .conftest import (
    KEY,
    OTHER_KEY,
    SANDBOX_DATABASES,
    assert_error,
    generate,
    job_make,
    set_balance,
)

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def running_job(account, hold):
    return job_make(account, hold=hold)


def balance_of(account):
    account.refresh_from_db()
    return account.balance_eur


def test_an_account_opens_with_the_start_balance(account):
    assert account.balance_eur == Decimal("25.000000")


def test_the_charge_is_the_actual_cost_and_the_balance_follows(api, account):
    first = generate(api, aspect_ratio="1:1").json()
    second = generate(api, aspect_ratio="21:9").json()
    assert Decimal(first["cost_eur"]) == Decimal("0.045")  # square: the list price
    assert Decimal(second["cost_eur"]) < Decimal("0.045")  # wider: a little less
    assert Decimal(second["cost_eur"]) == cost_actual(
        model=model_find("flux-pro"), image_size="1K", aspect_ratio="21:9"
    )
    assert Decimal(second["balance_eur"]) == Decimal(first["balance_eur"]) - Decimal(
        second["cost_eur"]
    )
    assert balance_of(account) == Decimal(second["balance_eur"])
    job = SandboxJob.objects.get(pk=second["id"])
    assert job.hold_eur == Decimal("0.045")
    assert job.cost_eur == Decimal(second["cost_eur"])


def test_size_sets_the_price(api):
    small = generate(api, model="seedream", image_size="1K").json()
    big = generate(api, model="seedream", image_size="2K").json()
    assert (Decimal(small["cost_eur"]), Decimal(big["cost_eur"])) == (
        Decimal("0.030"),
        Decimal("0.040"),
    )


def test_below_50_cents_only_budget_models_are_allowed(api, account):
    set_balance(account, "0.30")
    body = assert_error(generate(api, model="flux-pro"), 402, "credit_insufficient")
    assert "budget" in body["message"]
    assert body["details"]["available_eur"] == "0.300000"
    assert generate(api, model="sdxl-lite", image_size="2K").status_code == 200


def test_below_one_cent_nothing_is_allowed(api, account):
    set_balance(account, "0.009")
    body = assert_error(generate(api, model="flux-schnell"), 402, "credit_insufficient")
    assert "0.01" in body["message"]


def test_a_balance_below_the_hold_is_refused(api, account):
    set_balance(account, "0.012")
    body = assert_error(generate(api, model="sdxl", image_size="2K"), 402, "credit_insufficient")
    assert "estimated cost" in body["message"]
    assert body["details"]["hold_eur"] == "0.018000"
    assert generate(api, model="sdxl", image_size="1K").status_code == 200


def test_holds_of_running_jobs_lower_the_available_balance(api, account):
    set_balance(account, "0.60")
    running_job(account, "0.20")
    body = assert_error(generate(api, model="flux-pro"), 402, "credit_insufficient")
    assert body["details"]["available_eur"] == "0.400000"
    assert api.get("/v1/jobs").json()["total"] == 1  # a refused request is not a job


def test_a_hold_lapses_once_its_job_is_final(api, account):
    set_balance(account, "0.60")
    job = running_job(account, "0.20")
    job.mark_failed(code="internal_error", message="gone")
    assert generate(api, model="flux-pro").status_code == 200


def test_topup_command_adds_credit_to_the_default_key(account, capsys):
    call_command("sandbox_topup", "--amount", "10")
    assert balance_of(account) == Decimal("35")
    out = capsys.readouterr().out
    assert "35.000000" in out
    assert KEY not in out


def test_topup_command_takes_another_key(account):
    call_command("sandbox_topup", "--amount", "2.5", "--key", OTHER_KEY)
    assert account_for_key(OTHER_KEY).balance_eur == Decimal("27.5")
    assert balance_of(account) == Decimal("25")


@pytest.mark.parametrize(
    "arguments", [["--amount", "ten"], ["--amount", "-1"], ["--amount", "5", "--key", "dpct_x"]]
)
def test_topup_command_refuses_bad_input(arguments):
    with pytest.raises(CommandError):
        call_command("sandbox_topup", *arguments)


def test_balance_command_prints_balance_and_holds(account, capsys):
    running_job(account, "0.25")
    call_command("sandbox_balance")
    out = capsys.readouterr().out
    assert "balance EUR 25.000000" in out
    assert "held by running jobs EUR 0.250000" in out
    assert "available EUR 24.750000" in out


def test_the_admin_action_adds_ten_euros(client, account, django_user_model, settings):
    settings.ROOT_URLCONF = "tests.sandbox.admin_urls"
    admin = django_user_model.objects.create_superuser("admin", password="admin-pass-123")
    client.force_login(admin)
    response = client.post(
        "/admin/sandbox/sandboxaccount/",
        {"action": "topup_ten_euros", "_selected_action": [account.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert balance_of(account) == Decimal("35")
    assert "balance EUR 35.000000" in response.content.decode()
