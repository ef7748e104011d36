"""The client against bodies built from Depicta's API reference, served over real HTTP.

Only documented fields are in these bodies (tests/depicta_docs.py), so a client that came to
need a field the reference does not list would fail here, whatever the sandbox serves.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest

from depicta_web.depicta import DepictaClient
from depicta_web.depicta.errors import BadRequest, RateLimited
from depicta_web.depicta.schema import GenerateRequest, Job, ModelInfo

from .. import depicta_docs as docs


@pytest.fixture
def client(documented_api):
    with DepictaClient(base_url=documented_api.url, api_key="dpct_" + "d" * 43) as client:
        yield client


def test_the_documented_model_list_is_read_field_for_field(client):
    listed = client.list_models()
    assert listed.cached_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert listed.disclaimer == docs.MODELS["disclaimer"]
    flux, seedream = listed.models
    assert flux.key == "black-forest-labs/flux-1.1-pro"
    assert flux.name == "FLUX 1.1 Pro"
    assert flux.description.startswith("Photorealistic")
    assert flux.approximate_cost_eur == Decimal("0.045000")
    assert (flux.can_generate, flux.can_edit, flux.can_combine) == (True, False, False)
    assert flux.output_formats == ("png", "jpeg", "webp")
    assert seedream.operations == ("generate", "edit", "combine")
    assert seedream.combine_inputs_max == 2
    assert flux.combine_inputs_max == 5  # 0: only the API-wide cap
    assert (seedream.max_characters, seedream.supports_multiturn) == (10, True)
    assert flux.budget is None  # the reference has no such marker: nothing is pre-filtered


def test_empty_image_sizes_offer_1k_and_2k_and_aspect_ratios_limit_the_ratios(client):
    flux, seedream = client.list_models().models
    assert flux.sizes_offered == seedream.sizes_offered == ("1K", "2K")
    assert not flux.sizes_named  # so a 4K request is Depicta's to decide, not ours to refuse
    assert flux.ratios_offered == ("1:1", "2:3", "3:2", "4:5", "9:16", "16:9")
    assert "21:9" in seedream.ratios_offered
    assert "5:4" not in seedream.ratios_offered


def test_named_sizes_are_offered_exactly_and_other_names_fall_back_to_1k_and_2k():
    named = ModelInfo.from_json({"id": "m", "image_sizes": ["4K", "1K"]})
    other = ModelInfo.from_json({"id": "n", "image_sizes": ["square_hd", "portrait_4_3"]})
    assert named.sizes_offered == ("1K", "4K")
    assert named.sizes_named
    assert other.sizes_offered == ("1K", "2K")
    assert not other.sizes_named


def test_fixed_sizes_limit_the_ratios_to_their_shapes():
    model = ModelInfo.from_json(
        {"id": "m", "aspect_ratios": [], "fixed_sizes": ["1024x1024", "1536x1024", "1344x768"]}
    )
    assert model.ratios_offered == ("1:1", "3:2", "16:9")


def test_capabilities_follow_the_flags_when_operations_are_absent():
    editor = ModelInfo.from_json({"id": "e", "can_generate": True, "can_edit": True})
    generator = ModelInfo.from_json({"id": "g", "can_generate": True, "can_edit": False})
    assert editor.can_edit
    assert editor.can_combine
    assert generator.can_generate
    assert not generator.can_edit
    assert not generator.can_combine


def test_every_optional_model_field_may_be_missing():
    entry = docs.MODELS["models"][1]
    for name in entry:
        if name == "id":
            continue
        model = ModelInfo.from_json({k: v for k, v in entry.items() if k != name})
        assert model is not None, name
        assert model.key == entry["id"], name


def test_the_sparse_generate_answer_gives_every_format_and_the_png_hash(client):
    result, job_id = client.generate_image(GenerateRequest(prompt="a lighthouse"))
    assert job_id == docs.JOB_ID
    assert result.model is None  # absent in the documented example
    assert result.cost_eur == Decimal("0.045000")
    assert result.balance_eur == Decimal("12.955000")
    (image,) = result.images
    assert set(image.variants) == {"png", "jpeg", "webp"}
    assert image.png_hash == docs.PNG_HASH
    assert image.variants["png"].size_bytes == 1843200
    assert image.variants["jpeg"].hash is None  # the docs give no hash for it here


def test_a_request_without_a_model_sends_none():
    assert "model" not in GenerateRequest(prompt="x").to_json()
    assert GenerateRequest(prompt="x", model="flux").to_json()["model"] == "flux"


def test_the_documented_job_list_and_job_parse_results_and_errors(client):
    page = client.list_jobs()
    assert (page.limit, page.offset, page.total) == (20, 0, 2)
    done, failed = page.jobs
    assert done.status == "completed"
    assert done.result.images[0].png_hash == docs.PNG_HASH
    assert failed.error.code == "insufficient_credits"
    assert client.get_job(docs.JOB_ID).completed_at == datetime(2026, 11, 30, 8, 0, 9, tzinfo=UTC)


def test_a_story_job_gives_one_image_per_scene_with_its_title():
    job = Job.from_json(docs.STORY_JOB)
    assert job.is_final
    assert [image.title for image in job.result.images] == ["Dusk", "Storm"]
    assert job.result.images[1].png_hash == "c" * 64
    assert job.result.title == "The Lighthouse Keeper"
    assert job.result.cost_eur == Decimal("0.180000")


def test_the_documented_profile_gives_balance_held_available_and_expiry(client):
    profile = client.get_account_profile()
    assert profile.balance_eur == Decimal("12.955000")
    assert profile.held_eur == Decimal("0.090000")
    assert profile.available_eur == Decimal("12.865000")  # as Depicta's CLI counts it
    assert profile.credits_expire_at == datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
    assert profile.email == "studio@example.com"
    assert profile.email_verified is True
    assert profile.credit_limit_cents == 50000


def test_a_profile_at_the_top_level_and_without_held_is_read_too():
    from depicta_web.depicta.schema import AccountProfile

    profile = AccountProfile.from_json({"balance_eur": "3.5"})
    assert profile.balance_eur == Decimal("3.500000")
    assert profile.held_eur == Decimal("0.000000")


@pytest.mark.parametrize("header", ["7", "date"])
def test_retry_after_is_read_as_seconds_or_as_an_http_date(client, documented_api, header):
    if header == "date":
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=7), usegmt=True)
    busy = {"error": "rate_limited", "message": "Too many concurrent requests."}
    documented_api.routes["POST /v1/generate/image"] = (429, busy, {"Retry-After": header})
    with pytest.raises(RateLimited) as caught:
        client.generate_image(GenerateRequest(prompt="x", model="flux"))
    assert 5 <= caught.value.retry_after <= 7


@pytest.mark.parametrize("code", ["model_not_capable", "validation_error"])
def test_a_422_is_a_typed_bad_request_with_its_code_and_message(client, documented_api, code):
    refusal = {"error": code, "message": "Seedream 4.5 accepts at most 2 input images."}
    documented_api.routes["POST /v1/generate/image"] = (422, refusal, {})
    with pytest.raises(BadRequest) as caught:
        client.generate_image(GenerateRequest(prompt="x", model="flux"))
    assert (caught.value.status, caught.value.error) == (422, code)
    assert caught.value.message == refusal["message"]
