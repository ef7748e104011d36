"""An httpx client for the Depicta API. It knows no Django model or view.

Each method names the section of ../shared/depicta-api.md it follows.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from .errors import DepictaAPIError, DepictaTransportError, error_class_for
from .schema import (
    JOB_ID_HEADER,
    AccountProfile,
    GenerateRequest,
    GenerateResult,
    Job,
    JobPage,
    ModelList,
)

logger = logging.getLogger(__name__)

DOWNLOAD_CHUNK = 64 * 1024


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process. Building one loads every CA certificate (about
    40 ms of CPU); a worker makes clients for every task, so they share this one."""
    return httpx.create_ssl_context()


def redact_url(url: str) -> str:
    """A URL fit for logs and messages: the query (a signed URL's token) is dropped."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@dataclass(frozen=True)
class Download:
    sha256: str
    size_bytes: int
    content_type: str


class DownloadError(DepictaTransportError):
    """A signed image URL could not be fetched completely."""

    def __init__(self, message: str, *, status: int | None = None, expired: bool = False):
        super().__init__(message)
        self.status = status
        self.expired = expired


class DepictaClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        download_transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "depicta-web/0.1"}
        timeouts = httpx.Timeout(timeout, connect=10.0)
        self._api = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeouts,
            transport=transport,
            verify=ssl_context(),
        )
        # Image URLs are signed; they get no Authorization header and follow no redirects.
        self._files = httpx.Client(
            timeout=timeouts, transport=download_transport or transport, verify=ssl_context()
        )

    def close(self) -> None:
        self._api.close()
        self._files.close()

    def __enter__(self) -> DepictaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Contract: "POST /v1/generate/image". The job id is handed to `on_job_id` as soon as the
    # headers arrive, so a body that breaks off still leaves the job findable.
    def generate_image(
        self,
        request: GenerateRequest,
        *,
        on_job_id: Callable[[str], object] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> tuple[GenerateResult, str | None]:
        job_id: str | None = None
        try:
            with self._api.stream(
                "POST", "/v1/generate/image", json=request.to_json(), headers=extra_headers
            ) as response:
                job_id = response.headers.get(JOB_ID_HEADER) or None
                if job_id and on_job_id:
                    on_job_id(job_id)
                response.read()
        except httpx.ConnectError as exc:
            raise DepictaTransportError(
                f"could not connect to Depicta: {exc}", request_sent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise DepictaTransportError(
                f"no complete answer from Depicta ({type(exc).__name__})", job_id=job_id
            ) from exc
        data = self._json_or_raise(response, job_id=job_id)
        return GenerateResult.from_json(data), job_id

    # Contract: "GET /v1/models and /v1/pricing" (the older shape and a bare list still read).
    def list_models(self) -> ModelList:
        return ModelList.from_json(self._get("/v1/models"))

    def get_pricing(self) -> ModelList:
        return ModelList.from_json(self._get("/v1/pricing"))

    # Contract: "GET /v1/account/profile".
    def get_account_profile(self) -> AccountProfile:
        return AccountProfile.from_json(self._get("/v1/account/profile"))

    # Contract: "Jobs and recovery".
    def list_jobs(self, *, limit: int = 20, offset: int = 0) -> JobPage:
        return JobPage.from_json(self._get("/v1/jobs", params={"limit": limit, "offset": offset}))

    def get_job(self, job_id: str) -> Job:
        return Job.from_json(self._get(f"/v1/jobs/{job_id}"))

    # Contract: "Signed URLs and formats". Streams into `sink` with bounded memory, hashing as
    # it goes; the caller compares the hash and size with what the API reported.
    def download(self, url: str, sink: IO[bytes], *, max_bytes: int) -> Download:
        digest = hashlib.sha256()
        size = 0
        try:
            with self._files.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadError(
                        f"{redact_url(url)} answered {response.status_code}",
                        status=response.status_code,
                        expired=response.status_code in (403, 404, 410),
                    )
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise DownloadError(f"{redact_url(url)} is larger than {max_bytes} bytes")
                for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadError(f"{redact_url(url)} is larger than {max_bytes} bytes")
                    digest.update(chunk)
                    sink.write(chunk)
                content_type = response.headers.get("Content-Type", "")
        except httpx.HTTPError as exc:
            raise DownloadError(
                f"download of {redact_url(url)} broke off ({type(exc).__name__})"
            ) from exc
        return Download(sha256=digest.hexdigest(), size_bytes=size, content_type=content_type)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self._api.get(path, params=params)
        except httpx.ConnectError as exc:
            raise DepictaTransportError(
                f"could not connect to Depicta: {exc}", request_sent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise DepictaTransportError(f"no answer from Depicta ({type(exc).__name__})") from exc
        return self._json_or_raise(response)

    @staticmethod
    def _json_or_raise(response: httpx.Response, *, job_id: str | None = None) -> Any:
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if response.is_success and data is not None:
            return data
        body = data if isinstance(data, dict) else {}
        error = str(body.get("error") or f"http_{response.status_code}")
        if response.is_success:
            error, body = "invalid_response", {"message": "the answer was not JSON"}
        raise error_class_for(response.status_code, error)(
            status=response.status_code,
            error=error,
            message=str(body.get("message") or response.reason_phrase or "no message"),
            request_id=body.get("request_id") or response.headers.get("X-Request-Id"),
            details=body.get("details"),
            retry_after=_retry_after(response.headers.get("Retry-After")),
            job_id=job_id,
        )


def _retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds or as an HTTP date (RFC 9110), in seconds from now."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


__all__ = ["DepictaAPIError", "DepictaClient", "Download", "DownloadError", "redact_url"]
