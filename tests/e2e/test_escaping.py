"""A prompt full of HTML and script is shown as text on every page, in a real browser."""

import pytest
from playwright.sync_api import expect

from ..conftest import ALL_DATABASES
from ..production.conftest import stored_generation_make
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

HOSTILE = (
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    '<b id="injected">bold</b> " autofocus onfocus="window.__pwned = 3" \' & done'
)
# What would exist in the page had any of it been parsed as HTML.
INJECTED = "document.querySelectorAll('#injected, [onerror], [onfocus], img[src=\"x\"]').length"


def _assert_shown_as_text(page, where: str) -> None:
    assert page.evaluate(INJECTED) == 0, where
    assert page.evaluate("window.__pwned") is None, where
    assert not [s for s in page.locator("script").all_inner_texts() if "__pwned" in s], where


def test_a_hostile_prompt_is_text_everywhere(
    page, live_server, sandbox, alice, depicta, django_user_model
):
    django_user_model.objects.create_user("carol", password="carol-pass-123", is_staff=True)
    model = depicta.list_models().models[0]
    older = stored_generation_make(alice, prompt=HOSTILE)
    log_in(page, live_server, "alice", "alice-pass-123")

    # Typed into the form: the new card shows it at once, as text.
    page.get_by_label("Prompt").fill(HOSTILE)
    page.get_by_label("Model").select_option(model.key)
    page.get_by_role("button", name="Generate").click()
    card = page.locator("#cards > li.card").first
    expect(card.locator(".card__prompt")).to_contain_text('<b id="injected">bold</b>')
    _assert_shown_as_text(page, "studio after submit")

    page.goto(f"{live_server.url}/")
    expect(page.locator(".card__prompt").first).to_contain_text("<script>window.__pwned = 1")
    _assert_shown_as_text(page, "studio")

    page.goto(f"{live_server.url}{older.get_absolute_url()}")
    expect(page.locator("#prompt-text")).to_have_text(HOSTILE)
    assert page.title().startswith(HOSTILE[:45])
    _assert_shown_as_text(page, "detail")

    for path in ("/gallery/", "/gallery/?q=script+pwned", "/gallery/trash/"):
        page.goto(f"{live_server.url}{path}")
        _assert_shown_as_text(page, path)
    expect(page.locator("body")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, live_server, "carol", "carol-pass-123")
    page.goto(f"{live_server.url}/spend/generations")
    expect(page.locator("main")).to_contain_text("<script>window.__pwned")
    _assert_shown_as_text(page, "spend")
    assert page.console_errors == []
