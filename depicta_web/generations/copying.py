"""Copy every image Depicta returned into our storage before its signed URL dies.

Downloads stream through a spooled temporary file (bounded memory), are hashed on the way
and compared with the SHA-256 and size Depicta reported. Only a verified file is kept under
its content-addressed name; an expired URL is re-signed by fetching the job again.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
import warnings
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from depicta_web.depicta import DepictaClient, DepictaError
from depicta_web.depicta.client import DownloadError, redact_url
from depicta_web.depicta.schema import GenerateResult
from depicta_web.lib.netguard import address_refusal
from depicta_web.lib.provenance import read_provenance

from .models import GeneratedImage, Generation, ImageFile
from .storage_names import THUMBNAIL_WIDTHS, original_name, thumbnail_name

logger = logging.getLogger(__name__)

# Each attempt is a fresh request; a bad hash or a cut-off body is rarely repeated five times.
DOWNLOAD_ATTEMPTS = 5
SPOOL_BYTES = 8 * 1024 * 1024


def images_record(*, generation: Generation, result: GenerateResult) -> None:
    """Create (or refresh the URLs of) one row per image and format of the result."""
    for result_image in result.images:
        image, _ = GeneratedImage.objects.get_or_create(
            generation=generation,
            position=result_image.position,
            defaults={"title": result_image.title[:200]},
        )
        for fmt, variant in result_image.variants.items():
            file, created = ImageFile.objects.get_or_create(
                image=image,
                format=fmt,
                defaults={
                    "source_url": variant.url,
                    "source_expires_at": variant.expires_at,
                    "expected_sha256": variant.hash or "",
                    "expected_size": variant.size_bytes,
                },
            )
            if not created and file.state != ImageFile.State.STORED:
                file.source_url = variant.url
                file.source_expires_at = variant.expires_at
                file.expected_sha256 = file.expected_sha256 or variant.hash or ""
                file.expected_size = file.expected_size or variant.size_bytes
                file.save(
                    update_fields=[
                        "source_url",
                        "source_expires_at",
                        "expected_sha256",
                        "expected_size",
                    ]
                )


def generation_copy(*, generation: Generation, client: DepictaClient) -> None:
    """Copy every pending file, write thumbnails, and end in done or needs-attention.

    The JPEG goes first (the smallest to fetch and the quickest to decode) and the thumbnails
    are made from it at once, so the polling card shows the picture while the other formats
    are still being copied."""
    files = ImageFile.objects.filter(image__generation=generation).select_related("image")
    in_order = sorted(files, key=lambda file: (file.image.position, file.format != "jpeg"))
    thumbnailed = {file.image_id for file in in_order if file.image.thumbnail}
    for file in in_order:
        if file.state == ImageFile.State.PENDING:
            file_copy(file=file, generation=generation, client=client)
        if file.state == ImageFile.State.STORED and file.image_id not in thumbnailed:
            thumbnails_write(image=file.image, original=file)
            thumbnailed.add(file.image_id)
            generation.touch()  # the card's next poll re-renders with the thumbnail
    problems = [f for f in in_order if f.state != ImageFile.State.STORED]
    if not problems and generation.images.exists():
        generation.mark_done()
    else:
        described = "; ".join(f"{f.format}: {f.error or f.get_state_display()}" for f in problems)
        generation.mark_needs_attention(
            described or "Depicta returned no image URL for this generation."
        )


def host_refusal(url: str) -> str:
    """Why an image URL may not be fetched, or "" when it may: only hosts in
    DEPICTA_IMAGE_HOSTS. (Non-public addresses are refused when connecting: see api.py.)"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in settings.DEPICTA_IMAGE_HOSTS:
        return "host not in DEPICTA_IMAGE_HOSTS"
    return ""


def file_copy(*, file: ImageFile, generation: Generation, client: DepictaClient) -> None:
    if refusal := host_refusal(file.source_url):
        _file_refuse(file, refusal)
        return
    last_state, last_error = ImageFile.State.FAILED, ""
    for attempt in range(DOWNLOAD_ATTEMPTS):
        file.attempts += 1
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            try:
                download = client.download(
                    file.source_url, spool, max_bytes=settings.DEPICTA_MAX_DOWNLOAD_BYTES
                )
            except DownloadError as exc:
                if refusal := address_refusal(exc):  # refused, not broken: no retry
                    _file_refuse(file, refusal)
                    return
                last_state, last_error = ImageFile.State.FAILED, str(exc)
                if exc.expired and generation.job_id:
                    _urls_refresh(file, generation, client)
                time.sleep(min(2.0, 0.25 * 2**attempt))
                continue
            problem = _verification_problem(file, download.sha256, download.size_bytes)
            if problem:
                # Never kept as the original: download once more, then report it.
                last_state, last_error = ImageFile.State.MISMATCH, problem
                logger.warning("generation %s %s: %s", generation.pk, file.format, problem)
                continue
            spool.seek(0)
            file.provenance = read_provenance(spool.read(), file.mime).to_json()
            spool.seek(0)
            _store(file, spool, download.sha256, download.size_bytes)
            return
    _file_fail(file, last_state, last_error)


def _verification_problem(file: ImageFile, sha256: str, size: int) -> str:
    if file.expected_sha256 and sha256 != file.expected_sha256:
        return f"SHA-256 {sha256[:12]}… differs from Depicta's {file.expected_sha256[:12]}…"
    if file.expected_size is not None and size != file.expected_size:
        return f"{size} bytes arrived; Depicta reported {file.expected_size}"
    return ""


def _store(file: ImageFile, content, sha256: str, size: int) -> None:
    name = original_name(sha256, file.format)
    # The same bytes always get the same name: a second copy is never written.
    if not default_storage.exists(name):
        default_storage.save(name, File(content, name=name))
    file.state = ImageFile.State.STORED
    file.storage_name = name
    file.sha256 = sha256
    file.size_bytes = size
    file.error = ""
    file.stored_at = timezone.now()
    file.save(
        update_fields=[
            "provenance",
            "state",
            "storage_name",
            "sha256",
            "size_bytes",
            "error",
            "stored_at",
            "attempts",
        ]
    )


def _file_refuse(file: ImageFile, refusal: str) -> None:
    logger.warning("refused image download from %s: %s", redact_url(file.source_url), refusal)
    _file_fail(file, ImageFile.State.FAILED, f"The image URL's host is not allowed: {refusal}.")


def _file_fail(file: ImageFile, state: str, error: str) -> None:
    file.state = state
    file.error = error[:500]
    file.save(update_fields=["state", "error", "attempts"])


def _urls_refresh(file: ImageFile, generation: Generation, client: DepictaClient) -> None:
    """An expired URL: fetch the job again, which carries freshly signed URLs."""
    try:
        job = client.get_job(generation.job_id)
    except DepictaError as exc:
        logger.warning("generation %s: could not refresh URLs: %s", generation.pk, exc)
        return
    if job.result is None:
        return
    for result_image in job.result.images:
        variant = result_image.variants.get(file.format)
        if result_image.position == file.image.position and variant:
            file.source_url = variant.url
            file.source_expires_at = variant.expires_at
            file.save(update_fields=["source_url", "source_expires_at"])


def thumbnails_write(*, image: GeneratedImage, original: ImageFile) -> None:
    """WebP thumbnails at 1x and 2x grid width; the original's pixel size is recorded too."""
    widest = max(THUMBNAIL_WIDTHS)
    with default_storage.open(original.storage_name, "rb") as handle:
        try:
            picture = _image_open_bounded(handle)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Never decoded: a picture this large would take the worker's memory.
            logger.warning("generation %s: no thumbnail: %s", image.generation_id, exc)
            return
        image.width, image.height = picture.size
        picture.draft("RGB", (widest, widest * 4))  # JPEG: decode at a reduced scale
        thumb = picture.convert("RGB")
    names = {}
    # Widest first, each smaller one from the last: every resize works on fewer pixels.
    for width in sorted(THUMBNAIL_WIDTHS, reverse=True):
        # Bicubic: as sharp as Lanczos to the eye at these sizes, for 2/3 of its CPU.
        thumb.thumbnail((width, width * 4), Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        thumb.save(buffer, "WEBP", quality=80, method=2)
        name = thumbnail_name(original.sha256, width)
        if not default_storage.exists(name):
            buffer.seek(0)
            default_storage.save(name, File(buffer, name=name))
        names[width] = name
    image.thumbnail, image.thumbnail_2x = (names[width] for width in THUMBNAIL_WIDTHS)
    image.save(update_fields=["width", "height", "thumbnail", "thumbnail_2x"])


def _image_open_bounded(handle) -> Image.Image:
    """Image.open (the header only), refusing more pixels than DEPICTA_MAX_IMAGE_PIXELS.

    Checked here rather than through Pillow's process-wide MAX_IMAGE_PIXELS, which would also
    bind every other image this process handles (the sandbox's own painting, in tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        picture = Image.open(handle)
    width, height = picture.size
    if width * height > settings.DEPICTA_MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError(
            f"{width} x {height} pixels is more than DEPICTA_MAX_IMAGE_PIXELS "
            f"({settings.DEPICTA_MAX_IMAGE_PIXELS})"
        )
    return picture
