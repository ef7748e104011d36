"""Answers that carry bytes: whole, or on purpose cut short or trickled.

A cut-short answer declares the full Content-Length, sends part of the body, then closes the
connection, so the client sees a body that broke off (httpx: RemoteProtocolError), never a
shorter but complete one.
"""

import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from types import FrameType

from django.http import HttpResponse, StreamingHttpResponse

TRICKLE_STEPS_PER_SECOND = 10
MAX_CHUNK = 64 * 1024


class CutShort(ConnectionAbortedError):
    """Raised by a cut-short body when the server could not be asked to close the connection."""


def response_bytes(
    *,
    data: bytes,
    content_type: str,
    send: int | None = None,
    bytes_per_second: int = 0,
) -> HttpResponse | StreamingHttpResponse:
    """`data` with its full Content-Length; only the first `send` bytes go out when given,
    at `bytes_per_second` when that is set."""
    send = len(data) if send is None else max(0, min(send, len(data)))
    if send == len(data) and not bytes_per_second:
        return HttpResponse(data, content_type=content_type)
    cut = send < len(data)
    # Keep-alive would leave the client waiting for bytes that never come: close instead.
    closing = cut and connection_close_after_response()
    response = StreamingHttpResponse(
        _chunks(data[:send], bytes_per_second, raise_at_end=cut and not closing),
        content_type=content_type,
    )
    response["Content-Length"] = str(len(data))
    return response


def _chunks(data: bytes, bytes_per_second: int, *, raise_at_end: bool) -> Iterator[bytes]:
    if bytes_per_second:
        step = max(1, min(MAX_CHUNK, bytes_per_second // TRICKLE_STEPS_PER_SECOND))
        for start in range(0, len(data), step):
            chunk = data[start : start + step]
            yield chunk
            time.sleep(len(chunk) / bytes_per_second)
    elif data:
        yield data
    if raise_at_end:
        raise CutShort("the body was cut short on purpose (sandbox fault)")


def connection_close_after_response() -> bool:
    """Ask the HTTP server running this request to close the connection after the answer.

    Works with every server built on `http.server` (Django's runserver and test live server,
    wsgiref): the same flag their `Connection: close` handling sets. Returns False elsewhere.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        handler = frame.f_locals.get("self")
        if isinstance(handler, BaseHTTPRequestHandler):
            handler.close_connection = True
            return True
        frame = frame.f_back
    return False
