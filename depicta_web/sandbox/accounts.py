"""API keys to accounts, and an account's profile. Keys are compared in constant time and
stored only as SHA-256."""

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from depicta_web.depicta.schema import MONEY_PLACES, format_money, format_time

from .errors import SandboxError
from .models import SandboxAccount

# Not stated by Depicta; the sandbox's accounts all have the same limit: EUR 1,000.
CREDIT_LIMIT_CENTS = 100_000


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_hint(key: str) -> str:
    """Enough to tell keys apart in the admin, never enough to use one."""
    return f"{key[:5]}…{key[-4:]}" if len(key) > 12 else "dpct_…"


def key_is_accepted(key: str) -> bool:
    return any(constant_time_compare(key, known) for known in settings.DEPICTA_SANDBOX_KEYS)


def start_balance() -> Decimal:
    raw = settings.DEPICTA_SANDBOX_START_BALANCE
    try:
        return Decimal(raw).quantize(MONEY_PLACES)
    except InvalidOperation:
        raise ImproperlyConfigured(
            f"DEPICTA_SANDBOX_START_BALANCE must be a decimal amount, not {raw!r}"
        ) from None


def account_for_key(key: str) -> SandboxAccount:
    """The key's account, opened with the start balance on first use."""
    account, _ = SandboxAccount.objects.get_or_create(
        key_digest=key_digest(key),
        defaults={"key_hint": key_hint(key), "balance_eur": start_balance()},
    )
    return account


def account_from_request(request: HttpRequest) -> SandboxAccount:
    """The account of the request's `Authorization: Bearer` key; 401 `auth_invalid` otherwise."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise SandboxError(
            "auth_invalid",
            "Send your API key as 'Authorization: Bearer dpct_...'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not key_is_accepted(key):
        raise SandboxError(
            "auth_invalid",
            "The API key is invalid or inactive.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return account_for_key(key)


def profile_to_json(account: SandboxAccount) -> dict[str, Any]:
    """GET /v1/account/profile. `balance_eur` is the settled balance: the holds of running jobs
    are in `held_eur` only (the contract's project rule), so balance - held is available."""
    user_id = account.user_id
    expires = account.credits_expire_at
    return {
        "user": {
            "id": str(user_id),
            "email": f"sandbox-{user_id.hex[:8]}@sandbox.depicta.invalid",
            "email_verified": True,
            "name": "Sandbox account",
            "created_at": format_time(account.created_at),
            "balance_eur": format_money(account.balance_eur),
            "held_eur": format_money(account.held_eur()),
            "credit_limit_cents": CREDIT_LIMIT_CENTS,
            "credits_expire_at": format_time(expires) if expires else None,
            "pending_credit_notice": False,
            "prompt_analysis_opt_in": False,
            "providers": None,
            "two_factor_enabled": False,
        }
    }
