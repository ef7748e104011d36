"""The client against the sandbox over real HTTP on loopback."""

import hashlib
import io
from decimal import Decimal

import pytest

from depicta_web.depicta import DepictaClient
from depicta_web.depicta.errors import AuthInvalid, BadRequest, NotFound
from depicta_web.depicta.schema import GenerateRequest, ReferenceImage

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_models_come_with_prices_sizes_and_what_each_can_do(depicta):
    listed = depicta.list_models()
    models = listed.models
    assert len(models) >= 2
    assert listed.disclaimer
    assert listed.cached_at is not None
    assert all(m.key and m.approximate_cost_eur is not None and m.sizes_offered for m in models)
    assert any(m.budget for m in models)
    assert any(m.can_edit for m in models)
    assert any(not m.can_edit for m in models)


def test_the_account_profile_gives_balance_held_and_available(depicta, sandbox_balance):
    profile = depicta.get_account_profile()
    assert profile.balance_eur == sandbox_balance()
    assert profile.held_eur == Decimal("0.000000")  # nothing in flight
    assert profile.available_eur == profile.balance_eur
    assert profile.email


def test_generate_returns_every_format_with_hashes_cost_and_job_id(depicta):
    model = depicta.list_models().models[0]
    seen_job_ids = []
    result, job_id = depicta.generate_image(
        GenerateRequest(
            prompt="a lighthouse at dusk",
            model=model.key,
            aspect_ratio="16:9",
            image_size="1K",
            strictness="normal",
            reference_images=(ReferenceImage("https://example.com/a.png", "a cliff"),),
        ),
        on_job_id=seen_job_ids.append,
    )
    assert seen_job_ids == [job_id]
    assert job_id
    assert result.ai_generated is True
    assert result.cost_eur > 0
    assert result.balance_eur >= 0
    (image,) = result.images
    assert set(image.variants) == {"png", "jpeg", "webp"}
    for variant in image.variants.values():
        sink = io.BytesIO()
        download = depicta.download(variant.url, sink, max_bytes=50_000_000)
        assert download.sha256 == variant.hash == hashlib.sha256(sink.getvalue()).hexdigest()
        assert download.size_bytes == variant.size_bytes


def test_a_finished_job_is_found_again_by_id_and_in_the_list(depicta):
    model = depicta.list_models().models[0]
    result, job_id = depicta.generate_image(GenerateRequest(prompt="a red fox", model=model.key))
    job = depicta.get_job(job_id)
    assert job.status == "completed"
    assert job.result.images[0].png_hash == result.images[0].png_hash
    page = depicta.list_jobs(limit=5)
    assert page.jobs[0].job_id == job_id
    assert page.total >= 1


def test_an_unknown_model_is_a_typed_bad_request_naming_the_field(depicta):
    with pytest.raises(BadRequest) as caught:
        depicta.generate_image(GenerateRequest(prompt="x", model="no-such-model"))
    error = caught.value
    assert error.status in (400, 422)
    assert error.request_id
    assert "model" in str(error.details) or "model" in error.message


def test_a_wrong_key_is_auth_invalid(sandbox):
    with (
        DepictaClient(base_url=sandbox, api_key="dpct_wrong") as client,
        pytest.raises(AuthInvalid) as caught,
    ):
        client.list_models()
    assert caught.value.status == 401
    assert caught.value.error == "auth_invalid"


def test_an_unknown_job_is_not_found(depicta):
    with pytest.raises(NotFound):
        depicta.get_job("00000000-0000-0000-0000-000000000000")
