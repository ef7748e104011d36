"""Reads for the banner and the spend screens that combine the ledger with settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from .budgets import BudgetUse, budgets_near
from .ledger import BalancePoint, account_synced, balance_current, money
from .models import SpendSettings

# Depicta's credits lapse 12 months after the last paid top-up; admins hear of it this early.
CREDIT_EXPIRY_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class AccountState:
    """The account as the latest "Sync now" found it (GET /v1/account/profile)."""

    balance: Decimal
    held: Decimal
    credits_expire_at: datetime | None
    synced_at: datetime

    @property
    def available(self) -> Decimal:
        """Counted as Depicta's own CLI counts it: balance - held."""
        return money(self.balance - self.held)

    @property
    def credits_expire_soon(self) -> bool:
        expiry = self.credits_expire_at
        return expiry is not None and expiry - timezone.now() <= CREDIT_EXPIRY_NOTICE


def account_state() -> AccountState | None:
    synced = account_synced()
    if synced is None:
        return None
    return AccountState(
        balance=money(synced.amount_eur),
        held=money(synced.held_eur),
        credits_expire_at=synced.credits_expire_at,
        synced_at=synced.observed_at,
    )


@dataclass(frozen=True)
class SpendWarnings:
    low_balance: BalancePoint | None = None
    threshold: Decimal | None = None
    near_budget: list[BudgetUse] = field(default_factory=list)
    credits_expire_at: datetime | None = None

    def __bool__(self) -> bool:
        return (
            self.low_balance is not None
            or bool(self.near_budget)
            or self.credits_expire_at is not None
        )


def spend_warnings_for(user) -> SpendWarnings:
    """Everyone: the balance is under the admins' threshold. Admins: who is near a budget,
    and credits that expire within CREDIT_EXPIRY_NOTICE."""
    threshold = SpendSettings.read().low_balance_eur
    balance = balance_current()
    low = balance if threshold is not None and balance and balance.amount < threshold else None
    if not user.is_staff:
        return SpendWarnings(low_balance=low, threshold=threshold)
    account = account_state()
    expiring = account.credits_expire_at if account and account.credits_expire_soon else None
    return SpendWarnings(
        low_balance=low,
        threshold=threshold,
        near_budget=budgets_near(),
        credits_expire_at=expiring,
    )
