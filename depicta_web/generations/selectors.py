"""Reads the screens need, each shaped so a page costs a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from .models import Generation


@dataclass(frozen=True)
class BalanceSeen:
    amount: Decimal
    observed_at: datetime


def balance_latest() -> BalanceSeen | None:
    """The balance Depicta reported last (the API has no documented account endpoint)."""
    row = (
        Generation.objects.exclude(balance_eur=None)
        .order_by("-responded_at")
        .values_list("balance_eur", "responded_at")
        .first()
    )
    return BalanceSeen(*row) if row else None


def generations_for_cards() -> QuerySet[Generation]:
    return Generation.objects.select_related("author").prefetch_related("images__files")


def generations_recent(limit: int = 30) -> list[Generation]:
    return list(generations_for_cards()[:limit])
