"""Jobs: accept (rate limit, credit hold), process (moderate, render, settle), serialize.

Processing runs inside the request, as Depicta's endpoint is synchronous; the job row tells
the story meanwhile, so a client whose answer was lost finds the job in GET /v1/jobs.
"""

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from depicta_web.depicta.schema import IMAGE_FORMATS, format_money, format_time

from . import imaging
from .catalogue import cost_actual, cost_estimate, model_find
from .credits import credit_check, credit_settle
from .errors import SandboxError
from .faults import Faults
from .models import SandboxAccount, SandboxJob
from .moderation import moderation_check
from .routers import SANDBOX_DB
from .signing import url_query
from .validation import GenerateParams

logger = logging.getLogger(__name__)

MAX_RUNNING_JOBS = 10  # per key (contract: "Rate limits")
RATE_LIMIT_RETRY_AFTER_SECONDS = 2
# A job still running after this long belongs to a sandbox process that died: it is failed,
# never charged, and stops counting against the rate limit and the available balance.
ABANDONED_AFTER = timedelta(minutes=15)

INJECTED_FAILURES = {
    "http_500": ("internal_error", "The sandbox failed while generating (injected fault)."),
    "http_502": ("bad_gateway", "The image model did not answer (injected fault)."),
}


def job_submit(*, account: SandboxAccount, params: GenerateParams, request_id: str) -> SandboxJob:
    """Accept a generation: count running jobs, check credit and place the hold, atomically.

    SQLite runs this as an IMMEDIATE transaction and other databases lock the account row,
    so concurrent requests of one key, in any thread or process, are counted one at a time.
    """
    hold = cost_estimate(model=params.model, image_size=params.image_size)
    with transaction.atomic(using=SANDBOX_DB):
        account = SandboxAccount.objects.select_for_update().get(pk=account.pk)
        jobs_abandon_stale(account=account)
        running = account.jobs.filter(status__in=SandboxJob.ACTIVE).count()
        if running >= MAX_RUNNING_JOBS:
            raise SandboxError(
                "rate_limited",
                f"More than {MAX_RUNNING_JOBS} concurrent requests for this key.",
                details={"limit": MAX_RUNNING_JOBS, "running": running},
                headers={"Retry-After": str(RATE_LIMIT_RETRY_AFTER_SECONDS)},
            )
        credit_check(account=account, model=params.model, image_size=params.image_size, hold=hold)
        return SandboxJob.objects.create(
            account=account,
            request_id=request_id,
            model=params.model.id,
            prompt=params.prompt,
            aspect_ratio=params.aspect_ratio,
            image_size=params.image_size,
            strictness=params.strictness,
            reference_images=list(params.reference_images),
            hold_eur=hold,
        )


def jobs_abandon_stale(*, account: SandboxAccount) -> int:
    now = timezone.now()
    return SandboxJob.objects.filter(
        account=account, status__in=SandboxJob.ACTIVE, created_at__lt=now - ABANDONED_AFTER
    ).update(
        status=SandboxJob.Status.FAILED,
        completed_at=now,
        error_code="internal_error",
        error_message="The job was abandoned: the sandbox stopped while processing it.",
    )


def job_process(*, job: SandboxJob, faults: Faults) -> SandboxJob:
    """Take an accepted job to its final state; failures are recorded on the job, not raised."""
    job.mark_processing()
    texts = [job.prompt, *(ref["description"] for ref in job.reference_images)]
    if rejection := moderation_check(texts=texts, strictness=job.strictness):
        job.mark_failed(code=rejection.code, message=rejection.message, details=rejection.details)
        return job
    # `latency` is how long the job takes in all, the rendering included, like Depicta's own.
    finish_by = time.monotonic() + faults.latency_seconds()
    for fault, (code, message) in INJECTED_FAILURES.items():
        if faults.strikes(fault):
            _sleep_until(finish_by)
            job.mark_failed(code=code, message=message)
            return job
    model = model_find(job.model)
    assert model is not None
    try:
        imaging.images_create(job=job)
    except Exception:
        logger.exception("sandbox job %s: the image could not be made", job.pk)
        job.mark_failed(code="internal_error", message="The image could not be generated.")
        return job
    _sleep_until(finish_by)
    cost = cost_actual(model=model, image_size=job.image_size, aspect_ratio=job.aspect_ratio)
    return credit_settle(job=job, cost=cost)


def _sleep_until(moment: float) -> None:
    if (left := moment - time.monotonic()) > 0:
        time.sleep(left)


def job_to_json(
    job: SandboxJob, *, request: HttpRequest, faults: Faults, carry: str = ""
) -> dict[str, Any]:
    """A job entry (contract: "Jobs and recovery"); a result's URLs are signed afresh."""
    entry: dict[str, Any] = {
        "job_id": str(job.id),
        "status": job.status,
        "operation": job.operation,
        "model": job.model,
        "created_at": format_time(job.created_at),
    }
    if job.started_at:
        entry["started_at"] = format_time(job.started_at)
    if job.completed_at:
        entry["completed_at"] = format_time(job.completed_at)
    if job.status == SandboxJob.Status.FAILED:
        entry["error"] = {"code": job.error_code, "message": job.error_message}
    if job.status == SandboxJob.Status.COMPLETED:
        result = result_to_json(job, request=request, faults=faults, carry=carry)
        entry["result"] = result
        # Depicta's CLI recovers a failed download from these at the top (contract: "Jobs").
        entry.update({name: result[name] for name in ("image_url", "image_hash", "formats")})
    return entry


def result_to_json(
    job: SandboxJob, *, request: HttpRequest, faults: Faults, carry: str = ""
) -> dict[str, Any]:
    """The synchronous answer's body. `carry` is the download faults the URLs take along."""
    now = int(time.time())
    ttl = 0 if faults.strikes("expire_urls") else settings.DEPICTA_SANDBOX_URL_TTL_SECONDS
    expires_at = datetime.fromtimestamp(now + ttl, UTC)
    formats = {}
    pictures = [image for image in job.images.all() if image.position == 1]
    for image in sorted(pictures, key=lambda image: IMAGE_FORMATS.index(image.format)):
        path = reverse(
            "sandbox:file",
            kwargs={"job_id": job.id, "position": image.position, "fmt": image.format},
        )
        query = url_query(path=path, expires_at=expires_at, faults=carry)
        formats[image.format] = {
            "url": request.build_absolute_uri(f"{path}?{query}"),
            "format": image.format,
            "hash": image.sha256,
            "size_bytes": image.size_bytes,
            "expires_at": format_time(expires_at),
        }
    assert job.cost_eur is not None
    assert job.balance_eur is not None
    return {
        "id": str(job.id),
        "ai_generated": True,
        "model": job.model,
        "image_url": formats["png"]["url"],
        "image_hash": formats["png"]["hash"],
        "formats": formats,
        "cost_eur": format_money(job.cost_eur),
        "balance_eur": format_money(job.balance_eur),
    }
