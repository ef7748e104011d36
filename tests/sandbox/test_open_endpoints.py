"""Endpoints open without a key: health, the OpenAPI document, pricing, the skill version."""

import pytest

from .conftest import SANDBOX_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def test_health_answers_without_a_key(anonymous):
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["X-Request-Id"].startswith("req_")


def test_openapi_json_describes_every_endpoint_served(anonymous, base_url):
    response = anonymous.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": base_url}]
    assert set(document["paths"]) == {
        "/health",
        "/v1/pricing",
        "/v1/skill-version",
        "/v1/models",
        "/v1/account/profile",
        "/v1/generate/image",
        "/v1/jobs",
        "/v1/jobs/{id}",
        "/files/{job_id}/{position}.{format}",
    }
    generate = document["paths"]["/v1/generate/image"]["post"]
    assert {"200", "400", "401", "402", "403", "422", "429", "451", "500"} <= set(
        generate["responses"]
    )


def test_openapi_yaml_is_the_same_document_in_yaml(anonymous):
    response = anonymous.get("/v1/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    lines = response.text.splitlines()
    assert lines[0] == 'openapi: "3.1.0"'
    assert "paths:" in lines
    assert '  "/v1/generate/image":' in lines
    assert '  - url: "http://' in response.text
    assert not response.text.lstrip().startswith("{")


def test_the_openapi_document_lets_a_request_omit_the_model(anonymous):
    schemas = anonymous.get("/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["GenerateRequest"]["required"] == ["prompt"]
    assert "approximate_cost_eur" in schemas["Model"]["required"]
    assert "held_eur" in schemas["Profile"]["properties"]["user"]["properties"]


def test_pricing_lists_the_approximate_cost_of_every_model(anonymous, api):
    pricing = anonymous.get("/v1/pricing")
    assert pricing.status_code == 200
    body = pricing.json()
    assert set(body) == {"disclaimer", "models"}
    assert body["disclaimer"].strip()
    models = api.get("/v1/models").json()["models"]
    assert body["models"] == [
        {"id": m["id"], "approximate_cost_eur": m["approximate_cost_eur"]} for m in models
    ]


def test_the_skill_version_answers_without_a_key(anonymous):
    response = anonymous.get("/v1/skill-version")
    assert response.status_code == 200
    assert set(response.json()) == {"version"}
    assert response.json()["version"].strip()
