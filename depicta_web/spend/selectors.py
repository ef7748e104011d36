"""Reads for the banner and the spend screens that combine the ledger with settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .budgets import BudgetUse, budgets_near
from .ledger import BalancePoint, balance_current
from .models import SpendSettings


@dataclass(frozen=True)
class SpendWarnings:
    low_balance: BalancePoint | None = None
    threshold: Decimal | None = None
    near_budget: list[BudgetUse] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.low_balance is not None or bool(self.near_budget)


def spend_warnings_for(user) -> SpendWarnings:
    """Everyone: the balance is under the admins' threshold. Admins: who is near a budget."""
    threshold = SpendSettings.read().low_balance_eur
    balance = balance_current()
    low = balance if threshold is not None and balance and balance.amount < threshold else None
    near = budgets_near() if user.is_staff else []
    return SpendWarnings(low_balance=low, threshold=threshold, near_budget=near)
