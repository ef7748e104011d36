"""The trash: soft delete by the author or an admin, restore, and the purge of what has been
there longer than GALLERY_TRASH_DAYS (the rows and files themselves: generations.purging)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from depicta_web.generations.models import Generation
from depicta_web.generations.purging import generations_purge


@dataclass(frozen=True)
class TrashOutcome:
    moved: list[Generation]
    refused: list[Generation]  # not the person's own, and they are not an admin


def generations_trash(*, generations: list[Generation], by) -> TrashOutcome:
    """Soft delete: only the author or an admin may; nothing is removed from storage."""
    allowed = [g for g in generations if g.can_delete(by)]
    refused = [g for g in generations if not g.can_delete(by)]
    if refused:
        return TrashOutcome(moved=[], refused=refused)  # all or nothing
    with transaction.atomic():
        moved = [g for g in allowed if g.trash(by=by)]
    return TrashOutcome(moved=moved, refused=[])


def trash_purge(*, older_than: timedelta | None = None) -> int:
    """Delete for good what has been in the trash longer than the retention period."""
    age = older_than if older_than is not None else timedelta(days=settings.GALLERY_TRASH_DAYS)
    return generations_purge(deleted_before=timezone.now() - age)
