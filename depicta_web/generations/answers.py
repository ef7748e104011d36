"""What a generation becomes once Depicta has answered (directly, or through its job): the
image adopted, the request sent again later, or a failure the designer can read."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from depicta_web.depicta.errors import ContentRejected, CreditInsufficient, DepictaAPIError
from depicta_web.depicta.schema import GenerateResult

from .copying import images_record
from .models import Generation
from .scheduling import FollowUp, Work

logger = logging.getLogger(__name__)

# Retryable failures are retried for at most this long before the generation fails.
RETRY_BUDGET = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0

PLAIN_MESSAGES = {
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


def designer_message(code: str, message: str) -> str:
    plain = PLAIN_MESSAGES.get(code)
    return f"{plain} ({message})" if plain and message else plain or message


def result_adopt(
    generation: Generation,
    result: GenerateResult,
    job_id: str | None,
    completed_at: datetime | None = None,
) -> None:
    """Depicta made the image: record its charge and its images, ready to copy."""
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


def error_fail(generation: Generation, exc: DepictaAPIError) -> None:
    generation.mark_failed(
        code=exc.error,
        message=designer_message(exc.error, exc.message),
        request_id=exc.request_id or "",
        rejected=isinstance(exc, ContentRejected),
    )
    if isinstance(exc, CreditInsufficient):
        logger.warning("generation %s refused: balance too low", generation.pk)


def retry_later(generation: Generation, retry_after: float | None, reason: str) -> FollowUp | None:
    """Back to the queue, to be sent again after `retry_after` (else a jittered backoff);
    failed instead once RETRY_BUDGET is spent."""
    started = generation.submitted_at or generation.created_at
    if timezone.now() - started > RETRY_BUDGET:
        generation.mark_failed(
            code="retries_exhausted", message=f"Gave up after retrying for {RETRY_BUDGET}: {reason}"
        )
        return None
    attempt = max(1, generation.submit_attempts)
    delay = (
        retry_after
        if retry_after is not None
        else min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        * random.uniform(0.5, 1.0)
    )
    if not generation.requeue(reason):
        return None
    logger.info("generation %s: %s retrying in %.1fs", generation.pk, reason, delay)
    return FollowUp(Work.GENERATE, delay_seconds=delay)
