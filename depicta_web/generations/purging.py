"""Deleting generations for good, with the stored files no remaining generation shares."""

from __future__ import annotations

from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import GeneratedImage, Generation, ImageFile


def generations_purge(*, deleted_before: datetime) -> int:
    """Delete for good what was moved to the trash before `deleted_before`, and the stored
    files no remaining generation shares (names are content-addressed).

    A generation Depicta charged for keeps its row, emptied of pictures, prompt and
    references: the ledger must still add up. One never charged goes entirely."""
    # An empty prompt marks one already purged (the form never accepts an empty prompt).
    doomed = Generation.objects.filter(deleted_at__lt=deleted_before).exclude(prompt="")
    files = ImageFile.objects.filter(image__generation__in=doomed)
    names = set(files.exclude(storage_name="").values_list("storage_name", flat=True))
    thumbs = doomed.values_list("images__thumbnail", "images__thumbnail_2x")
    names |= {name for pair in thumbs for name in pair if name}
    with transaction.atomic():
        count = doomed.count()
        charged = doomed.exclude(cost_eur=None)
        Generation.objects.filter(parent__in=charged).update(parent=None)  # remixes stay
        GeneratedImage.objects.filter(generation__in=charged).delete()
        charged.update(prompt="", reference_images=[], updated_at=timezone.now())
        # Remixes of the rest keep existing: their parent link is cleared by the foreign key.
        doomed.filter(cost_eur=None).delete()
    still_used = set(
        ImageFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
    )
    for name in names - still_used - _thumbnails_in_use(names):
        default_storage.delete(name)
    return count


def _thumbnails_in_use(names: set[str]) -> set[str]:
    used = GeneratedImage.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True)
    used_2x = GeneratedImage.objects.filter(thumbnail_2x__in=names).values_list(
        "thumbnail_2x", flat=True
    )
    return set(used) | set(used_2x)
