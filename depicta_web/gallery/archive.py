"""The ZIP export: every chosen image's untouched original and `metadata.json`."""

from __future__ import annotations

import json
import zipfile
from typing import IO

from django.core.files.storage import default_storage

from depicta_web.generations.models import Generation


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
