"""The life of a generation: submit to Depicta once, recover a lost answer, then copy.

Rules (docs/reliability.md explains them):
- The claim queued → generating is committed before the API call, so a generation found in
  `generating` or `recovering` may have reached Depicta and is never blindly resubmitted.
- 429 means Depicta did not accept the request: wait Retry-After and send again.
- A connect failure means nothing was sent: send again after a backoff.
- Any other failure without an answer (timeout, reset, 5xx) goes to recovery, which looks the
  job up by id (from the response headers) or in the job list, and adopts its result. Only
  when the API shows no such job is the request sent again.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from depicta_web.depicta import DepictaClient
from depicta_web.depicta.errors import (
    ContentRejected,
    CreditInsufficient,
    DepictaAPIError,
    DepictaTransportError,
    NotFound,
    RateLimited,
)
from depicta_web.depicta.schema import GenerateRequest, GenerateResult, Job, ReferenceImage

from .api import depicta_client
from .concurrency import api_slot
from .copying import generation_copy, images_record
from .models import Generation

logger = logging.getLogger(__name__)

# Retryable failures are retried for at most this long before the generation fails.
RETRY_BUDGET = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
# A job counts as ours in the job list when it was created within this window of our submit.
MATCH_WINDOW = timedelta(seconds=30)
JOB_LIST_SCAN = 100
# Looks (one a second) that must all find no job before a request counts as never accepted.
NOT_ACCEPTED_LOOKS = 3
# How long a worker waits for a free API slot before handing the generation back to the queue.
SLOT_WAIT = 2.0


@dataclass(frozen=True)
class FormParameters:
    prompt: str
    model: str
    aspect_ratio: str
    image_size: str
    strictness: str
    reference_images: tuple[ReferenceImage, ...] = ()


def generation_submit(
    *, author, params: FormParameters, parent: Generation | None = None, estimated_cost=None
) -> Generation:
    """Store the generation and queue its work once the row is committed."""
    from .tasks import generate_task

    with transaction.atomic():
        generation = Generation.objects.create(
            author=author,
            parent=parent,
            prompt=params.prompt,
            model=params.model,
            aspect_ratio=params.aspect_ratio,
            image_size=params.image_size,
            strictness=params.strictness,
            reference_images=[ref.to_json() for ref in params.reference_images],
            estimated_cost_eur=estimated_cost,
        )
        transaction.on_commit(lambda: generate_task.enqueue(generation_id=str(generation.pk)))
    return generation


def api_request_for(generation: Generation) -> GenerateRequest:
    return GenerateRequest(
        prompt=generation.prompt,
        model=generation.model,
        aspect_ratio=generation.aspect_ratio or None,
        image_size=generation.image_size or None,
        strictness=generation.strictness or None,
        reference_images=tuple(
            ReferenceImage(url=r["url"], description=r["description"])
            for r in generation.reference_images
        ),
    )


def generation_run(*, generation_id: str) -> None:
    """The task body: submit a queued generation, or finish the copying of a saved one."""
    generation = Generation.objects.get(pk=generation_id)
    with depicta_client() as client:
        if generation.status == Generation.Status.QUEUED:
            lease = timedelta(seconds=settings.DEPICTA_TIMEOUT_SECONDS + 30)
            with api_slot(holder=generation.pk, lease=lease, wait_seconds=SLOT_WAIT) as held:
                if not held:
                    _wait_in_queue(generation)
                    return
                if not generation.claim_for_submit():
                    return  # another worker claimed it first
                _submit(generation, client)
        if generation.status == Generation.Status.SAVING:
            generation_copy(generation=generation, client=client)


def generation_recover(*, generation_id: str) -> None:
    """Reconcile a generation whose answer was lost (or whose worker died) with the API."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status not in (Generation.Status.GENERATING, Generation.Status.RECOVERING):
        return
    with depicta_client() as client:
        generation.mark_recovering("Depicta's answer was lost; looking the job up.")
        _recover(generation, client)
        if generation.status == Generation.Status.SAVING:
            generation_copy(generation=generation, client=client)


def _submit(generation: Generation, client: DepictaClient) -> None:
    try:
        result, job_id = client.generate_image(
            api_request_for(generation), on_job_id=generation.record_job_id
        )
    except RateLimited as exc:
        # 429: Depicta did not accept the request; it is safe to send it again.
        _retry_later(generation, exc.retry_after, f"Depicta is busy ({exc.error}).")
    except DepictaTransportError as exc:
        if exc.request_sent or exc.job_id:
            generation.mark_recovering(f"No complete answer from Depicta: {exc}")
            _recover(generation, client)
        else:
            _retry_later(generation, None, f"Depicta could not be reached: {exc}")
    except DepictaAPIError as exc:
        if exc.retryable:
            # A 5xx may come from a gateway after Depicta accepted the job: look before resending.
            generation.mark_recovering(f"Depicta answered {exc.status} {exc.error}.")
            _recover(generation, client)
        else:
            _fail_from_error(generation, exc)
    else:
        _adopt(generation, result, job_id)


def _adopt(generation: Generation, result: GenerateResult, job_id: str | None) -> None:
    if job_id:
        generation.record_job_id(job_id)
    with transaction.atomic():
        if generation.mark_saving(
            depicta_id=result.id,
            resolved_model=result.model or generation.model,
            cost_eur=result.cost_eur,
            balance_eur=result.balance_eur,
            ai_generated=result.ai_generated,
        ):
            images_record(generation=generation, result=result)


def _recover(generation: Generation, client: DepictaClient) -> None:
    """Find the job Depicta made for this generation and adopt it; resubmit only if none."""
    deadline = timezone.now() + timedelta(seconds=settings.DEPICTA_TIMEOUT_SECONDS + 30)
    misses = 0
    while True:
        try:
            job = _find_job(generation, client)
        except DepictaAPIError as exc:
            if not exc.retryable:
                _fail_from_error(generation, exc)
                return
            job = None
            looked = False
        except DepictaTransportError:
            job, looked = None, False
        else:
            looked = True
        if job is not None and job.status == "completed" and job.result is not None:
            _adopt(generation, job.result, job.job_id)
            return
        if job is not None and job.status == "failed":
            code = job.error.code if job.error else "failed"
            message = job.error.message if job.error else "Depicta could not make this image."
            generation.mark_failed(
                code=code,
                message=_designer_message(code, message),
                rejected=code.startswith("content_rejected"),
            )
            return
        if job is None and looked:
            misses += 1
            if misses >= NOT_ACCEPTED_LOOKS:
                # The API shows no job for this request: it was never accepted. Send it again.
                _retry_later(generation, None, "Depicta never accepted the request; resending.")
                return
        if timezone.now() > deadline:
            generation.mark_failed(
                code="recovery_timeout",
                message="Depicta has not finished this job in time. Its job id is kept: "
                "the sweeper will look again.",
            )
            return
        time.sleep(1.0)  # pending or processing: Depicta is still working on it


def _find_job(generation: Generation, client: DepictaClient) -> Job | None:
    if generation.job_id:
        try:
            return client.get_job(generation.job_id)
        except NotFound:
            return None
    # Without a job id the entry is matched by time and model (the job list has no prompt).
    # Jobs already adopted by another generation are skipped.
    since = (generation.submitted_at or generation.created_at) - MATCH_WINDOW
    taken = set(Generation.objects.exclude(job_id="").values_list("job_id", flat=True))
    page = client.list_jobs(limit=JOB_LIST_SCAN)
    candidates = [
        job
        for job in page.jobs
        if job.job_id not in taken
        and job.created_at is not None
        and job.created_at >= since
        and (
            job.result is None
            or job.result.model in (None, generation.model, generation.resolved_model)
        )
    ]
    if not candidates:
        return None
    anchor = generation.submitted_at or generation.created_at
    best = min(candidates, key=lambda job: abs((job.created_at - anchor).total_seconds()))
    generation.record_job_id(best.job_id)
    return best


def _wait_in_queue(generation: Generation) -> None:
    """Every slot is taken: look again shortly, still queued (nothing was sent)."""
    from .tasks import generate_task

    run_after = timezone.now() + timedelta(seconds=SLOT_WAIT)
    generate_task.using(run_after=run_after).enqueue(generation_id=str(generation.pk))


def _retry_later(generation: Generation, retry_after: float | None, reason: str) -> None:
    from .tasks import generate_task

    started = generation.submitted_at or generation.created_at
    if timezone.now() - started > RETRY_BUDGET:
        generation.mark_failed(
            code="retries_exhausted", message=f"Gave up after retrying for {RETRY_BUDGET}: {reason}"
        )
        return
    attempt = max(1, generation.submit_attempts)
    delay = (
        retry_after
        if retry_after is not None
        else min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        * random.uniform(0.5, 1.0)
    )
    if generation.requeue(reason):
        run_after = timezone.now() + timedelta(seconds=delay)
        generate_task.using(run_after=run_after).enqueue(generation_id=str(generation.pk))
        logger.info("generation %s: %s retrying in %.1fs", generation.pk, reason, delay)


_PLAIN_MESSAGES = {
    "content_rejected": "Depicta's content policy rejected this prompt. Rephrase it, or ask "
    "an admin whether the 'liberal' strictness fits.",
    "content_rejected_legal": "Depicta cannot make this image: the content is barred by law.",
    "credit_insufficient": "The Depicta balance is too low for this image. Ask an admin to "
    "top it up, or pick a cheaper model or a smaller size.",
    "insufficient_credits": "The Depicta balance is too low for this image. Ask an admin to "
    "top it up.",
    "auth_invalid": "Depicta refused the API key. An admin must fix the configuration.",
}


def _designer_message(code: str, message: str) -> str:
    plain = _PLAIN_MESSAGES.get(code)
    return f"{plain} ({message})" if plain and message else plain or message


def _fail_from_error(generation: Generation, exc: DepictaAPIError) -> None:
    generation.mark_failed(
        code=exc.error,
        message=_designer_message(exc.error, exc.message),
        request_id=exc.request_id or "",
        rejected=isinstance(exc, ContentRejected),
    )
    if isinstance(exc, CreditInsufficient):
        logger.warning("generation %s refused: balance too low", generation.pk)
