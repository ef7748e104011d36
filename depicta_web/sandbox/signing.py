"""Signed image URLs: an HMAC (keyed from SECRET_KEY) over the path, the expiry and any faults.

`/sandbox/files/<job>/<n>.<fmt>?expires=<unix seconds>[&faults=<spec>]&sig=<hex>`. A URL whose
signature does not match, or that has expired, is refused with 403 (the contract leaves the
expired status open; the sandbox answers 403 like most object stores).
"""

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.crypto import constant_time_compare, salted_hmac

from .errors import SandboxError

SALT = "depicta_web.sandbox.signing.file-url"


def url_signature(*, path: str, expires: int, faults: str = "") -> str:
    return salted_hmac(SALT, f"{path}\n{expires}\n{faults}", algorithm="sha256").hexdigest()


def url_query(*, path: str, expires_at: datetime, faults: str = "") -> str:
    expires = int(expires_at.timestamp())
    params = {"expires": str(expires)}
    if faults:
        params["faults"] = faults
    params["sig"] = url_signature(path=path, expires=expires, faults=faults)
    return urlencode(params)


def url_verify(*, path: str, query: QueryDict, now: float | None = None) -> str:
    """The faults the URL carries; raises 403 `url_invalid` or `url_expired`."""
    expires_raw = query.get("expires", "")
    faults = query.get("faults", "")
    signature = query.get("sig", "")
    if not expires_raw.isdigit() or not signature:
        raise SandboxError("url_invalid", "This URL is not a signed image URL.")
    expected = url_signature(path=path, expires=int(expires_raw), faults=faults)
    if not constant_time_compare(signature, expected):
        raise SandboxError("url_invalid", "The URL's signature does not match.")
    if (time.time() if now is None else now) >= int(expires_raw):
        expired = datetime.fromtimestamp(int(expires_raw), UTC).isoformat()
        raise SandboxError(
            "url_expired",
            "This signed URL has expired; fetch the job again for fresh URLs.",
            details={"expired_at": expired.replace("+00:00", "Z")},
        )
    return faults
