"""The whole designer flow in a real browser: log in, generate, watch the card, open it."""

import pytest
from playwright.sync_api import expect

from ..conftest import ALL_DATABASES
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_designer_generates_an_image_and_opens_it(page, live_server, alice, workers, depicta):
    model = depicta.list_models().models[0]
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


def test_picking_a_model_offers_only_the_sizes_and_ratios_it_makes(
    page, live_server, alice, depicta
):
    models = depicta.list_models().models
    fixed = next(m for m in models if m.fixed_sizes)
    four_k = next(m for m in models if "4K" in m.sizes_offered)
    log_in(page, live_server, "alice", "alice-pass-123")
    size, ratio = page.get_by_label("Image size"), page.get_by_label("Aspect ratio")

    page.get_by_label("Model").select_option(four_k.key)
    size.select_option("4K")
    ratio.select_option("16:9")
    page.get_by_label("Model").select_option(fixed.key)
    # 4K and 16:9 are not this model's: the choice moves to what it makes.
    assert size.input_value() in fixed.sizes_offered
    assert ratio.input_value() in fixed.ratios_offered
    expect(ratio.locator("option[value='16:9']")).to_be_disabled()
    expect(size.locator("option[value='4K']")).to_be_disabled()
    # Back to the first model: its sizes and ratios are offered again.
    page.get_by_label("Model").select_option(four_k.key)
    expect(size.locator("option[value='4K']")).to_be_enabled()
    expect(ratio.locator("option[value='16:9']")).to_be_enabled()
    assert page.console_errors == []
