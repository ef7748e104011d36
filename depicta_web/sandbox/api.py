"""What every sandbox endpoint shares: a request id, the key check, JSON errors, no CSRF."""

import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from .accounts import account_from_request
from .errors import SandboxError
from .models import SandboxAccount

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"


class SandboxRequest(HttpRequest):
    request_id: str
    account: SandboxAccount


View = Callable[..., HttpResponseBase]


def request_id_new() -> str:
    return f"req_{secrets.token_hex(12)}"


def endpoint(
    *,
    methods: tuple[str, ...] | None = ("GET", "HEAD"),
    key_required: bool = True,
    headers: dict[str, str] | None = None,
) -> Callable[[View], View]:
    """Wrap a view: every answer gets `X-Request-Id`, and errors the body Depicta uses.

    `methods=None` allows any method. `headers` are added to every answer, errors included.
    """

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: SandboxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.request_id = request_id_new()
            try:
                if methods is not None and request.method not in methods:
                    raise SandboxError(
                        "method_not_allowed",
                        f"{request.method} is not allowed here.",
                        headers={"Allow": ", ".join(methods)},
                    )
                if key_required:
                    request.account = account_from_request(request)
                response = view(request, *args, **kwargs)
            except SandboxError as error:
                response = error.to_response(request_id=request.request_id)
            except Exception:
                logger.exception("sandbox request %s failed", request.request_id)
                response = SandboxError(
                    "internal_error", "The sandbox failed to answer this request."
                ).to_response(request_id=request.request_id)
            response[REQUEST_ID_HEADER] = request.request_id
            for name, value in (headers or {}).items():
                response[name] = value
            return response

        return wrapper

    return decorate
