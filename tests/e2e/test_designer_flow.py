"""The whole designer flow in a real browser: log in, generate, watch the card, open it."""

import pytest
from playwright.sync_api import expect

from ..conftest import ALL_DATABASES
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_designer_generates_an_image_and_opens_it(page, live_server, alice, workers, depicta):
    model = depicta.list_models()[0]
    log_in(page, live_server, "alice", "alice-pass-123")
    expect(page.get_by_role("heading", name="New image")).to_be_visible()

    page.get_by_label("Prompt").fill("A lighthouse on a cliff at dusk, painterly")
    page.get_by_label("Model").select_option(model.key)
    page.get_by_label("Aspect ratio").select_option("16:9")
    page.get_by_role("button", name="Generate").click()

    # The card appears at once, before any image exists, then polls itself to done.
    card = page.locator("#cards > li.card").first
    expect(card).to_contain_text("A lighthouse on a cliff at dusk", timeout=5_000)
    expect(card).to_have_attribute("data-status", "done", timeout=60_000)
    expect(card.locator("img")).to_be_visible()
    assert card.get_attribute("hx-get") is None  # polling stopped
    expect(page.locator("#balance")).not_to_contain_text("—")

    card.locator("a.card__media").click()
    image = page.locator("img.detail__image")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('img.detail__image').complete")
    assert image.evaluate("img => img.naturalWidth") > 0
    facts = page.locator(".detail__facts")
    expect(facts).to_contain_text(model.key)
    expect(facts).to_contain_text("€0.")
    expect(facts).to_contain_text("hash verified")
    assert page.console_errors == []
