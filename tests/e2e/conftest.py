"""Browser tests: Debian's chromium driven by Playwright, a live server, and real workers."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connections

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()


def _database_url(alias: str) -> str:
    return f"sqlite:///{connections[alias].settings_dict['NAME']}"


@pytest.fixture
def workers(sandbox, live_server, settings):
    """Real db_worker processes on the test databases, talking to the live sandbox."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url("default"),
        "DEPICTA_SANDBOX_DATABASE_URL": _database_url("sandbox"),
        "DEPICTA_BASE_URL": sandbox,
        "DEPICTA_IMAGE_HOSTS": urlsplit(live_server.url).hostname,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEPICTA_SANDBOX_STATE_DIR": str(settings.DEPICTA_SANDBOX_STATE_DIR),
    }
    command = [
        sys.executable,
        str(django_settings.BASE_DIR / "manage.py"),
        "db_worker",
        "--interval",
        "0.1",
        "--no-reload",
        "--no-startup-delay",
    ]
    processes = [subprocess.Popen(command, env=env) for _ in range(2)]
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
