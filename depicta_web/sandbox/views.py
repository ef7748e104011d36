"""The sandbox's HTTP endpoints: thin views over jobs, catalogue, signing and faults.

Each view names the section of ../shared/depicta-api.md it follows.
"""

import json
import uuid
from dataclasses import replace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils import timezone

from depicta_web.depicta.schema import JOB_ID_HEADER, MIME_TYPES, format_money, format_time

from .accounts import profile_to_json
from .api import SandboxRequest, endpoint
from .catalogue import DISCLAIMER, MODELS
from .errors import SandboxError
from .faults import Faults, faults_burst_refuses, faults_for_request, faults_to_carry
from .imaging import image_path
from .jobs import job_process, job_submit, job_to_json, result_to_json
from .models import SandboxImage, SandboxJob
from .openapi import openapi_document, yaml_dump
from .responses import response_bytes
from .signing import url_verify
from .validation import generate_params_parse

JOBS_PAGE_DEFAULT = 20
JOBS_PAGE_MAX = 100
NO_STORE = {"Cache-Control": "private, no-store"}
MODELS_SHAPES = ("documented", "legacy")
# What Depicta's CLI compares its skill file with (`depicta version --skill`).
SKILL_VERSION = "1.3.0"


# Contract: "Authentication": /health, /v1/openapi.*, /v1/pricing, /v1/skill-version are open
# without a key.
@endpoint(key_required=False)
def health(request: SandboxRequest) -> HttpResponse:
    return JsonResponse({"status": "ok", "service": "depicta-sandbox"})


@endpoint(key_required=False)
def openapi_json(request: SandboxRequest) -> HttpResponse:
    return JsonResponse(openapi_document(server_url=_base_url(request)))


@endpoint(key_required=False)
def openapi_yaml(request: SandboxRequest) -> HttpResponse:
    document = yaml_dump(openapi_document(server_url=_base_url(request)))
    return HttpResponse(document, content_type="application/yaml; charset=utf-8")


@endpoint(key_required=False)
def skill_version(request: SandboxRequest) -> HttpResponse:
    return JsonResponse({"version": SKILL_VERSION})


# Contract: "GET /v1/models and /v1/pricing" (pricing's shape: working assumption).
@endpoint(key_required=False)
def pricing(request: SandboxRequest) -> HttpResponse:
    models = [
        {"id": model.id, "approximate_cost_eur": format_money(model.price_eur)} for model in MODELS
    ]
    return JsonResponse({"disclaimer": DISCLAIMER, "models": models})


@endpoint()
def model_list(request: SandboxRequest) -> HttpResponse:
    """The documented shape, or the older one when DEPICTA_SANDBOX_MODELS_SHAPE is "legacy"."""
    shape = settings.DEPICTA_SANDBOX_MODELS_SHAPE
    if shape not in MODELS_SHAPES:
        raise ImproperlyConfigured(
            f"DEPICTA_SANDBOX_MODELS_SHAPE must be one of {', '.join(MODELS_SHAPES)}, not {shape!r}"
        )
    if shape == "legacy":
        return JsonResponse({"models": [model.to_legacy_json() for model in MODELS]})
    return JsonResponse(
        {
            "cached_at": format_time(timezone.now().replace(microsecond=0)),
            "disclaimer": DISCLAIMER,
            "models": [model.to_json() for model in MODELS],
        }
    )


# Contract: "GET /v1/account/profile".
@endpoint()
def account_profile(request: SandboxRequest) -> HttpResponse:
    return JsonResponse(profile_to_json(request.account))


# Contract: "POST /v1/generate/image".
@endpoint(methods=("POST",))
def generate_image(request: SandboxRequest) -> HttpResponseBase:
    faults = faults_for_request(request)
    if faults.strikes("http_503"):
        raise SandboxError(
            "unavailable",
            "The service is unavailable (injected fault); nothing was accepted.",
            headers={"Retry-After": "1"},
        )
    if faults_burst_refuses(faults=faults, account=request.account):
        raise SandboxError(
            "rate_limited", "Too many requests (injected burst).", headers={"Retry-After": "1"}
        )
    params = generate_params_parse(_body(request), account=request.account)
    job = job_submit(account=request.account, params=params, request_id=request.request_id)
    job = job_process(job=job, faults=faults)
    job_header = {JOB_ID_HEADER: str(job.id)}
    if job.status == SandboxJob.Status.FAILED:
        details = {**job.error_details, "job_id": str(job.id)}
        raise SandboxError(job.error_code, job.error_message, details=details, headers=job_header)
    body = result_to_json(job, request=request, faults=faults, carry=faults_to_carry(request))
    data = json.dumps(body).encode()
    send = len(data) // 2 if faults.strikes("lost_response") else None
    response = response_bytes(data=data, content_type="application/json", send=send)
    response[JOB_ID_HEADER] = str(job.id)
    return response


def _job_fetch_faults(request: SandboxRequest) -> Faults:
    """A job fetch always signs fresh URLs: it is how a client recovers from `expire_urls`."""
    return replace(faults_for_request(request), expire_urls=0.0)


# Contract: "Jobs and recovery".
@endpoint()
def job_list(request: SandboxRequest) -> HttpResponse:
    limit = min(_whole_number(request, "limit", JOBS_PAGE_DEFAULT, minimum=1), JOBS_PAGE_MAX)
    offset = _whole_number(request, "offset", 0, minimum=0)
    found = SandboxJob.objects.filter(account=request.account)
    page = found.order_by("-created_at", "-id").prefetch_related("images")[offset : offset + limit]
    faults, carry = _job_fetch_faults(request), faults_to_carry(request)
    entries = [job_to_json(job, request=request, faults=faults, carry=carry) for job in page]
    return JsonResponse(
        {"generations": entries, "limit": limit, "offset": offset, "total": found.count()}
    )


@endpoint()
def job_detail(request: SandboxRequest, job_id: str) -> HttpResponse:
    found = _get_job_for_account(request, job_id)
    faults, carry = _job_fetch_faults(request), faults_to_carry(request)
    return JsonResponse(job_to_json(found, request=request, faults=faults, carry=carry))


# Contract: "Signed URLs and formats".
@endpoint(key_required=False, headers=NO_STORE)
def image_file(
    request: SandboxRequest, job_id: uuid.UUID, position: int, fmt: str
) -> HttpResponseBase:
    carried = url_verify(path=request.path, query=request.GET)
    image = SandboxImage.objects.filter(job_id=job_id, position=position, format=fmt).first()
    if image is None or not image_path(image).is_file():
        raise SandboxError("not_found", "There is no such image.")
    faults = faults_for_request(request, carried=carried)
    filename = f"{job_id}-{position}.{fmt}"
    if not (faults.hash_mismatch or faults.truncate_download or faults.slow_download):
        return FileResponse(
            image_path(image).open("rb"), content_type=MIME_TYPES[fmt], filename=filename
        )
    data = image_path(image).read_bytes()
    if faults.strikes("hash_mismatch"):
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    send = len(data) // 2 if faults.strikes("truncate_download") else None
    response = response_bytes(
        data=data,
        content_type=MIME_TYPES[fmt],
        send=send,
        bytes_per_second=faults.slow_download,
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@endpoint(methods=None, key_required=False)
def not_found(request: SandboxRequest) -> HttpResponse:
    raise SandboxError("not_found", f"There is no endpoint at {request.path}.")


def _body(request: SandboxRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise SandboxError("payload_too_large", "The request body is too large.") from None


def _whole_number(request: SandboxRequest, name: str, default: int, *, minimum: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SandboxError(
            "bad_request",
            f"{name} must be a whole number of at least {minimum}.",
            details={"field": name},
        )
    return int(raw)


def _get_job_for_account(request: SandboxRequest, job_id: str) -> SandboxJob:
    """A job of this key; another key's job is as unknown as one that never existed."""
    unknown = SandboxError("not_found", "There is no such job.", details={"job_id": job_id})
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        raise unknown from None
    found = SandboxJob.objects.filter(pk=pk, account=request.account).prefetch_related("images")
    if not (job := found.first()):
        raise unknown
    return job


def _base_url(request: SandboxRequest) -> str:
    return request.build_absolute_uri(reverse("sandbox:health")).removesuffix("/health")
