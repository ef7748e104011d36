"""The task pipeline against the sandbox over real HTTP: submit once, copy, verify, record."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from depicta_web.generations.models import Generation, ImageFile
from depicta_web.generations.tasks import generate_task

from ..conftest import ALL_DATABASES, generation_make

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def run(generation):
    generate_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    return generation


def test_a_generation_is_submitted_copied_verified_and_thumbnailed(done_generation, depicta):
    job = depicta.get_job(done_generation.job_id)
    assert job.status == "completed"
    assert done_generation.cost_eur == job.result.cost_eur
    assert done_generation.balance_eur == job.result.balance_eur
    assert done_generation.resolved_model
    image = done_generation.images.get()
    assert (image.width, image.height) == (
        1024,
        680,
    ) or image.width / image.height == pytest.approx(1.5, rel=0.02)
    files = {f.format: f for f in ImageFile.objects.filter(image=image)}
    assert set(files) == {"png", "jpeg", "webp"}
    for file in files.values():
        assert file.state == ImageFile.State.STORED
        with default_storage.open(file.storage_name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == file.sha256
        assert (
            file.storage_name
            == f"originals/{file.sha256[:2]}/{file.sha256}."
            + {"png": "png", "jpeg": "jpg", "webp": "webp"}[file.format]
        )
    assert files["png"].sha256 == job.result.images[0].png_hash
    assert default_storage.exists(image.thumbnail)
    assert default_storage.exists(image.thumbnail_2x)


def test_running_the_task_again_calls_the_api_once_and_stores_nothing_twice(
    done_generation, sandbox_jobs_total
):
    before = sandbox_jobs_total()
    files_before = list(ImageFile.objects.values_list("storage_name", flat=True))
    run(done_generation)
    assert sandbox_jobs_total() == before
    assert list(ImageFile.objects.values_list("storage_name", flat=True)) == files_before


def test_a_hash_mismatch_is_never_kept_and_is_shown(alice, model_key, settings):
    settings.DEPICTA_SANDBOX_FAULTS_ENABLED = True
    settings.DEPICTA_SANDBOX_FAULTS = "hash_mismatch=1"
    generation = run(generation_make(alice, model=model_key))
    assert generation.status == Generation.Status.NEEDS_ATTENTION
    assert "SHA-256" in generation.error_message
    mismatched = ImageFile.objects.filter(state=ImageFile.State.MISMATCH)
    assert mismatched.exists()
    for file in mismatched:
        assert file.storage_name == ""
        assert not default_storage.exists(
            f"originals/{file.expected_sha256[:2]}/{file.expected_sha256}.png"
        )


def test_a_content_rejection_ends_plainly_without_a_charge(alice, model_key, sandbox_balance):
    balance_before = sandbox_balance()
    generation = run(generation_make(alice, model=model_key, prompt=REJECTED_PROMPT))
    assert generation.status == Generation.Status.REJECTED
    assert "content policy" in generation.error_message
    assert generation.request_id
    assert generation.cost_eur is None
    assert sandbox_balance() == balance_before


def test_an_image_host_outside_the_allowlist_is_refused(alice, model_key, settings, caplog):
    settings.DEPICTA_IMAGE_HOSTS = ["images.depicta.ai"]
    generation = run(generation_make(alice, model=model_key))
    assert generation.status == Generation.Status.NEEDS_ATTENTION
    assert ImageFile.objects.filter(state=ImageFile.State.STORED).count() == 0
    assert "not in DEPICTA_IMAGE_HOSTS" in caplog.text
    assert "sig=" not in caplog.text


REJECTED_PROMPT = "a gory battlefield"
