"""Media in an S3-compatible bucket (moto's server on loopback), served only through the app."""

import hashlib
import re
import uuid

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depicta_web.generations.models import Generation, ImageFile
from depicta_web.generations.tasks import generate_task
from depicta_web.sandbox.models import SandboxImage

from ..conftest import ALL_DATABASES, generation_make
from ..processes import WorkerPool, worker_env
from ..reliability.audit import generations_wait_final

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

ACCESS_KEY = "AKIATESTSTUDIOMEDIA01"
SECRET_KEY = "s3-secret-never-shown-9f8e7d6c5b4a"
BUCKET = "depicta-media"


@pytest.fixture
def s3_media(moto_s3, settings, monkeypatch):
    """The production storage settings (MEDIA_STORAGE=s3), credentials only in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    bucket = boto3.client("s3", endpoint_url=moto_s3, region_name="eu-central-1")
    bucket.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_s3,
                "region_name": "eu-central-1",
                "default_acl": None,
                "file_overwrite": True,
            },
        },
    }
    yield bucket
    for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
    bucket.delete_bucket(Bucket=BUCKET)


def _object(bucket, key: str) -> bytes:
    return bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_originals_and_thumbnails_are_stored_in_the_bucket_and_served_by_the_app(
    s3_media, alice, alice_client, sandbox, model_key, tmp_path, client
):
    assert type(storages["default"]).__name__ == "S3Storage"
    generation = generation_make(alice, model=model_key)
    generate_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    assert generation.status == "done", generation.error_message

    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    files = ImageFile.objects.filter(image__generation=generation)
    for file in files:
        assert file.storage_name in keys
        assert hashlib.sha256(_object(s3_media, file.storage_name)).hexdigest() == file.sha256
    image = generation.images.get()
    assert {image.thumbnail, image.thumbnail_2x} <= keys
    assert not (tmp_path / "media").exists()  # nothing went to the local disk

    # The card's thumbnail and a download come through the app, byte for byte.
    thumb = alice_client.get(reverse("generations:media", args=[image.thumbnail]))
    assert thumb.status_code == 200
    assert b"".join(thumb.streaming_content) == _object(s3_media, image.thumbnail)
    png = files.get(format="png")
    download = alice_client.get(
        reverse("generations:download", args=[generation.pk, image.position, "png"])
    )
    assert b"".join(download.streaming_content) == _object(s3_media, png.storage_name)

    # No page or header names the bucket's address or its credentials.
    detail = alice_client.get(generation.get_absolute_url()).content.decode()
    for response_text in (detail, str(thumb.headers), str(download.headers)):
        for secret in (ACCESS_KEY, SECRET_KEY, s3_media.meta.endpoint_url, BUCKET):
            assert secret not in response_text

    alice_client.logout()
    anonymous = client.get(reverse("generations:media", args=[image.thumbnail]))
    assert anonymous.status_code == 302


WORKER_GENERATIONS = 3
# What a signed or credentialed bucket URL would carry, had one been rendered.
SIGNED_URL_MARKERS = ("X-Amz-", "AWSAccessKeyId=", "Signature=", "amazonaws.com")


def test_worker_processes_store_in_the_bucket_named_only_by_their_environment(
    s3_media, alice, alice_client, sandbox, model_key, tmp_path, settings
):
    """Real `manage.py worker` processes, S3 selected by MEDIA_STORAGE=s3 and AWS_* alone."""
    run = uuid.uuid4().hex[:8]
    generations = [
        generation_make(alice, model=model_key, prompt=f"S3 workers {run} #{n}: a harbour at dawn")
        for n in range(WORKER_GENERATIONS)
    ]
    endpoint = s3_media.meta.endpoint_url
    env = worker_env(
        base_url=sandbox,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
    )
    assert env["MEDIA_ROOT"] == str(tmp_path / "media")  # the filesystem they would fall back to
    pool = WorkerPool(env)
    pool.start(2)
    try:
        generations_wait_final([g.pk for g in generations], timeout=120)
    finally:
        pool.stop()

    # The workers ran every task (the test process ran none).
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) >= WORKER_GENERATIONS
    assert all(task.status == "SUCCESSFUL" for task in tasks), [t.status for t in tasks]
    assert all(task.worker_ids for task in tasks)

    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    thumbnails = []
    for generation in Generation.objects.filter(pk__in=[g.pk for g in generations]):
        assert generation.status == Generation.Status.DONE, generation.error_message
        files = list(ImageFile.objects.filter(image__generation=generation))
        assert files
        # The sandbox's own books: the SHA-256 of every format it rendered for this job.
        reported = {
            (image.position, image.format): image.sha256
            for image in SandboxImage.objects.filter(job_id=generation.job_id)
        }
        assert {(f.image.position, f.format) for f in files} == set(reported)
        for file in files:
            assert file.state == ImageFile.State.STORED
            assert file.storage_name in keys
            assert (
                file.sha256 == file.expected_sha256 == reported[(file.image.position, file.format)]
            )
            body = _object(s3_media, file.storage_name)
            assert hashlib.sha256(body).hexdigest() == file.sha256
            assert len(body) == file.size_bytes
        for image in generation.images.all():
            assert image.thumbnail
            assert {image.thumbnail, image.thumbnail_2x} <= keys
            thumbnails.append(image.thumbnail)
    assert not (tmp_path / "media").exists()  # nothing went to the local disk

    # The web side (same bucket) streams thumbnails and originals through its own URLs.
    for name in thumbnails:
        response = alice_client.get(reverse("generations:media", args=[name]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == _object(s3_media, name)
    generation = generations[0]
    png = ImageFile.objects.get(image__generation=generation, format="png")
    download = alice_client.get(
        reverse("generations:download", args=[generation.pk, png.image.position, "png"])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _object(s3_media, png.storage_name)

    # The studio and the detail page point only at the app; no credential, bucket or signed URL.
    studio = alice_client.get(reverse("studio:index"))
    assert studio.status_code == 200
    detail = alice_client.get(generation.get_absolute_url())
    assert detail.status_code == 200
    studio_html, detail_html = studio.content.decode(), detail.content.decode()
    for name in thumbnails:
        assert reverse("generations:media", args=[name]) in studio_html
    assert reverse("generations:media", args=[png.storage_name]) in detail_html
    for html in (studio_html, detail_html):
        for secret in (ACCESS_KEY, SECRET_KEY, endpoint, BUCKET, *SIGNED_URL_MARKERS):
            assert secret not in html
        image_sources = re.findall(r'<img[^>]+src="([^"]+)"', html)
        assert image_sources
        assert all(src.startswith("/media/") for src in image_sources), image_sources
