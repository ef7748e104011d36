"""Depicta's error answers: `{"error", "message", "request_id", "details"}` (contract: "Errors")."""

from typing import Any

from django.http import JsonResponse

# The codes the contract names, and its working assumption for the ones it leaves open.
STATUS_OF_CODE = {
    "bad_request": 400,
    "auth_invalid": 401,
    "credit_insufficient": 402,
    "content_rejected": 403,
    "url_invalid": 403,
    "url_expired": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "validation_error": 422,
    "rate_limited": 429,
    "content_rejected_legal": 451,
    "internal_error": 500,
    "bad_gateway": 502,
    "unavailable": 503,
}


class SandboxError(Exception):
    """An error answer; raised anywhere below a view, turned into JSON by `api.endpoint`."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.status = status or STATUS_OF_CODE[code]

    def to_response(self, *, request_id: str) -> JsonResponse:
        return error_response(
            code=self.code,
            message=self.message,
            request_id=request_id,
            details=self.details,
            headers=self.headers,
            status=self.status,
        )


def error_response(
    *,
    code: str,
    message: str,
    request_id: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
) -> JsonResponse:
    body = {"error": code, "message": message, "request_id": request_id, "details": details}
    response = JsonResponse(body, status=status or STATUS_OF_CODE[code])
    for name, value in (headers or {}).items():
        response[name] = value
    return response
