"""Looking closely (detail, lightbox, verify), remixing, and the ZIP export, on real images
made by the sandbox over loopback."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from depicta_web.generations.models import Generation

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_detail_has_the_label_copy_remix_verify_and_credentials(alice_client, done_generation):
    body = alice_client.get(done_generation.get_absolute_url()).content.decode()
    assert "AI-generated" in body
    assert 'data-copy="#prompt-text"' in body
    assert f"?remix={done_generation.pk}" in body
    assert reverse("gallery:verify", args=[done_generation.pk]) in body
    assert "Content Credentials" in body
    assert "Signed manifest intact" in body
    assert 'aria-label="Favourite"' in body
    assert "Move to trash" in body


def test_other_designer_sees_no_delete_button_on_my_image(client, bob, done_generation):
    client.force_login(bob)
    body = client.get(done_generation.get_absolute_url()).content.decode()
    assert "Move to trash" not in body
    assert "Remix" in body


def test_lightbox_is_the_full_image_with_prompt_and_label_only(alice_client, done_generation):
    response = alice_client.get(
        done_generation.get_absolute_url(), {"view": "lightbox"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    original = done_generation.images.get().original
    assert body.lstrip().startswith('<div class="lightbox__content"')
    assert reverse("generations:media", args=[original.storage_name]) in body
    assert "AI-generated" in body
    assert done_generation.prompt in body
    assert "<html" not in body


def test_originals_are_served_byte_for_byte(alice_client, done_generation):
    original = done_generation.images.get().original
    response = alice_client.get(reverse("generations:media", args=[original.storage_name]))
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == original.sha256 == original.expected_sha256


def test_verify_rehashes_and_rereads_the_manifest(alice_client, done_generation):
    url = reverse("gallery:verify", args=[done_generation.pk])
    body = alice_client.post(url, headers={"HX-Request": "true"}).content.decode()
    original = done_generation.images.get().original
    assert body.lstrip().startswith('<div id="verification"')
    assert "✓ Verified just now" in body
    assert original.sha256 in body
    assert "valid" in body


def test_verify_notices_a_file_changed_in_storage(alice_client, done_generation):
    original = done_generation.images.get().original
    path = default_storage.path(original.storage_name)
    with open(path, "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00\x01tampered")
    body = alice_client.post(reverse("gallery:verify", args=[done_generation.pk])).content.decode()
    assert "✗ Verification failed" in body
    assert "differs from the copy we stored" in body


def test_remix_prefills_every_parameter_and_records_the_parent(
    alice_client, alice, done_generation
):
    Generation.objects.filter(pk=done_generation.pk).update(
        strictness="liberal",
        reference_images=[{"url": "https://example.com/a.png", "description": "a red boat"}],
    )
    page = alice_client.get(reverse("studio:index"), {"remix": done_generation.pk})
    body = page.content.decode()
    assert f'name="parent" value="{done_generation.pk}"' in body
    assert f">{done_generation.prompt}</textarea>" in body
    assert '<option value="3:2" selected>' in body
    assert '<option value="liberal" selected>' in body
    assert 'value="https://example.com/a.png"' in body
    assert 'value="a red boat"' in body
    response = alice_client.post(
        reverse("studio:submit"),
        {
            "prompt": done_generation.prompt + ", at night",
            "model": done_generation.model,
            "aspect_ratio": "3:2",
            "image_size": "1K",
            "strictness": "liberal",
            "parent": str(done_generation.pk),
        },
    )
    assert response.status_code == 302
    remix = Generation.objects.get(parent=done_generation)
    parent_page = alice_client.get(done_generation.get_absolute_url()).content.decode()
    assert remix.get_absolute_url() in parent_page
    assert "Remixes" in parent_page
    remix_page = alice_client.get(remix.get_absolute_url()).content.decode()
    assert "Remix of" in remix_page
    assert done_generation.get_absolute_url() in remix_page


def test_remix_of_an_unknown_image_is_not_found(alice_client, alice):
    url = reverse("studio:index")
    assert alice_client.get(url, {"remix": "nope"}).status_code == 404


def test_zip_holds_the_originals_and_their_metadata(alice_client, done_generation):
    response = alice_client.post(
        reverse("gallery:bulk"), {"action": "zip", "ids": [done_generation.pk]}
    )
    assert response["Content-Type"] == "application/zip"
    assert 'filename="depicta-images-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    original = done_generation.images.get().original
    name = done_generation.download_filename(1, "png")
    assert name.startswith("depicta-a-lighthouse-on-a-cliff-at-dusk-")
    assert sorted(archive.namelist()) == sorted([name, "metadata.json"])
    assert hashlib.sha256(archive.read(name)).hexdigest() == original.sha256
    [record] = json.loads(archive.read("metadata.json"))
    assert record["prompt"] == done_generation.prompt
    assert record["parameters"]["aspect_ratio"] == "3:2"
    assert record["model"] == done_generation.resolved_model
    assert record["cost_eur"] == str(done_generation.cost_eur)  # Decimal as exact text
    assert record["author"] == "alice"
    assert record["created_at"].startswith(str(done_generation.created_at.date()))
    assert record["files"][0]["sha256"] == original.sha256
    assert record["files"][0]["hash_verified"] is True


def test_remix_of_a_vanished_image_is_refused_and_sends_nothing(
    alice_client, model_key, sandbox_jobs_total
):
    before = sandbox_jobs_total()
    response = alice_client.post(
        reverse("studio:submit"),
        {
            "prompt": "A lighthouse",
            "model": model_key,
            "aspect_ratio": "1:1",
            "image_size": "1K",
            "parent": "0b9e1a52-5d2b-4c3e-9a61-3f6d2b8c1e00",
        },
    )
    assert response.status_code == 422
    assert "The image this remixes no longer exists" in response.content.decode()
    assert not Generation.objects.exists()
    assert sandbox_jobs_total() == before
