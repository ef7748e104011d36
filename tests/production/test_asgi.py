"""ASGI: depicta_web.asgi served by gunicorn's native `asgi` worker in the production profile.

The same checks as the WSGI server of test_production_profile.py, over Django's ASGI handler:
security headers and a script nonce on the studio page, whitenoise's static files, a card's
poll, and media streamed (FileResponse) to a logged-in user only.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

import httpx
import pytest

from .conftest import gunicorn_serving
from .test_production_profile import HOST, https_client, manage, production_env

# Run in the server's environment: a user, a queued and a finished generation with its files.
SETUP = """
import hashlib, io, json
from decimal import Decimal
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image
from depicta_web.generations.models import GeneratedImage, Generation, ImageFile
from depicta_web.generations.storage_names import content_path

dana = User.objects.create_user("dana", password="dana-pass-123")
def picture(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, fmt)
    return buffer.getvalue()
png = picture("PNG")
sha = hashlib.sha256(png).hexdigest()
original = default_storage.save(content_path(sha, "png"), ContentFile(png))
thumb = default_storage.save(f"thumbs/{sha[:2]}/{sha}-400.webp", ContentFile(picture("WEBP")))
common = dict(author=dana, model="depicta-1", aspect_ratio="4:3", image_size="1K")
queued = Generation.objects.create(prompt="A heron in the reeds", **common)
done = Generation.objects.create(
    prompt="A red kite over the dunes", status=Generation.Status.DONE,
    cost_eur=Decimal("0.040000"), responded_at=timezone.now(), **common
)
image = GeneratedImage.objects.create(
    generation=done, position=1, width=64, height=48, thumbnail=thumb, thumbnail_2x=thumb
)
ImageFile.objects.create(
    image=image, format="png", state=ImageFile.State.STORED, storage_name=original,
    sha256=sha, expected_sha256=sha, size_bytes=len(png),
)
print(json.dumps({
    "queued": str(queued.pk), "done": str(done.pk),
    "original": original, "thumb": thumb, "sha256": sha,
}))
"""


@pytest.fixture(scope="module")
def asgi_server(tmp_path_factory):
    """gunicorn -k asgi on loopback: migrated SQLite, collected static files, persistent
    database connections off (Django's advice under ASGI)."""
    var_dir = tmp_path_factory.mktemp("asgi")
    env = production_env(var_dir, CONN_MAX_AGE="0")
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    result = manage(env, "shell", "-c", SETUP)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    with gunicorn_serving(
        env,
        "depicta_web.asgi:application",
        "--worker-class",
        "asgi",
        "--no-control-socket",  # no shared ~/.gunicorn socket between concurrent runs
    ) as base_url:
        yield base_url, rows


@pytest.fixture(scope="module")
def dana_session(asgi_server) -> str:
    """Log in through the ASGI server's own form (CSRF and all); returns the Cookie header."""
    base_url, _ = asgi_server
    with https_client(base_url) as client:
        form = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        # The cookies are Secure: sent back by hand, as a browser would over the proxy's HTTPS.
        csrf_cookie = form.headers["Set-Cookie"].split(";")[0]
        response = client.post(
            "/accounts/login/",
            data={"username": "dana", "password": "dana-pass-123", "csrfmiddlewaretoken": token},
            headers={"Referer": f"https://{HOST}/accounts/login/", "Cookie": csrf_cookie},
        )
    assert response.status_code == 302, response.text
    session = [c for c in response.headers.get_list("Set-Cookie") if c.startswith("sessionid=")]
    assert session
    assert "Secure" in session[0]
    assert "HttpOnly" in session[0]
    return session[0].split(";")[0]


def test_the_asgi_worker_serves_and_still_sends_plain_http_to_https(asgi_server):
    base_url, _ = asgi_server
    response = httpx.get(f"{base_url}/accounts/login/", headers={"Host": HOST})
    assert response.headers["Server"] == "gunicorn/asgi"  # the ASGI worker, not a WSGI one
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/accounts/login/"
    unknown = httpx.get(
        f"{base_url}/accounts/login/",
        headers={"Host": "evil.example.net", "X-Forwarded-Proto": "https"},
    )
    assert unknown.status_code == 400


def test_the_studio_renders_for_a_logged_in_user_with_the_headers_and_a_script_nonce(
    asgi_server, dana_session
):
    base_url, rows = asgi_server
    with https_client(base_url, Cookie=dana_session) as client:
        first = client.get("/")
        second = client.get("/")
    assert first.status_code == 200
    assert "A red kite over the dunes" in first.text  # dana's cards, from the database
    assert f"/media/{rows['thumb']}" in first.text
    headers = first.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(r"<script[^>]*>", first.text)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert nonce not in second.headers["Content-Security-Policy"]  # a new one per response


def test_static_files_are_served_by_whitenoise_with_hashed_names(asgi_server):
    base_url, _ = asgi_server
    with https_client(base_url) as client:
        page = client.get("/accounts/login/")
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
        response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "body" in response.text  # decoded: real CSS, not an empty body


def test_a_cards_poll_answers(asgi_server, dana_session):
    base_url, rows = asgi_server
    with https_client(base_url, Cookie=dana_session, **{"HX-Request": "true"}) as client:
        studio = client.get("/")
        # The queued card polls the URL it carries (with the version the page showed).
        card = re.search(rf'id="card-{rows["queued"]}"[^>]*hx-get="([^"]+)"', studio.text)
        poll_url = html.unescape(card.group(1))
        assert poll_url.startswith(f"/g/{rows['queued']}/status?")
        unchanged = client.get(poll_url)
        changed = client.get(f"/g/{rows['queued']}/status")  # no version: the card itself
        final = client.get(f"/g/{rows['done']}/status")
    assert unchanged.status_code == 204  # nothing new: an empty answer
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert "A heron in the reeds" in changed.text
    assert final.status_code == 286  # htmx: swap the final card in and stop polling
    assert f"/media/{rows['thumb']}" in final.text


def test_media_and_downloads_stream_to_a_logged_in_user_only(asgi_server, dana_session):
    base_url, rows = asgi_server
    with https_client(base_url, Cookie=dana_session) as client:
        thumb = client.get(f"/media/{rows['thumb']}")
        download = client.get(f"/g/{rows['done']}/1.png")
    assert thumb.status_code == 200
    assert thumb.headers["Content-Type"] == "image/webp"
    assert thumb.content[8:12] == b"WEBP"
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Content-Type"] == "image/png"
    assert hashlib.sha256(download.content).hexdigest() == rows["sha256"]
    with https_client(base_url) as anonymous:
        refused = anonymous.get(f"/media/{rows['thumb']}")
    assert refused.status_code == 302
    assert "/accounts/login/" in refused.headers["Location"]


def test_errors_show_no_debug_page(asgi_server):
    base_url, _ = asgi_server
    with https_client(base_url) as client:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "DEBUG = True" not in response.text
