"""Signed image URLs: expiry, tampering, unknown files, and the headers of a download."""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from depicta_web.sandbox.signing import url_query

from .conftest import SANDBOX_DATABASES, download, generate

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def assert_refused(response, status, code):
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.fixture
def answer(api):
    return generate(api).json()


def test_a_download_has_the_right_headers(answer):
    response, _ = download(answer["formats"]["jpeg"]["url"])
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert int(response.headers["Content-Length"]) == answer["formats"]["jpeg"]["size_bytes"]


def test_an_expired_url_is_refused_with_403(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_URL_TTL_SECONDS = 0
    body = generate(api).json()
    assert_refused(download(body["image_url"])[0], 403, "url_expired")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: with_query(url, sig="0" * 64),
        lambda url: with_query(
            url, expires=str(int(parse_qs(urlsplit(url).query)["expires"][0]) + 60)
        ),
        lambda url: with_query(url, faults="hash_mismatch=1"),
        lambda url: url.replace("/1.png", "/1.webp"),
        lambda url: url.split("?")[0],
    ],
    ids=["signature", "expiry", "faults", "path", "no-query"],
)
def test_a_tampered_url_is_refused_with_403(answer, tamper):
    assert_refused(download(tamper(answer["image_url"]))[0], 403, "url_invalid")


def test_a_validly_signed_url_for_an_unknown_file_is_404(live_server):
    path = f"/sandbox/files/{uuid.uuid4()}/1.png"
    query = url_query(path=path, expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert_refused(download(f"{live_server.url}{path}?{query}")[0], 404, "not_found")


def test_a_file_url_needs_no_key_but_works_only_as_signed(answer, anonymous):
    assert download(answer["image_url"])[0].status_code == 200
    unsigned = urlsplit(answer["image_url"]).path.removeprefix("/sandbox")
    assert anonymous.get(unsigned).status_code == 403
