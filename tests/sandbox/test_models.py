"""GET /v1/models: Depicta's documented shape by default, the older one behind a setting."""

import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from depicta_web.depicta.schema import ASPECT_RATIOS, IMAGE_SIZES, parse_time

from .conftest import SANDBOX_DATABASES, assert_error

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)

DOCUMENTED_FIELDS = {
    "id",
    "name",
    "description",
    "approximate_cost_eur",
    "can_generate",
    "can_edit",
    "operations",
    "aspect_ratios",
    "image_sizes",
    "fixed_sizes",
    "output_formats",
    "max_combine_inputs",
    "max_characters",
    "supports_multiturn",
}
SANDBOX_EXTRAS = {"alias", "budget"}
ALL_OPERATIONS = ["generate", "edit", "combine"]
ALL_SIZES = ["1K", "2K", "4K"]
ALL_RATIOS = list(ASPECT_RATIOS)

# The catalogue as planned with the studio's side (docs/sandbox.md, "Models and prices").
PLAN = {
    "flux-pro": {
        "alias": "flux",
        "budget": False,
        "approximate_cost_eur": "0.045000",
        "image_sizes": ALL_SIZES,
        "aspect_ratios": [],
        "fixed_sizes": [],
        "operations": ALL_OPERATIONS,
        "max_combine_inputs": 0,
        "max_characters": 10,
        "supports_multiturn": True,
    },
    "imagen-ultra": {
        "alias": "imagen",
        "budget": False,
        "approximate_cost_eur": "0.060000",
        "image_sizes": [],
        "aspect_ratios": ALL_RATIOS,
        "fixed_sizes": [],
        "operations": ["generate"],
        "max_combine_inputs": 0,
        "max_characters": 0,
        "supports_multiturn": False,
    },
    "ideogram-v3": {
        "alias": "ideogram",
        "budget": False,
        "approximate_cost_eur": "0.080000",
        "image_sizes": [],
        "aspect_ratios": [ratio for ratio in ALL_RATIOS if ratio != "21:9"],
        "fixed_sizes": [],
        "operations": ALL_OPERATIONS,
        "max_combine_inputs": 0,
        "max_characters": 0,
        "supports_multiturn": False,
    },
    "seedream-4": {
        "alias": "seedream",
        "budget": False,
        "approximate_cost_eur": "0.030000",
        "image_sizes": ALL_SIZES,
        "aspect_ratios": [],
        "fixed_sizes": [],
        "operations": ALL_OPERATIONS,
        "max_combine_inputs": 2,
        "max_characters": 10,
        "supports_multiturn": True,
    },
    "sdxl-lite": {
        "alias": "sdxl",
        "budget": True,
        "approximate_cost_eur": "0.010000",
        "image_sizes": [],
        "aspect_ratios": [],
        "fixed_sizes": ["1024x1024", "1536x1024", "1024x1536"],
        "operations": ALL_OPERATIONS,
        "max_combine_inputs": 0,
        "max_characters": 0,
        "supports_multiturn": False,
    },
    "flux-schnell": {
        "alias": "schnell",
        "budget": True,
        "approximate_cost_eur": "0.003000",
        "image_sizes": [],
        "aspect_ratios": ALL_RATIOS,
        "fixed_sizes": [],
        "operations": ["generate"],
        "max_combine_inputs": 0,
        "max_characters": 0,
        "supports_multiturn": False,
    },
}


def models_of(client):
    response = client.get("/v1/models")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_answer_has_the_documented_envelope(api):
    body = models_of(api)
    assert set(body) == {"cached_at", "disclaimer", "models"}
    assert parse_time(body["cached_at"]) is not None
    assert body["disclaimer"].strip()


def test_every_model_has_every_documented_field_with_its_type(api):
    for model in models_of(api)["models"]:
        assert set(model) == DOCUMENTED_FIELDS | SANDBOX_EXTRAS, model["id"]
        for name in ("id", "name", "description", "alias"):
            assert isinstance(model[name], str)
            assert model[name].strip()
        assert re.fullmatch(r"\d+\.\d{6}", model["approximate_cost_eur"])
        assert Decimal(model["approximate_cost_eur"]) > 0
        for name in ("can_generate", "can_edit", "supports_multiturn", "budget"):
            assert isinstance(model[name], bool)
        for name in ("max_combine_inputs", "max_characters"):
            assert isinstance(model[name], int)
            assert model[name] >= 0
        assert model["output_formats"] == ["png", "jpeg", "webp"]
        assert set(model["aspect_ratios"]) <= set(ASPECT_RATIOS)
        assert set(model["image_sizes"]) <= set(IMAGE_SIZES)
        assert all(re.fullmatch(r"\d+x\d+", size) for size in model["fixed_sizes"])


def test_operations_and_the_can_flags_agree(api):
    for model in models_of(api)["models"]:
        assert set(model["operations"]) <= set(ALL_OPERATIONS)
        assert model["can_generate"] == ("generate" in model["operations"])
        assert model["can_edit"] == ("edit" in model["operations"])
        if model["operations"] == ["generate"]:
            assert not model["can_edit"]


def test_a_model_says_its_sizes_or_its_ratios_never_both(api):
    for model in models_of(api)["models"]:
        said = [bool(model[name]) for name in ("image_sizes", "aspect_ratios", "fixed_sizes")]
        assert said.count(True) == 1, model["id"]


def test_each_model_is_listed_as_planned(api):
    models = models_of(api)["models"]
    assert [model["id"] for model in models] == list(PLAN)
    for model in models:
        assert {name: model[name] for name in PLAN[model["id"]]} == PLAN[model["id"]]


def test_the_legacy_shape_is_served_only_behind_the_setting(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_MODELS_SHAPE = "legacy"
    body = models_of(api)
    assert set(body) == {"models"}
    flux = body["models"][0]
    assert flux == {
        "id": "flux-pro",
        "alias": "flux",
        "name": "FLUX Pro",
        "price_eur": "0.045000",
        "prices_eur": {"1K": "0.045000", "2K": "0.065000", "4K": "0.120000"},
        "capabilities": ["generate", "edit", "combine"],
        "budget": False,
        "image_sizes": ["1K", "2K", "4K"],
    }
    legacy = {model["id"]: model for model in body["models"]}
    # The older shape lists the sizes each model makes, named or not.
    assert legacy["imagen-ultra"]["image_sizes"] == ["1K", "2K", "4K"]
    assert legacy["flux-schnell"]["image_sizes"] == ["1K", "2K"]
    assert legacy["flux-schnell"]["capabilities"] == ["generate"]


def test_in_the_legacy_shape_a_bigger_picture_costs_more(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_MODELS_SHAPE = "legacy"
    for model in models_of(api)["models"]:
        prices = [Decimal(model["prices_eur"][size]) for size in model["image_sizes"]]
        assert prices == sorted(prices)
        assert len(set(prices)) == len(prices)


def test_an_unknown_shape_setting_is_an_error_not_a_guess(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_MODELS_SHAPE = "documentd"
    assert_error(api.get("/v1/models"), 500, "internal_error")


@pytest.mark.parametrize(("value", "works"), [("legacy", True), ("documentd", False)])
def test_the_shape_setting_is_read_from_the_environment_and_checked(value, works):
    environment = {**os.environ, "DEPICTA_SANDBOX_MODELS_SHAPE": value}
    script = "from django.conf import settings; print(settings.DEPICTA_SANDBOX_MODELS_SHAPE)"
    environment.setdefault("DJANGO_SETTINGS_MODULE", "depicta_web.settings")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if works:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == value
    else:
        assert result.returncode != 0
        assert "DEPICTA_SANDBOX_MODELS_SHAPE must be one of documented, legacy" in result.stderr


def test_models_need_a_key(anonymous):
    assert_error(anonymous.get("/v1/models"), 401, "auth_invalid")
