"""Recovery: a generation whose answer was lost (timeout, reset, killed worker) is matched
with the job Depicta made for it, and that job's image adopted. Only when the API shows no
such job is the request sent again: a job that may be charged is never sent twice."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import TypeGuard

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from depicta_web.depicta import DepictaClient
from depicta_web.depicta.configured import depicta_client
from depicta_web.depicta.errors import DepictaAPIError, DepictaTransportError, NotFound
from depicta_web.depicta.schema import Job, JobError, JobStatus

from .answers import designer_message, error_fail, result_adopt, retry_later
from .copying import generation_copy
from .models import REQUEST_ERROR_CODES, Generation
from .scheduling import FollowUp, Work

logger = logging.getLogger(__name__)

# A job counts as ours in the job list when it was created within this window of our submit.
MATCH_WINDOW = timedelta(seconds=30)
# Our clock against Depicta's, when comparing our send time with a job's creation time.
CLOCK_SKEW = timedelta(seconds=5)
JOB_LIST_PAGE = 100
JOB_LIST_PAGES = 50
# Looks (one a second) that must all find no job before a request counts as never accepted.
NOT_ACCEPTED_LOOKS = 3
RECOVER_AGAIN_AFTER = timedelta(seconds=15)


def generation_recover(*, generation_id: str) -> FollowUp | None:
    """The recover task's body: reconcile a generation whose answer was lost (or whose worker
    died) with the API. Returns the work left for later, if any."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status not in (Generation.Status.GENERATING, Generation.Status.RECOVERING):
        return None
    with depicta_client() as client:
        generation.mark_recovering("Depicta's answer was lost; looking the job up.")
        if generation.submitted_at is None:
            # Claimed, but the worker died before the request went out: nothing to look for.
            return retry_later(generation, 0.0, "The request was never sent; sending it now.")
        follow_up = job_recover(generation, client)
        if generation.status == Generation.Status.SAVING:
            generation_copy(generation=generation, client=client)
    return follow_up


def job_recover(generation: Generation, client: DepictaClient) -> FollowUp | None:
    """Find the job Depicta made for this generation and adopt it; resubmit only if none."""
    deadline = timezone.now() + timedelta(seconds=settings.DEPICTA_TIMEOUT_SECONDS + 30)
    misses = 0
    while True:
        try:
            job = _find_job(generation, client)
        except DepictaAPIError as exc:
            if not exc.retryable:
                error_fail(generation, exc)
                return None
            job = None
            looked = False
        except (DepictaTransportError, _LookAgain):
            job, looked = None, False
        else:
            looked = True
        if job is not None and job.status == JobStatus.COMPLETED and job.result is not None:
            result_adopt(generation, job.result, job.job_id, job.completed_at)
            return None
        if (
            job is not None
            and job.status == JobStatus.FAILED
            and _failed_on_depictas_side(job.error)
        ):
            # A failed job is never charged: sending the request again is safe.
            reason = f"Depicta's job failed ({job.error.code}); resending."
            return retry_later(generation, None, reason)
        if job is not None and job.status == JobStatus.FAILED:
            code = job.error.code if job.error else "failed"
            message = job.error.message if job.error else "Depicta could not make this image."
            generation.mark_failed(
                code=code,
                message=designer_message(code, message),
                rejected=code.startswith("content_rejected"),
            )
            return None
        if job is None and looked:
            misses += 1
            if misses >= NOT_ACCEPTED_LOOKS:
                # The API shows no job for this request: it was never accepted. Send it again.
                return retry_later(
                    generation, None, "Depicta never accepted the request; resending."
                )
        if timezone.now() > deadline:
            return _recover_later(generation)
        time.sleep(1.0)  # pending or processing: Depicta is still working on it


def _failed_on_depictas_side(error: JobError | None) -> TypeGuard[JobError]:
    return error is not None and error.code not in REQUEST_ERROR_CODES


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
        key=lambda job: job.created_at or anchor,  # never None: _jobs_created_around keeps dated
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


def _recover_later(generation: Generation) -> FollowUp | None:
    """Depicta is still working (or its job endpoints are down): look again later, without
    holding a worker. A job that may be charged is never given up on quickly."""
    started = generation.submitted_at or generation.created_at
    give_up = timedelta(seconds=settings.DEPICTA_RECOVERY_GIVE_UP_SECONDS)
    if timezone.now() - started > give_up:
        generation.mark_failed(
            code="recovery_timeout",
            message=f"Depicta did not finish this job within {give_up}. If it shows up "
            f"later under job {generation.job_id or '(unknown)'}, an admin can adopt it.",
        )
        return None
    logger.info("generation %s: still recovering; looking again soon", generation.pk)
    return FollowUp(Work.RECOVER, delay_seconds=RECOVER_AGAIN_AFTER.total_seconds())
