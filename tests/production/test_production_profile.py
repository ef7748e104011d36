"""DEBUG=false: the production profile, checked by Django and served by gunicorn on loopback."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import httpx
import pytest
from django.conf import settings

from .conftest import gunicorn_serving

MANAGE = str(settings.BASE_DIR / "manage.py")
HOST = "studio.example.com"


def production_env(var_dir, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEPICTA_", "DATABASE_URL", "DJANGO_", "MEDIA_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DEPICTA_VAR_DIR=str(var_dir),
        DEPICTA_API_KEY="dpct_live_production_profile_test_key_000000",
        DEPICTA_BASE_URL="http://127.0.0.1:9/",  # never called by these pages
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_finds_nothing_in_the_production_profile(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_speaks_up_when_a_protection_is_turned_off(tmp_path):
    env = production_env(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "", "SECRET_KEY must be set when DEBUG is false"),
        ("DEBUG", "maybe", "DEBUG must be one of true/false"),
        ("MEDIA_STORAGE", "ftp", "MEDIA_STORAGE must be filesystem or s3"),
        ("MEDIA_STORAGE", "s3", "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_a_bad_setting_stops_the_app_naming_the_variable(tmp_path, variable, value, message):
    result = manage(production_env(tmp_path, **{variable: value}), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_s3_media_is_selected_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="team-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    script = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url)"
    )
    result = manage(env, "shell", "-c", script)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "S3Storage",
        "team-media",
        "http://127.0.0.1:9000",
    ]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with the production profile: migrated SQLite, collected static files."""
    var_dir = tmp_path_factory.mktemp("production")
    env = production_env(var_dir)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    script = (
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('dana', password='dana-pass-123')"
    )
    assert manage(env, "shell", "-c", script).returncode == 0
    with gunicorn_serving(env, "depicta_web.wsgi") as base_url:
        yield base_url


def https_client(base_url: str, **headers: str) -> httpx.Client:
    # As behind the TLS-terminating proxy of docs/deploy.md.
    return httpx.Client(
        base_url=base_url,
        headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers},
        timeout=30,
    )


def test_plain_http_is_sent_to_https(production_server):
    response = httpx.get(f"{production_server}/accounts/login/", headers={"Host": HOST})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/accounts/login/"


def test_an_unknown_host_is_refused(production_server):
    response = httpx.get(
        f"{production_server}/accounts/login/",
        headers={"Host": "evil.example.net", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 400


def test_pages_carry_the_security_headers_and_a_fresh_script_nonce(production_server):
    with https_client(production_server) as client:
        first = client.get("/accounts/login/")
        second = client.get("/accounts/login/")
    assert first.status_code == 200
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
    cookie = headers["Set-Cookie"]
    assert "csrftoken=" in cookie
    assert "Secure" in cookie
    assert "SameSite=Lax" in cookie


def test_logging_in_sets_a_secure_http_only_session_cookie(production_server):
    with https_client(production_server) as client:
        form = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        # The cookie is Secure: a browser sends it back only over HTTPS, as the proxy would.
        cookie = form.headers["Set-Cookie"].split(";")[0]
        response = client.post(
            "/accounts/login/",
            data={"username": "dana", "password": "dana-pass-123", "csrfmiddlewaretoken": token},
            headers={"Referer": f"https://{HOST}/accounts/login/", "Cookie": cookie},
        )
    assert response.status_code == 302
    session = [c for c in response.headers.get_list("Set-Cookie") if c.startswith("sessionid=")]
    assert session
    assert "Secure" in session[0]
    assert "HttpOnly" in session[0]


def test_static_files_are_served_by_whitenoise_with_hashed_names(production_server):
    with https_client(production_server) as client:
        page = client.get("/accounts/login/")
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
        response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"


def test_errors_show_no_debug_page(production_server):
    with https_client(production_server) as client:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "DEBUG = True" not in response.text
