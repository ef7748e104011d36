"""Switchable faults: parse a spec, and decide per request which ones strike.

Spec syntax: `name=value` items separated by `;` (or `,`), e.g.
`latency=1-3;http_500=0.1;lost_response=0.05;expire_urls`. A bare name means 1. Rates are
0.0-1.0 and are rolled once per request: 0 never strikes and 1 always does. The run-wide spec
is DEPICTA_SANDBOX_FAULTS; a request's `X-Sandbox-Faults` header adds to it and wins per name.
Both are ignored unless DEPICTA_SANDBOX_FAULTS_ENABLED. docs/sandbox.md describes every fault.
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from .errors import SandboxError
from .models import SandboxAccount
from .routers import SANDBOX_DB

HEADER = "X-Sandbox-Faults"
MAX_LATENCY_SECONDS = 600.0


class FaultSpecError(ValueError):
    pass


@dataclass(frozen=True)
class Faults:
    latency: tuple[float, float] = (0.0, 0.0)  # seconds, min-max, slept while processing
    http_500: float = 0.0  # rates 0.0-1.0 from here on
    http_502: float = 0.0
    http_503: float = 0.0
    lost_response: float = 0.0
    expire_urls: float = 0.0
    hash_mismatch: float = 0.0
    truncate_download: float = 0.0
    burst_429: int = 0  # refusals served before each accepted generate request
    slow_download: int = 0  # bytes per second; 0 is full speed

    def strikes(self, name: str) -> bool:
        rate = getattr(self, name)
        return rate > 0 and random.random() < rate

    def latency_seconds(self) -> float:
        low, high = self.latency
        return random.uniform(low, high) if high > low else low

    def download_spec(self) -> str:
        """The download faults that were set, as spec text a signed URL can carry."""
        default = Faults()
        return ";".join(
            f"{name}={getattr(self, name)}"
            for name in DOWNLOAD_FAULTS
            if getattr(self, name) != getattr(default, name)
        )


NO_FAULTS = Faults()
DOWNLOAD_FAULTS = ("hash_mismatch", "truncate_download", "slow_download")


def _rate(raw: str) -> float:
    value = float(raw or "1")
    if not 0.0 <= value <= 1.0:
        raise ValueError("a rate must be between 0 and 1")
    return value


def _seconds_range(raw: str) -> tuple[float, float]:
    low, _, high = raw.partition("-")
    first = float(low)
    last = float(high) if high else first
    if not 0.0 <= first <= last <= MAX_LATENCY_SECONDS:
        raise ValueError(f"expected seconds or a range min-max within 0-{MAX_LATENCY_SECONDS:g}")
    return (first, last)


def _count(raw: str) -> int:
    value = int(raw or "1")
    if value < 0:
        raise ValueError("a count must not be negative")
    return value


_PARSERS: dict[str, Callable[[str], Any]] = {
    "latency": _seconds_range,
    "http_500": _rate,
    "http_502": _rate,
    "http_503": _rate,
    "lost_response": _rate,
    "expire_urls": _rate,
    "hash_mismatch": _rate,
    "truncate_download": _rate,
    "burst_429": _count,
    "slow_download": _count,
}
assert set(_PARSERS) == {f.name for f in fields(Faults)}


def faults_parse(spec: str, *, base: Faults = NO_FAULTS) -> Faults:
    """`base` with every fault named in `spec` replaced; raises FaultSpecError."""
    values: dict[str, Any] = {}
    for item in re.split(r"[;,]", spec or ""):
        name, _, raw = item.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if name not in _PARSERS:
            raise FaultSpecError(f"unknown fault {name!r}; known: {', '.join(_PARSERS)}")
        try:
            values[name] = _PARSERS[name](raw.strip())
        except ValueError as exc:
            raise FaultSpecError(f"{name}={raw.strip()}: {exc}") from None
    return replace(base, **values)


def faults_enabled() -> bool:
    return bool(settings.DEPICTA_SANDBOX_FAULTS_ENABLED)


def faults_run_wide() -> Faults:
    return faults_parse(settings.DEPICTA_SANDBOX_FAULTS) if faults_enabled() else NO_FAULTS


def faults_from_header(request: HttpRequest, *, base: Faults = NO_FAULTS) -> Faults:
    """`base` with this request's `X-Sandbox-Faults` applied (unchanged when disabled)."""
    spec = request.headers.get(HEADER, "")
    if not spec or not faults_enabled():
        return base
    try:
        return faults_parse(spec, base=base)
    except FaultSpecError as exc:
        raise SandboxError("bad_request", str(exc), details={"header": HEADER}) from None


def faults_for_request(request: HttpRequest, *, carried: str = "") -> Faults:
    """Run-wide faults, then those a signed URL carries, then the request header's."""
    faults = faults_run_wide()
    if carried and faults_enabled():
        faults = faults_parse(carried, base=faults)
    return faults_from_header(request, base=faults)


def faults_burst_refuses(*, faults: Faults, account: SandboxAccount) -> bool:
    """A 429 burst: refuse `burst_429` requests in a row, then let one through, and repeat.

    The count lives on the account row, so every thread and process sees one burst.
    """
    if faults.burst_429 <= 0:
        return False
    with transaction.atomic(using=SANDBOX_DB):
        served = SandboxAccount.objects.select_for_update().get(pk=account.pk).burst_429_served
        refuse = served < faults.burst_429
        SandboxAccount.objects.filter(pk=account.pk).update(
            burst_429_served=served + 1 if refuse else 0
        )
    return refuse


def faults_to_carry(request: HttpRequest) -> str:
    """The download faults this request's header names, for the URLs its answer signs."""
    return faults_from_header(request).download_spec()
