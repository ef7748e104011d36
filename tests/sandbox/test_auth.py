"""Keys, error bodies and request ids."""

import pytest

from .conftest import SANDBOX_DATABASES, assert_error

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)

KEYED = ["/v1/models", "/v1/jobs", "/v1/jobs/00000000-0000-0000-0000-000000000000"]


@pytest.mark.parametrize("path", KEYED)
def test_a_missing_key_is_auth_invalid(anonymous, path):
    assert_error(anonymous.get(path), 401, "auth_invalid")


@pytest.mark.parametrize("authorization", ["Bearer dpct_not_a_known_key", "Basic abc", "Bearer"])
def test_an_unknown_or_malformed_key_is_auth_invalid(anonymous, authorization):
    response = anonymous.get("/v1/models", headers={"Authorization": authorization})
    assert_error(response, 401, "auth_invalid")


def test_generate_without_a_key_is_auth_invalid_and_creates_nothing(anonymous, api):
    response = anonymous.post("/v1/generate/image", json={"prompt": "x", "model": "flux"})
    assert_error(response, 401, "auth_invalid")
    assert api.get("/v1/jobs").json()["total"] == 0


def test_every_answer_has_a_fresh_request_id(api, anonymous):
    answers = [api.get("/v1/models"), anonymous.get("/health"), anonymous.get("/v1/models")]
    ids = [answer.headers["X-Request-Id"] for answer in answers]
    assert len(set(ids)) == 3


def test_an_unknown_endpoint_is_a_json_not_found(api):
    assert_error(api.get("/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_refused_in_the_error_body(api):
    body = assert_error(api.get("/v1/generate/image"), 405, "method_not_allowed")
    assert body["request_id"]
