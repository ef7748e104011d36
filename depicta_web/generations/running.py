"""The worker side of a generation: send it to Depicta once, then copy what came back.

Rules (docs/reliability.md explains them):
- The claim queued → generating is committed before the API call, so a generation found in
  `generating` or `recovering` may have reached Depicta and is never blindly resubmitted.
- 429 means Depicta did not accept the request: wait Retry-After and send again.
- A connect failure means nothing was sent: send again after a backoff.
- An answer carrying `X-Depicta-Job-Id` names its job: a 5xx with one is looked up by id and
  its result adopted, or, when the job failed (never charged), sent again after a backoff.
- A complete HTTP answer without that header created no job (Depicta sets it on every
  accepted request): a 5xx is sent again after a backoff, a 4xx ends the generation.
- A missing answer (timeout, reset, killed worker) without a job id goes to recovery
  (recovering.py), which searches the job list by time and model.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from depicta_web.depicta import DepictaClient
from depicta_web.depicta.configured import depicta_client
from depicta_web.depicta.errors import DepictaAPIError, DepictaTransportError, RateLimited
from depicta_web.depicta.schema import GenerateRequest, ReferenceImage

from .answers import error_fail, result_adopt, retry_later
from .concurrency import api_slot
from .copying import generation_copy
from .models import Generation
from .recovering import job_recover
from .scheduling import FollowUp, Work

# How long a worker waits for a free API slot before handing the generation back to the queue.
SLOT_WAIT = 2.0


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


def generation_run(*, generation_id: str) -> FollowUp | None:
    """The generate task's body: submit a queued generation, or finish copying a saved one.
    Returns the work left for later, if any."""
    generation = Generation.objects.get(pk=generation_id)
    follow_up = None
    with depicta_client() as client:
        if generation.status == Generation.Status.QUEUED:
            lease = timedelta(seconds=settings.DEPICTA_TIMEOUT_SECONDS + 30)
            with api_slot(holder=generation.pk, lease=lease, wait_seconds=SLOT_WAIT) as held:
                if not held:
                    # Every slot stayed taken: back to the queue, still queued (nothing was
                    # sent), ready at once. A delay here left slots idle at the end of a batch;
                    # the worker already waited, so this is no busy loop.
                    return FollowUp(Work.GENERATE)
                if not generation.claim_for_submit():
                    return None  # another worker claimed it first
                follow_up = _submit(generation, client)
        if generation.status == Generation.Status.SAVING:
            generation_copy(generation=generation, client=client)
    return follow_up


def _submit(generation: Generation, client: DepictaClient) -> FollowUp | None:
    request = api_request_for(generation)
    generation.mark_sending()
    try:
        result, job_id = client.generate_image(request, on_job_id=generation.record_job_id)
    except RateLimited as exc:
        # 429: Depicta did not accept the request; it is safe to send it again.
        return retry_later(generation, exc.retry_after, f"Depicta is busy ({exc.error}).")
    except DepictaTransportError as exc:
        if exc.request_sent or exc.job_id:
            generation.mark_recovering(f"No complete answer from Depicta: {exc}")
            return job_recover(generation, client)
        return retry_later(generation, None, f"Depicta could not be reached: {exc}")
    except DepictaAPIError as exc:
        if exc.retryable and exc.job_id:
            # Accepted, then failed or cut off: the job tells whether to adopt or send again.
            generation.mark_recovering(f"Depicta answered {exc.status} {exc.error}.")
            return job_recover(generation, client)
        if exc.retryable:
            return retry_later(
                generation, exc.retry_after, f"Depicta answered {exc.status} {exc.error}."
            )
        error_fail(generation, exc)
        return None
    result_adopt(generation, result, job_id)
    return None
