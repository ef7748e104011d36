"""Logging out leaves no copy of private pages in the browser: htmx's history cache (kept in
sessionStorage, which outlives the session) is turned off."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import ALL_DATABASES
from ..production.conftest import stored_generation_make
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

SECRET_PROMPT = "A launch poster for Project Heron"


def session_storage(page) -> str:
    return page.evaluate(
        "Object.keys(sessionStorage).map((key) => key + '=' + sessionStorage.getItem(key))"
        ".join('\\n')"
    )


def test_no_gallery_html_is_left_in_session_storage_after_logging_out(page, live_server, alice):
    stored_generation_make(alice, prompt=SECRET_PROMPT)
    log_in(page, live_server, "alice", "alice-pass-123")
    page.goto(f"{live_server.url}/gallery/")
    expect(page.get_by_text(SECRET_PROMPT).first).to_be_attached()
    # Filtering pushes history entries through htmx: its cache would save the page before each.
    page.get_by_label("Search prompts").fill("heron")
    expect(page).to_have_url(re.compile(r"q=heron"))
    page.get_by_label("Search prompts").fill("poster")
    expect(page).to_have_url(re.compile(r"q=poster"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=heron"))

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    stored = session_storage(page)
    assert "Project Heron" not in stored
    assert "Team gallery" not in stored
    assert page.console_errors == []
