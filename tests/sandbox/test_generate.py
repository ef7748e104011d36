"""POST /v1/generate/image: the synchronous answer, its files, every validation rule, and the
model chosen when a request names none."""

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import c2pa
import pytest
from PIL import Image

from depicta_web.depicta.schema import ASPECT_RATIOS, MIME_TYPES, GenerateResult, parse_time
from depicta_web.sandbox.models import SandboxJob

from .conftest import (
    JOB_HEADER,
    SANDBOX_DATABASES,
    assert_error,
    download,
    generate,
    job_make,
    set_balance,
)

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)

MONEY = re.compile(r"^\d+\.\d{6}$")


def test_a_generation_answers_with_every_format_cost_balance_and_job_id(api):
    response = generate(api, model="flux", aspect_ratio="16:9", image_size="1K")
    assert response.status_code == 200, response.text
    body = response.json()
    assert uuid.UUID(response.headers[JOB_HEADER]) == uuid.UUID(body["id"])
    assert body["ai_generated"] is True
    assert body["model"] == "flux-pro"  # the alias, resolved
    assert MONEY.match(body["cost_eur"])
    assert MONEY.match(body["balance_eur"])
    assert Decimal(body["balance_eur"]) == Decimal("25") - Decimal(body["cost_eur"])
    assert set(body["formats"]) == {"png", "jpeg", "webp"}
    assert body["image_url"] == body["formats"]["png"]["url"]
    assert body["image_hash"] == body["formats"]["png"]["hash"]
    in_an_hour = datetime.now(UTC) + timedelta(hours=1)
    for key, variant in body["formats"].items():
        assert variant["format"] == key
        assert re.fullmatch(r"[0-9a-f]{64}", variant["hash"])
        expires_at = parse_time(variant["expires_at"])
        assert abs((expires_at - in_an_hour).total_seconds()) < 5
    assert GenerateResult.from_json(body).images[0].png_hash == body["image_hash"]


def test_every_file_is_the_size_and_hash_reported_and_carries_c2pa(api):
    body = generate(api, aspect_ratio="16:9").json()
    for fmt, variant in body["formats"].items():
        response, digest = download(variant["url"])
        assert response.status_code == 200
        assert digest == variant["hash"]
        assert len(response.content) == variant["size_bytes"]
        assert int(response.headers["Content-Length"]) == variant["size_bytes"]
        assert response.headers["Content-Type"] == f"image/{fmt}"
        with c2pa.Reader(MIME_TYPES[fmt], io.BytesIO(response.content)) as reader:
            store = json.loads(reader.json())
        assert store["validation_state"] == "Valid"
        assert store["manifests"][store["active_manifest"]]["title"].endswith(f".{fmt}")
        picture = Image.open(io.BytesIO(response.content))
        picture.load()  # the whole file decodes, not only its header
        assert picture.size == (1024, 576)


def test_omitted_options_use_the_defaults(api):
    body = generate(api).json()
    png, _ = download(body["image_url"])
    assert Image.open(io.BytesIO(png.content)).size == (1024, 1024)


def test_the_prompt_is_trimmed_before_its_length_is_checked(api):
    assert generate(api, prompt="  " + "a" * 4000 + "  ").status_code == 200
    response = generate(api, prompt="a" * 4001)
    assert assert_error(response, 400, "bad_request")["details"]["field"] == "prompt"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"prompt": None}, 400, "prompt"),
        ({"prompt": 42}, 400, "prompt"),
        ({"prompt": "   "}, 400, "prompt"),
        ({"model": ""}, 400, "model"),
        ({"model": "no-such-model"}, 400, "model"),
        ({"model": ["flux"]}, 400, "model"),
        ({"aspect_ratio": "7:3"}, 422, "aspect_ratio"),
        ({"aspect_ratio": 1.5}, 400, "aspect_ratio"),
        ({"image_size": "8K"}, 422, "image_size"),
        ({"model": "ideogram-v3", "image_size": "4K"}, 422, "image_size"),
        ({"model": "sdxl", "image_size": "4K"}, 422, "image_size"),
        ({"model": "schnell", "image_size": "4K"}, 422, "image_size"),
        ({"model": "ideogram", "aspect_ratio": "21:9"}, 422, "aspect_ratio"),
        ({"model": "sdxl-lite", "aspect_ratio": "16:9"}, 422, "aspect_ratio"),
        ({"strictness": "strict"}, 422, "strictness"),
        ({"reference_images": "https://example.com/a.png"}, 400, "reference_images"),
        ({"reference_images": ["https://example.com/a.png"]}, 400, "reference_images[0]"),
        (
            {"reference_images": [{"url": "https://example.com/a.png", "description": "a"}] * 6},
            422,
            "reference_images",
        ),
        (
            {"reference_images": [{"url": "http://example.com/a.png", "description": "a"}]},
            422,
            "reference_images[0].url",
        ),
        (
            {"reference_images": [{"url": "https://127.0.0.1/a.png", "description": "a"}]},
            422,
            "reference_images[0].url",
        ),
        (
            {"reference_images": [{"url": "https://example.com/a.png", "description": " "}]},
            422,
            "reference_images[0].description",
        ),
        (
            {"reference_images": [{"url": "https://example.com/a.png"}]},
            400,
            "reference_images[0].description",
        ),
    ],
)
def test_an_invalid_field_is_named_in_the_details(api, changes, status, field):
    body = {"prompt": "a quiet harbour", "model": "flux-pro", **changes}
    body = {name: value for name, value in body.items() if value is not None}
    response = api.post("/v1/generate/image", json=body)
    code = "bad_request" if status == 400 else "validation_error"
    details = assert_error(response, status, code)["details"]
    assert details["field"] == field
    assert field in details["fields"]
    assert JOB_HEADER not in response.headers
    assert api.get("/v1/jobs").json()["total"] == 0


def test_one_unreadable_field_makes_it_a_400_listing_every_problem(api):
    both = {"prompt": 7, "model": "flux", "aspect_ratio": "7:3"}
    details = assert_error(api.post("/v1/generate/image", json=both), 400, "bad_request")["details"]
    assert details["field"] == "prompt"
    assert set(details["fields"]) == {"prompt", "aspect_ratio"}


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"a prompt"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(api, content):
    response = api.post(
        "/v1/generate/image", content=content, headers={"Content-Type": "application/json"}
    )
    assert assert_error(response, 400, "bad_request")["details"] == {"field": "body"}


def test_up_to_five_public_reference_images_are_accepted(api):
    references = [
        {"url": f"https://example.com/{n}.png", "description": f"view {n}"} for n in range(5)
    ]
    assert generate(api, reference_images=references).status_code == 200
    assert generate(api, reference_images=None, strictness=None, image_size=None).status_code == 200


def test_unknown_fields_are_ignored(api):
    assert generate(api, seed=42, style={"any": "thing"}).status_code == 200


def test_a_body_over_the_upload_limit_is_payload_too_large(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = generate(api, prompt="x" * 2000)
    assert_error(response, 413, "payload_too_large")


# The ratios each model refuses, per the catalogue's plan (docs/sandbox.md).
REFUSED_RATIOS = {
    "ideogram-v3": ["21:9"],
    "sdxl-lite": [ratio for ratio in ASPECT_RATIOS if ratio not in ("1:1", "3:2", "2:3")],
}


@pytest.mark.parametrize(
    ("model", "ratio"),
    [(model, ratio) for model, ratios in REFUSED_RATIOS.items() for ratio in ratios],
)
def test_a_ratio_the_model_does_not_offer_is_refused_naming_the_ratio(api, model, ratio):
    response = generate(api, model=model, aspect_ratio=ratio)
    body = assert_error(response, 422, "validation_error")
    assert body["details"]["field"] == "aspect_ratio"
    assert model in body["details"]["fields"]["aspect_ratio"]
    assert body["message"].startswith("aspect_ratio: ")
    assert api.get("/v1/jobs").json()["total"] == 0


@pytest.mark.parametrize(
    ("model", "ratio", "pixels"),
    [("sdxl-lite", "3:2", (1024, 680)), ("sdxl-lite", "2:3", (680, 1024))],
)
def test_a_fixed_size_model_makes_its_shapes(api, model, ratio, pixels):
    body = generate(api, model=model, aspect_ratio=ratio).json()
    png, _ = download(body["image_url"])
    assert Image.open(io.BytesIO(png.content)).size == pixels


def test_a_model_listing_no_sizes_still_makes_4k_when_it_can(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_DRAFT_RENDER = True
    response = generate(api, model="imagen-ultra", image_size="4K", aspect_ratio="21:9")
    assert response.status_code == 200, response.text
    assert Decimal(response.json()["cost_eur"]) <= Decimal("0.150")


@pytest.mark.parametrize("omitted", [{}, {"model": None}])
def test_without_a_model_the_first_model_is_chosen_and_named(api, omitted):
    body = {"prompt": "a lighthouse on a cliff at dusk", **omitted}
    response = api.post("/v1/generate/image", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["model"] == "flux-pro"
    assert response.json()["cost_eur"] == "0.045000"
    assert SandboxJob.objects.get(pk=response.headers[JOB_HEADER]).model == "flux-pro"


def test_without_a_model_a_low_balance_gets_the_first_budget_model(api, account):
    set_balance(account, "0.30")
    response = api.post("/v1/generate/image", json={"prompt": "a lighthouse"})
    assert response.status_code == 200, response.text
    assert response.json()["model"] == "sdxl-lite"


def test_holds_count_when_the_model_is_chosen(api, account):
    set_balance(account, "0.60")
    job_make(account, hold="0.20")  # EUR 0.40 available
    response = api.post("/v1/generate/image", json={"prompt": "a lighthouse"})
    assert response.json()["model"] == "sdxl-lite"


def test_without_a_model_the_chosen_one_offers_the_ratio_asked_for(api, account):
    set_balance(account, "0.30")
    response = api.post("/v1/generate/image", json={"prompt": "a bay", "aspect_ratio": "21:9"})
    assert response.status_code == 200, response.text
    assert response.json()["model"] == "flux-schnell"  # sdxl-lite has no 21:9


def test_without_a_model_a_size_no_budget_model_makes_is_refused(api, account):
    set_balance(account, "0.30")
    response = api.post("/v1/generate/image", json={"prompt": "a bay", "image_size": "4K"})
    body = assert_error(response, 422, "validation_error")
    assert body["details"]["field"] == "image_size"
