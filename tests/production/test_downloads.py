"""What a worker will fetch and decode: allowed public hosts, bounded sizes, bounded pixels."""

import logging

import pytest
from PIL import Image

from depicta_web.generations.models import Generation, ImageFile
from depicta_web.generations.tasks import generate_task
from depicta_web.lib.netguard import address_is_public

from ..conftest import ALL_DATABASES, generation_make

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104
        "::1",
        "fe80::1%eth0",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_not_public(address):
    assert not address_is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    assert address_is_public(address)


def _run(alice, model_key) -> Generation:
    generation = generation_make(alice, model=model_key)
    generate_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    return generation


def test_image_urls_on_a_private_address_are_refused_without_the_sandbox(
    alice, sandbox, model_key, settings, caplog
):
    # As with a real key: the allowlist names the host, but it resolves to loopback. The
    # refusal comes when connecting (tests/lib/test_netguard.py) and is not retried.
    settings.DEPICTA_IMAGE_ALLOW_PRIVATE = False
    generation = _run(alice, model_key)

    assert generation.status == Generation.Status.NEEDS_ATTENTION
    files = ImageFile.objects.filter(image__generation=generation)
    assert {f.state for f in files} == {ImageFile.State.FAILED}
    assert all("non-public address" in f.error for f in files)
    assert all(f.attempts == 1 for f in files)  # refused at the first connection
    refusals = [r.getMessage() for r in caplog.records if "refused image download" in r.msg]
    assert refusals
    assert all("?" not in message for message in refusals)  # the signed query is never logged


def test_an_image_over_the_download_limit_is_not_kept(alice, sandbox, model_key, settings):
    settings.DEPICTA_MAX_DOWNLOAD_BYTES = 2_000
    generation = _run(alice, model_key)

    assert generation.status == Generation.Status.NEEDS_ATTENTION
    files = ImageFile.objects.filter(image__generation=generation)
    assert all(f.state != ImageFile.State.STORED for f in files)
    assert any("larger than 2000 bytes" in f.error for f in files)


def test_a_picture_over_the_pixel_limit_is_never_decoded(
    alice, sandbox, model_key, settings, caplog
):
    settings.DEPICTA_MAX_IMAGE_PIXELS = 10_000  # 100 x 100
    with caplog.at_level(logging.WARNING, logger="depicta_web"):
        generation = _run(alice, model_key)

    # The verified originals are kept; no thumbnail was made from them.
    assert generation.status == Generation.Status.DONE
    image = generation.images.get()
    assert image.thumbnail == ""
    # The limit binds our thumbnails only, not Pillow's process-wide default for other work.
    assert Image.MAX_IMAGE_PIXELS != 10_000
    assert "no thumbnail" in caplog.text
    assert "is more than DEPICTA_MAX_IMAGE_PIXELS (10000)" in caplog.text
