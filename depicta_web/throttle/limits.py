"""Log-in throttling: too many failures for a username, or from an address, lock it out.

Counts live in the database, so every web process sees the same attempts. A lock-out lasts
until the oldest counted failure leaves the window (LOGIN_THROTTLE_WINDOW_SECONDS); a
successful log-in clears that username's failures.
"""

from __future__ import annotations

import ipaddress
import math
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .models import FailedLogin

USERNAME_LENGTH = 150


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a proxy the header it sets
    (CLIENT_IP_HEADER, see docs/deploy.md). Anything that is not an address counts as none."""
    raw = request.META.get("REMOTE_ADDR", "")
    if settings.CLIENT_IP_HEADER:
        raw = request.headers.get(settings.CLIENT_IP_HEADER, "")
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def username_key(username: str) -> str:
    """The name a count is kept under: the username as authentication normalises it (NFKC,
    like Django's UsernameField), case-folded, so `demo` typed in full-width letters (U+FF44
    ...), `DEMO` and `demo` share one count."""
    # Longer input is no username (the form allows 150): cut it before the slow normalising.
    typed = username[: USERNAME_LENGTH * 4].strip()
    folded = unicodedata.normalize("NFKC", typed).casefold()
    return unicodedata.normalize("NFKC", folded)[:USERNAME_LENGTH]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def login_failure_record(*, username: str, address: str | None) -> None:
    FailedLogin.objects.filter(at__lt=_window_start()).delete()
    FailedLogin.objects.create(username=username_key(username), address=address)


def login_failures_clear(*, username: str) -> None:
    FailedLogin.objects.filter(username=username_key(username)).delete()


def login_wait_seconds(*, username: str, address: str | None) -> int:
    """0 when a log-in may be tried; otherwise how long until it may."""
    since = _window_start()
    recent = FailedLogin.objects.filter(at__gte=since)
    checks = [(recent.filter(username=username_key(username)), "PER_USERNAME")]
    if address:
        checks.append((recent.filter(address=address), "PER_ADDRESS"))
    wait = 0.0
    for failures, limit_name in checks:
        limit = getattr(settings, f"LOGIN_THROTTLE_{limit_name}")
        times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            # Locked until the oldest of the last `limit` failures leaves the window.
            frees_at = times[-1] + timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
            wait = max(wait, (frees_at - timezone.now()).total_seconds())
    return math.ceil(wait) if wait > 0 else 0
