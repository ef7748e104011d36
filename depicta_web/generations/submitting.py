"""The web side of a generation: check, store, queue. Nothing here calls Depicta."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from depicta_web.depicta.schema import ReferenceImage

from .models import Generation
from .scheduling import FollowUp, Work
from .tasks import task_schedule


class SubmitRefused(Exception):
    """A check at submit said no (a monthly budget, say); nothing was stored or sent."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Called inside the submit's transaction, before the insert; raises SubmitRefused to refuse.
SubmitGuard = Callable[..., None]


@dataclass(frozen=True)
class FormParameters:
    prompt: str
    model: str
    aspect_ratio: str
    image_size: str
    strictness: str
    reference_images: tuple[ReferenceImage, ...] = ()


def generation_submit(
    *,
    author,
    params: FormParameters,
    parent: Generation | None = None,
    estimated_cost: Decimal | None = None,
    guard: SubmitGuard | None = None,
) -> Generation:
    """Store the generation and queue its work once the row is committed.

    `guard(author=, estimated_cost=)` runs in the same transaction as the insert (spend's
    budget check serialises submits there), so a refusal stores nothing."""
    with transaction.atomic():
        if guard is not None:
            guard(author=author, estimated_cost=estimated_cost)
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
        queued = str(generation.pk)
        transaction.on_commit(lambda: task_schedule(FollowUp(Work.GENERATE), generation_id=queued))
    return generation
