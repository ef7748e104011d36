"""What the spend ledger keeps that has no other home.

Charges and the balances Depicta reported with them live on `Generation` (read by
`ledger.py`, never copied); here are only the facts nothing else records: top-ups noted by an
admin, balances observed outside a generation ("sync now", or typed in from the dashboard),
budgets, and the team's spend settings.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from depicta_web.lib.money import MONEY_FIELD

MONEY = MONEY_FIELD


class SpendSettings(models.Model):
    """One row (pk=1): the team's limits. Submits lock it to serialise budget checks."""

    team_monthly_limit_eur = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="The whole team's spend per calendar month; empty: no limit.",
    )
    low_balance_eur = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        default=Decimal("5.000000"),
        help_text="Everyone sees a warning when the balance is under this; empty: never.",
    )
    near_budget_percent = models.PositiveSmallIntegerField(
        default=80, help_text="Admins are told about people who have used this share."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "spend settings"
        verbose_name_plural = "spend settings"

    def __str__(self) -> str:
        return "Spend settings"

    @classmethod
    def current(cls) -> SpendSettings:
        """The row, created with the defaults on first use."""
        return cls.objects.get_or_create(pk=1)[0]

    @classmethod
    def read(cls) -> SpendSettings:
        """The row, or the defaults unsaved: for reads that should not write."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class PersonBudget(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spend_budget"
    )
    monthly_limit_eur = models.DecimalField(**MONEY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_limit_eur__gte=0), name="budget_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: €{self.monthly_limit_eur} a month"


class TopUp(models.Model):
    """Money added in Depicta's dashboard, noted by an admin (the API does not report it)."""

    amount_eur = models.DecimalField(**MONEY)
    paid_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        verbose_name = "top-up"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_eur__gt=0), name="topup_positive")
        ]

    def __str__(self) -> str:
        return f"+€{self.amount_eur} on {self.paid_at:%Y-%m-%d}"


class BalanceObservation(models.Model):
    """A balance seen outside a generation response."""

    class Source(models.TextChoices):
        SYNC = "sync", "Sync now (Depicta's account profile)"
        MANUAL = "manual", "Typed in by an admin"

    amount_eur = models.DecimalField(**MONEY)
    # From a sync (GET /v1/account/profile): held by generations in flight, and when the
    # credits expire unless topped up.
    held_eur = models.DecimalField(**MONEY, null=True, blank=True)
    credits_expire_at = models.DateTimeField(null=True, blank=True)
    observed_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=10, choices=Source)
    job_id = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_at", "-pk"]

    def __str__(self) -> str:
        return f"€{self.amount_eur} at {self.observed_at:%Y-%m-%d %H:%M} ({self.source})"
