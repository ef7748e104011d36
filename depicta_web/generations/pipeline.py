"""The life of a generation: submit to Depicta once, recover a lost answer, then copy.

Rules (docs/reliability.md explains them):
- The claim queued → generating is committed before the API call, so a generation found in
  `generating` or `recovering` may have reached Depicta and is never blindly resubmitted.
- 429 means Depicta did not accept the request: wait Retry-After and send again.
- A connect failure means nothing was sent: send again after a backoff.
- An answer carrying `X-Depicta-Job-Id` names its job: a 5xx with one is looked up by id and
  its result adopted, or, when the job failed (never charged), sent again after a backoff.
- A complete HTTP answer without that header created no job (Depicta sets it on every
  accepted request): a 5xx is sent again after a backoff, a 4xx ends the generation.
- A missing answer (timeout, reset, killed worker) without a job id goes to recovery, which
  searches the job list by time and model. Only when the API shows no such job is the
  request sent again.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
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
# Our clock against Depicta's, when comparing our send time with a job's creation time.
CLOCK_SKEW = timedelta(seconds=5)
JOB_LIST_PAGE = 100
JOB_LIST_PAGES = 50
# Looks (one a second) that must all find no job before a request counts as never accepted.
NOT_ACCEPTED_LOOKS = 3
RECOVER_AGAIN_AFTER = timedelta(seconds=15)
# Job errors that say something about the request itself end the generation; others are
# Depicta's own trouble and worth another try.
REQUEST_ERRORS = (
    "content_rejected",
    "insufficient_credits",
    "credit_insufficient",
    "bad_request",
    "validation_error",
    "model_not_capable",
)
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
    """Store the generation and queue its work once the row is committed.

    Raises spend.budgets.BudgetExceeded, storing nothing, when a monthly budget would be
    crossed; the check and the insert share one transaction that serialises submits."""
    from depicta_web.spend.budgets import budget_guard

    from .tasks import generate_task

    with transaction.atomic():
        budget_guard(author=author, estimated_cost=estimated_cost)
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
        if generation.submitted_at is None:
            # Claimed, but the worker died before the request went out: nothing to look for.
            _retry_later(generation, 0.0, "The request was never sent; sending it now.")
            return
        _recover(generation, client)
        if generation.status == Generation.Status.SAVING:
            generation_copy(generation=generation, client=client)


def _submit(generation: Generation, client: DepictaClient) -> None:
    request = api_request_for(generation)
    generation.mark_sending()
    try:
        result, job_id = client.generate_image(request, on_job_id=generation.record_job_id)
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
        if exc.retryable and exc.job_id:
            # Accepted, then failed or cut off: the job tells whether to adopt or send again.
            generation.mark_recovering(f"Depicta answered {exc.status} {exc.error}.")
            _recover(generation, client)
        elif exc.retryable:
            _retry_later(generation, exc.retry_after, f"Depicta answered {exc.status} {exc.error}.")
        else:
            _fail_from_error(generation, exc)
    else:
        _adopt(generation, result, job_id)


def _adopt(
    generation: Generation,
    result: GenerateResult,
    job_id: str | None,
    completed_at: datetime | None = None,
) -> None:
    if job_id:
        generation.record_job_id(job_id)
    with transaction.atomic():
        if generation.mark_saving(
            depicta_id=result.id,
            resolved_model=result.model or generation.model,
            cost_eur=result.cost_eur,
            balance_eur=result.balance_eur,
            ai_generated=result.ai_generated,
            responded_at=completed_at,
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
        except (DepictaTransportError, _LookAgain):
            job, looked = None, False
        else:
            looked = True
        if job is not None and job.status == "completed" and job.result is not None:
            _adopt(generation, job.result, job.job_id, job.completed_at)
            return
        if job is not None and job.status == "failed" and _failed_on_depictas_side(job):
            # A failed job is never charged: sending the request again is safe.
            _retry_later(generation, None, f"Depicta's job failed ({job.error.code}); resending.")
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
            _recover_later(generation)
            return
        time.sleep(1.0)  # pending or processing: Depicta is still working on it


def _failed_on_depictas_side(job: Job) -> bool:
    return job.error is not None and not job.error.code.startswith(REQUEST_ERRORS)


class _LookAgain(Exception):
    """Nothing can be concluded from this look (not a sign that the job does not exist)."""


def _find_job(generation: Generation, client: DepictaClient) -> Job | None:
    if generation.job_id:
        try:
            return client.get_job(generation.job_id)
        except NotFound:
            # Depicta named this job in its answer, so it was accepted: never resend for a 404.
            raise _LookAgain from None
    # Without a job id the entry is matched by time and model (the job list has no prompt).
    anchor = generation.submitted_at or generation.created_at
    around = _jobs_created_around(client, anchor)
    ids = [job.job_id for job in around]
    taken = set(Generation.objects.filter(job_id__in=ids).values_list("job_id", flat=True))
    candidates = sorted(
        (
            job
            for job in around
            if job.job_id not in taken
            and (
                job.result is None
                or job.result.model in (None, generation.model, generation.resolved_model)
            )
        ),
        key=lambda job: job.created_at,
    )
    if not candidates:
        return None
    # Generations of the same model and moment that lost their answers too are paired with
    # the candidates in order of time: the n-th sent is taken to be the n-th created.
    rank = (
        _same_moment(generation, anchor)
        .filter(status=Generation.Status.RECOVERING)
        .filter(Q(submitted_at__lt=anchor) | Q(submitted_at=anchor, pk__lt=generation.pk))
        .count()
    )
    best = candidates[min(rank, len(candidates) - 1)]
    # A generation still waiting for its answer, sent before this job was created, may be
    # its owner: it will learn the job id from its own answer in a moment.
    created = best.created_at
    if (
        _same_moment(generation, anchor)
        .filter(status=Generation.Status.GENERATING, submitted_at__lte=created + CLOCK_SKEW)
        .exists()
    ):
        raise _LookAgain
    if not generation.record_job_id(best.job_id, matched_by_time=True):
        raise _LookAgain  # another generation took it first: look again
    return best


def _jobs_created_around(client: DepictaClient, anchor: datetime) -> list[Job]:
    """The jobs created within MATCH_WINDOW of `anchor`, paging back through the newest-first
    list as far as needed (a busy team may have made hundreds since)."""
    found: list[Job] = []
    offset = 0
    for _ in range(JOB_LIST_PAGES):
        page = client.list_jobs(limit=JOB_LIST_PAGE, offset=offset)
        found += [
            job
            for job in page.jobs
            if job.created_at is not None and abs(job.created_at - anchor) <= MATCH_WINDOW
        ]
        offset += len(page.jobs)
        dated = [job.created_at for job in page.jobs if job.created_at is not None]
        if (
            not page.jobs
            or offset >= page.total
            or min(dated, default=anchor) < anchor - MATCH_WINDOW
        ):
            return found
    raise _LookAgain  # so many jobs since that the window is out of reach: look again later


def _same_moment(generation: Generation, anchor: datetime):
    return Generation.objects.filter(
        job_id="",
        model=generation.model,
        submitted_at__range=(anchor - MATCH_WINDOW, anchor + MATCH_WINDOW),
    ).exclude(pk=generation.pk)


def _recover_later(generation: Generation) -> None:
    """Depicta is still working (or its job endpoints are down): look again later, without
    holding a worker. A job that may be charged is never given up on quickly."""
    from .tasks import recover_task

    started = generation.submitted_at or generation.created_at
    give_up = timedelta(seconds=settings.DEPICTA_RECOVERY_GIVE_UP_SECONDS)
    if timezone.now() - started > give_up:
        generation.mark_failed(
            code="recovery_timeout",
            message=f"Depicta did not finish this job within {give_up}. If it shows up "
            f"later under job {generation.job_id or '(unknown)'}, an admin can adopt it.",
        )
        return
    run_after = timezone.now() + RECOVER_AGAIN_AFTER
    recover_task.using(run_after=run_after).enqueue(generation_id=str(generation.pk))
    logger.info("generation %s: still recovering; looking again at %s", generation.pk, run_after)


def _wait_in_queue(generation: Generation) -> None:
    """Every slot stayed taken for SLOT_WAIT: back to the queue, still queued (nothing was
    sent), ready at once. A delay here left slots idle at the end of a batch while the last
    generations sat out their wait; the worker already waited, so this is no busy loop."""
    from .tasks import generate_task

    generate_task.enqueue(generation_id=str(generation.pk))


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
    "model_not_capable": "The chosen model cannot do this. Pick another model and submit again.",
    "validation_error": "Depicta cannot make this with these settings. Change the setting it "
    "names and submit again.",
    "bad_request": "Depicta could not read this request. Change the setting it names and "
    "submit again.",
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
