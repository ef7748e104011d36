"""GET /v1/models: the working-assumption shape, prices by size, budget models."""

from decimal import Decimal

import pytest

from depicta_web.depicta.schema import IMAGE_SIZES, parse_models

from .conftest import SANDBOX_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def test_models_have_the_contract_shape(api):
    models = api.get("/v1/models").json()["models"]
    assert len(models) >= 5
    for model in models:
        assert {"id", "alias", "name", "price_eur", "capabilities", "budget", "image_sizes"} <= set(
            model
        )
        assert Decimal(model["price_eur"]) > 0
        assert len(model["price_eur"].split(".")[1]) == 6
        assert set(model["image_sizes"]) <= set(IMAGE_SIZES)
        assert "generate" in model["capabilities"]
    assert len(parse_models({"models": models})) == len(models)


def test_models_differ_in_price_size_and_capabilities(api):
    models = api.get("/v1/models").json()["models"]
    assert len({m["price_eur"] for m in models}) == len(models)
    assert len({tuple(m["image_sizes"]) for m in models}) >= 2
    assert len({tuple(m["capabilities"]) for m in models}) >= 2


def test_at_least_two_budget_models_go_up_to_2k(api):
    budget = [m for m in api.get("/v1/models").json()["models"] if m["budget"]]
    assert len(budget) >= 2
    for model in budget:
        assert "4K" not in model["image_sizes"]


def test_a_bigger_picture_costs_more(api):
    for model in api.get("/v1/models").json()["models"]:
        prices = [Decimal(model["prices_eur"][size]) for size in model["image_sizes"]]
        assert prices == sorted(prices)
        assert len(set(prices)) == len(prices)
