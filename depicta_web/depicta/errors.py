"""Typed errors for every documented failure of the Depicta API (contract: "Errors")."""

from __future__ import annotations

from typing import Any


class DepictaError(Exception):
    """Anything that went wrong talking to Depicta."""

    retryable = False


class DepictaTransportError(DepictaError):
    """No complete answer: connect failure, timeout, reset, or a body that broke off.

    `job_id` is set when the response headers arrived before the failure, so the job can be
    found again instead of resubmitted. `request_sent` says whether the request may have
    reached Depicta at all (a connect failure means it certainly did not).
    """

    retryable = True

    def __init__(self, message: str, *, job_id: str | None = None, request_sent: bool = True):
        super().__init__(message)
        self.job_id = job_id
        self.request_sent = request_sent


class DepictaAPIError(DepictaError):
    """An HTTP error answer with Depicta's error body."""

    def __init__(
        self,
        *,
        status: int,
        error: str,
        message: str,
        request_id: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
        job_id: str | None = None,
    ):
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.request_id = request_id
        self.details = details
        self.retry_after = retry_after
        self.job_id = job_id


class BadRequest(DepictaAPIError):
    """400 `bad_request` or 422: the request itself is wrong."""


class AuthInvalid(DepictaAPIError):
    """401 `auth_invalid`, or a 403 about the account (unverified email, suspended)."""


class CreditInsufficient(DepictaAPIError):
    """402 `credit_insufficient`: the balance cannot cover the hold."""


class ContentRejected(DepictaAPIError):
    """403 `content_rejected` or 451: the content policy or the law forbids the prompt."""


class NotFound(DepictaAPIError):
    """404 `not_found`."""


class Conflict(DepictaAPIError):
    """409."""


class PayloadTooLarge(DepictaAPIError):
    """413 `payload_too_large`."""


class RateLimited(DepictaAPIError):
    """429 `rate_limited`: wait `retry_after` seconds, then try again."""

    retryable = True


class ServerError(DepictaAPIError):
    """500/502/503: Depicta's side failed; retry with backoff."""

    retryable = True


_BY_STATUS: dict[int, type[DepictaAPIError]] = {
    400: BadRequest,
    401: AuthInvalid,
    402: CreditInsufficient,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: BadRequest,
    429: RateLimited,
    451: ContentRejected,
}


def error_class_for(status: int, error: str) -> type[DepictaAPIError]:
    if status == 403:
        return ContentRejected if error.startswith("content_rejected") else AuthInvalid
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, DepictaAPIError)
