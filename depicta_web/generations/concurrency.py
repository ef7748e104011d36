"""A database-backed semaphore: at most DEPICTA_MAX_IN_FLIGHT generate calls across all workers.

Depicta answers 429 beyond 10 concurrent requests per key. Holding a slot before the call
keeps the others waiting in the queue instead of in a retry storm.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import ApiSlot


def _free(now) -> Q:
    return Q(holder__isnull=True) | Q(leased_until__lt=now)


def slots_ensure(cap: int) -> None:
    ApiSlot.objects.bulk_create(
        [ApiSlot(number=n) for n in range(1, cap + 1)], ignore_conflicts=True
    )


def slot_acquire(*, holder, lease: timedelta) -> int | None:
    """Take a free slot (or one whose lease ran out); None when all are held."""
    cap = settings.DEPICTA_MAX_IN_FLIGHT
    now = timezone.now()
    free = list(
        ApiSlot.objects.filter(_free(now), number__lte=cap).values_list("number", flat=True)
    )
    if not free and ApiSlot.objects.filter(number__lte=cap).count() < cap:
        # First use, or the cap was raised: make the slots. Only then, as this is a write and
        # waiting workers ask many times a second.
        slots_ensure(cap)
        return slot_acquire(holder=holder, lease=lease)
    for number in free:
        # Conditional UPDATE: of two workers racing for one slot, exactly one wins it.
        won = ApiSlot.objects.filter(_free(now), number=number).update(
            holder=holder, leased_until=now + lease
        )
        if won:
            return number
    return None


def slot_release(*, holder) -> None:
    ApiSlot.objects.filter(holder=holder).update(holder=None, leased_until=None)


@contextmanager
def api_slot(*, holder, lease: timedelta, wait_seconds: float) -> Iterator[bool]:
    """Yields True while holding a slot, False if none came free within `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    number = slot_acquire(holder=holder, lease=lease)
    while number is None and time.monotonic() < deadline:
        time.sleep(0.1)
        number = slot_acquire(holder=holder, lease=lease)
    try:
        yield number is not None
    finally:
        if number is not None:
            slot_release(holder=holder)
