"""Media in an S3-compatible bucket (moto's server on loopback), served only through the app."""

import hashlib

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse

from depicta_web.generations.models import ImageFile
from depicta_web.generations.pipeline import generation_run

from ..conftest import ALL_DATABASES, generation_make

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
    generation_run(generation_id=str(generation.pk))
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
