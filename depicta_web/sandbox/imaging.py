"""A job's pictures: render, encode each format, sign with C2PA, hash and store the bytes.

The hash is the SHA-256 of the exact bytes stored and served.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from depicta_web.depicta.schema import IMAGE_FORMATS, MIME_TYPES

from . import credentials
from .encoding import encode
from .models import SandboxImage, SandboxJob
from .painting import render_image


def state_dir() -> Path:
    return Path(settings.DEPICTA_SANDBOX_STATE_DIR)


def image_path(image: SandboxImage) -> Path:
    return state_dir() / image.relative_path


def images_create(*, job: SandboxJob) -> list[SandboxImage]:
    """Render the job's picture once and store it in every format, each signed on its own."""
    picture = render_image(
        prompt=job.prompt,
        model=job.model,
        aspect_ratio=job.aspect_ratio,
        image_size=job.image_size,
        draft=settings.DEPICTA_SANDBOX_DRAFT_RENDER,
    )
    created_at = job.started_at or timezone.now()
    images = []
    for fmt in IMAGE_FORMATS:
        signed = credentials.sign_image(
            encode(picture, fmt),
            mime=MIME_TYPES[fmt],
            model=job.model,
            created_at=created_at,
            title=f"{job.id}.{fmt}",
            state_dir=state_dir(),
        )
        image = SandboxImage(
            job=job,
            position=1,
            format=fmt,
            sha256=hashlib.sha256(signed).hexdigest(),
            size_bytes=len(signed),
            width=picture.width,
            height=picture.height,
        )
        _write_atomically(image_path(image), signed)
        images.append(image)
    return SandboxImage.objects.bulk_create(images)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
