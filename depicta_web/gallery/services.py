"""What designers do to the team's images: star, collect, trash, restore, purge, export,
verify. Keyword-only functions; views call them and render."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from depicta_web.generations.models import GeneratedImage, Generation, ImageFile
from depicta_web.lib.provenance import Provenance, read_provenance

from .models import Collection, CollectionItem, Favourite

HASH_CHUNK = 1024 * 1024


# --- favourites --------------------------------------------------------------------------
def favourite_set(*, user, generations: list[Generation], on: bool) -> int:
    """Star (or unstar) each generation for this person; returns how many changed."""
    if on:
        existing = set(
            Favourite.objects.filter(user=user, generation__in=generations).values_list(
                "generation_id", flat=True
            )
        )
        new = [Favourite(user=user, generation=g) for g in generations if g.pk not in existing]
        Favourite.objects.bulk_create(new, ignore_conflicts=True)
        return len(new)
    deleted, _ = Favourite.objects.filter(user=user, generation__in=generations).delete()
    return deleted


def favourite_toggle(*, user, generation: Generation) -> bool:
    """Returns whether the generation is now a favourite."""
    deleted, _ = Favourite.objects.filter(user=user, generation=generation).delete()
    if deleted:
        return False
    Favourite.objects.get_or_create(user=user, generation=generation)
    return True


# --- collections -------------------------------------------------------------------------
def collection_create(*, name: str, by) -> Collection:
    return Collection.objects.create(name=name, created_by=by)


def collection_rename(*, collection: Collection, name: str) -> Collection:
    collection.name = name
    collection.save(update_fields=["name"])
    return collection


def collection_add(*, collection: Collection, generations: list[Generation], by) -> int:
    present = set(
        collection.items.filter(generation__in=generations).values_list("generation_id", flat=True)
    )
    new = [
        CollectionItem(collection=collection, generation=g, added_by=by)
        for g in generations
        if g.pk not in present
    ]
    CollectionItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def collection_remove(*, collection: Collection, generations: list[Generation]) -> int:
    deleted, _ = collection.items.filter(generation__in=generations).delete()
    return deleted


# --- trash -------------------------------------------------------------------------------
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


def generations_purge(*, older_than: timedelta | None = None) -> int:
    """Delete for good what has been in the trash longer than the retention period, and the
    stored files no remaining generation shares (names are content-addressed).

    A generation Depicta charged for keeps its row, emptied of pictures, prompt and
    references: the ledger must still add up. One never charged goes entirely."""
    age = older_than if older_than is not None else timedelta(days=settings.GALLERY_TRASH_DAYS)
    # An empty prompt marks one already purged (the form never accepts an empty prompt).
    doomed = Generation.objects.filter(deleted_at__lt=timezone.now() - age).exclude(prompt="")
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


# --- export ------------------------------------------------------------------------------
def archive_write(*, generations: list[Generation], stream: IO[bytes]) -> int:
    """A ZIP of each image's original file (byte for byte, so its Content Credentials survive)
    and `metadata.json` describing them. Returns how many files were added besides it."""
    records, added = [], 0
    # Stored, not deflated: PNGs do not compress further, and the bytes stay untouched.
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for generation in generations:
            record = _metadata(generation)
            for image in generation.images.all():
                original = image.original
                if original is None:
                    continue
                name = generation.download_filename(image.position, original.format)
                with default_storage.open(original.storage_name, "rb") as handle:
                    archive.writestr(name, handle.read())
                added += 1
                record["files"].append(
                    {
                        "name": name,
                        "format": original.format,
                        "sha256": original.sha256,
                        "size_bytes": original.size_bytes,
                        "hash_verified": original.hash_verified,
                        "content_credentials": original.provenance.get("validation", ""),
                    }
                )
            records.append(record)
        archive.writestr("metadata.json", json.dumps(records, indent=2, ensure_ascii=False))
    return added


def _metadata(generation: Generation) -> dict:
    money = lambda value: None if value is None else str(value)  # noqa: E731 (Decimal as text)
    return {
        "id": str(generation.pk),
        "prompt": generation.prompt,
        "parameters": {
            "model": generation.model,
            "aspect_ratio": generation.aspect_ratio,
            "image_size": generation.image_size,
            "strictness": generation.strictness,
            "reference_images": generation.reference_images,
        },
        "model": generation.resolved_model or generation.model,
        "status": generation.status,
        "cost_eur": money(generation.cost_eur),
        "author": generation.author.get_username(),
        "created_at": generation.created_at.isoformat(),
        "remix_of": str(generation.parent_id) if generation.parent_id else None,
        "ai_generated": generation.ai_generated,
        "files": [],
    }


# --- verification ------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    file: ImageFile
    sha256: str
    size_bytes: int
    provenance: Provenance
    checked_at: object

    @property
    def hash_matches(self) -> bool:
        """The stored bytes are still the bytes we copied (and Depicta reported)."""
        expected = self.file.expected_sha256 or self.file.sha256
        return self.sha256 == self.file.sha256 == expected

    @property
    def ok(self) -> bool:
        return self.hash_matches and (self.provenance.is_valid or not self.provenance.present)


def file_verify(*, file: ImageFile) -> Verification:
    """Re-hash the stored file and read its Content Credentials again, now."""
    digest, size = hashlib.sha256(), 0
    with default_storage.open(file.storage_name, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        handle.seek(0)
        provenance = read_provenance(handle.read(), file.mime)
    return Verification(
        file=file,
        sha256=digest.hexdigest(),
        size_bytes=size,
        provenance=provenance,
        checked_at=timezone.now(),
    )
