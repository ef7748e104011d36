"""The detail page and our own copies of the files."""

import hashlib

import pytest
from django.urls import reverse

from depicta_web.generations.models import ImageFile

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_detail_shows_everything_about_the_generation(alice_client, done_generation):
    body = alice_client.get(done_generation.get_absolute_url()).content.decode()
    assert done_generation.prompt in body
    assert done_generation.resolved_model in body
    assert f"€{done_generation.cost_eur}" in body
    assert f"€{done_generation.balance_eur}" in body
    assert done_generation.job_id in body
    assert "alice" in body
    assert "hash verified" in body
    for file in ImageFile.objects.filter(image__generation=done_generation):
        assert file.sha256 in body
        url = reverse(
            "generations:download", args=[done_generation.pk, file.image.position, file.format]
        )
        assert url in body
    # The signed Depicta URLs are never shown to the browser.
    assert "sig=" not in body
    assert "/sandbox/" not in body


def test_downloads_are_our_byte_identical_copies_with_readable_names(alice_client, done_generation):
    for file in ImageFile.objects.filter(image__generation=done_generation):
        response = alice_client.get(
            reverse("generations:download", args=[done_generation.pk, 1, file.format])
        )
        content = b"".join(response.streaming_content)
        assert hashlib.sha256(content).hexdigest() == file.sha256 == file.expected_sha256
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "depicta-a-lighthouse-on-a-cliff-at-dusk" in disposition


def test_media_is_served_only_to_logged_in_users_and_cached_long(client, alice, done_generation):
    name = done_generation.images.get().thumbnail
    url = reverse("generations:media", args=[name])
    assert client.get(url).status_code == 302
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_media_refuses_names_outside_our_copies(alice_client):
    for name in ("../settings.py", "originals/../../db.sqlite3", "thumbs/x.webp"):
        assert alice_client.get(f"/media/{name}").status_code == 404
