"""Seeded charges for the spend tests: Generation rows as the pipeline leaves them."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from depicta_web.generations.models import Generation


@pytest.fixture
def carol(django_user_model):
    """An admin (staff, not a superuser)."""
    return django_user_model.objects.create_user("carol", password="carol-pass-123", is_staff=True)


@pytest.fixture
def carol_client(client, carol):
    client.force_login(carol)
    return client


def at(days_ago: int = 0, hour: int = 1, minute: int = 0) -> datetime:
    """A moment on a local calendar day counted back from today (01:00 by default)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def charge(
    author,
    cost: str,
    *,
    when: datetime | None = None,
    model: str = "flux-pro",
    hold: str | None = None,
    balance: str | None = None,
    status: str = Generation.Status.DONE,
    prompt: str = "A lighthouse on a cliff at dusk",
) -> Generation:
    when = when or at()
    return Generation.objects.create(
        author=author,
        prompt=prompt,
        model=model,
        status=status,
        estimated_cost_eur=Decimal(hold if hold is not None else cost),
        cost_eur=Decimal(cost),
        balance_eur=Decimal(balance) if balance is not None else None,
        created_at=when - timedelta(seconds=5),
        responded_at=when,
        finished_at=when,
    )


def in_flight(author, hold: str, *, model: str = "flux-pro", status=Generation.Status.GENERATING):
    return Generation.objects.create(
        author=author,
        prompt="Still generating",
        model=model,
        status=status,
        estimated_cost_eur=Decimal(hold),
    )
