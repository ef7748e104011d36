"""Credit: balance tiers and holds at submit, settlement at completion, top-ups.

The balance the tiers look at is the available balance: the account's balance minus the holds
of its running jobs. A hold is the job's `hold_eur`; it stops counting once the job is final,
so a failed job is never charged and a completed one is charged its actual cost instead.
A paid top-up makes the whole balance expire 12 months later (contract "Credits"); the sandbox
reports that date but does not forfeit expired credit.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from depicta_web.depicta.schema import (
    ALL_MODELS_FROM,
    ANY_MODEL_FROM,
    LOW_BALANCE_MAX_SIZE,
    MONEY_PLACES,
    format_money,
)

from .catalogue import MODELS, ImageModel, size_at_most
from .errors import SandboxError
from .models import SandboxAccount, SandboxJob
from .routers import SANDBOX_DB


def credit_check(
    *, account: SandboxAccount, model: ImageModel, image_size: str, hold: Decimal
) -> None:
    """Raise 402 `credit_insufficient` unless the available balance allows this hold.

    Call inside the transaction that creates the job, so two requests cannot spend one euro.
    """
    available = account.available_eur()
    message = _refusal(available=available, model=model, image_size=image_size, hold=hold)
    if message is None:
        return
    details = {
        "available_eur": format_money(available),
        "hold_eur": format_money(hold),
        "model": model.id,
        "image_size": image_size,
    }
    raise SandboxError("credit_insufficient", message, details=details)


def _refusal(
    *, available: Decimal, model: ImageModel, image_size: str, hold: Decimal
) -> str | None:
    """Why the balance tiers (contract "Credits") refuse this request, or None."""
    balance = f"EUR {format_money(available)}"
    if available < ANY_MODEL_FROM:
        return f"The available balance ({balance}) is below EUR {ANY_MODEL_FROM}."
    low = f"With less than EUR {ALL_MODELS_FROM} available ({balance})"
    if available < ALL_MODELS_FROM and not model.budget:
        return f"{low}, only budget models can be used; {model.id} is not one."
    if available < ALL_MODELS_FROM and not size_at_most(image_size, LOW_BALANCE_MAX_SIZE):
        return f"{low}, images are limited to {LOW_BALANCE_MAX_SIZE}."
    if available < hold:
        return (
            f"The available balance ({balance}) is below the estimated cost of this image "
            f"(EUR {format_money(hold)})."
        )
    return None


def model_choose(*, available: Decimal, aspect_ratio: str, image_size: str) -> ImageModel:
    """The model for a request that names none (contract: the sandbox auto-selects one).

    The first model that generates, offering the ratio and size asked for; with less than
    EUR 0.50 available, the first such budget model. When none offers them, the first of its
    tier, so that validation names what it lacks.
    """
    tier = [
        model
        for model in MODELS
        if model.can("generate") and (model.budget or available >= ALL_MODELS_FROM)
    ]
    capable = [
        model
        for model in tier
        if aspect_ratio in model.ratios_offered and image_size in model.sizes_offered
    ]
    return (capable or tier)[0]


def credit_settle(*, job: SandboxJob, cost: Decimal) -> SandboxJob:
    """Charge the actual cost and complete the job in one transaction; the hold lapses."""
    cost = min(cost, job.hold_eur).quantize(MONEY_PLACES)
    with transaction.atomic(using=SANDBOX_DB):
        SandboxAccount.objects.filter(pk=job.account_id).update(balance_eur=F("balance_eur") - cost)
        balance = SandboxAccount.objects.values_list("balance_eur", flat=True).get(
            pk=job.account_id
        )
        job.mark_completed(cost_eur=cost, balance_eur=balance)
    return job


def credit_topup(*, account: SandboxAccount, amount: Decimal) -> Decimal:
    """Add `amount` EUR as a paid top-up, which restarts the 12 months; returns the balance."""
    if amount <= 0:
        raise ValueError("a top-up must be a positive amount")
    amount = amount.quantize(MONEY_PLACES)
    with transaction.atomic(using=SANDBOX_DB):
        SandboxAccount.objects.filter(pk=account.pk).update(
            balance_eur=F("balance_eur") + amount,
            credits_expire_at=_a_year_after(timezone.now()),
        )
        account.refresh_from_db(fields=["balance_eur", "credits_expire_at"])
    return account.balance_eur


def _a_year_after(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)
