"""Production fixtures: a team of three, a stored image, and real servers on loopback."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from depicta_web.generations.models import GeneratedImage, Generation, ImageFile
from depicta_web.generations.storage_names import content_path

from ..processes import free_port, wait_for_port

# The sandbox with faults switched on and a batch of generations, for the many-workers test.
from ..reliability.conftest import batch, faulty_sandbox  # noqa: F401

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def carol(django_user_model):
    """An admin (staff)."""
    return django_user_model.objects.create_user("carol", password="carol-pass-123", is_staff=True)


def png_bytes(colour: str = "teal", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def stored_generation_make(author, *, prompt: str = "A red kite over the dunes") -> Generation:
    """A finished generation with one stored PNG original and its thumbnail, no API call."""
    data = png_bytes()
    sha = hashlib.sha256(data).hexdigest()
    name = content_path(sha, "png")
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data, name=name))
    thumb = f"thumbs/{sha[:2]}/{sha}-400.webp"
    if not default_storage.exists(thumb):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "teal").save(buffer, "WEBP")
        default_storage.save(thumb, ContentFile(buffer.getvalue(), name=thumb))
    generation = Generation.objects.create(
        author=author,
        prompt=prompt,
        model="depicta-1",
        aspect_ratio="4:3",
        status=Generation.Status.DONE,
        cost_eur=Decimal("0.040000"),
        responded_at=timezone.now(),
    )
    image = GeneratedImage.objects.create(
        generation=generation, position=0, width=64, height=48, thumbnail=thumb, thumbnail_2x=thumb
    )
    ImageFile.objects.create(
        image=image,
        format="png",
        state=ImageFile.State.STORED,
        storage_name=name,
        sha256=sha,
        expected_sha256=sha,
        size_bytes=len(data),
    )
    return generation


@pytest.fixture
def alices_generation(alice):
    return stored_generation_make(alice)


@contextmanager
def gunicorn_serving(env: dict[str, str], app: str, *options: str) -> Iterator[str]:
    """gunicorn on a free loopback port with `env` (2 workers); yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers=2", *options],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="session")
def moto_s3():
    """A real S3-compatible HTTP server (moto's server mode) on loopback, for this run only."""
    port = free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
