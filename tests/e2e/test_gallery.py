"""The team gallery in a real browser: search, filter, lightbox, favourite, collection,
delete and restore, remix; accessibility checked with axe-core; phone size and dark mode."""

import re

import pytest
from playwright.sync_api import expect

from depicta_web.gallery.models import Collection
from depicta_web.generations.models import Generation
from depicta_web.generations.tasks import generate_task

from ..conftest import ALL_DATABASES, generation_make
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


@pytest.fixture
def team_images(alice, bob, model_key):
    """Three finished generations made by the sandbox: two alice's, one bob's."""
    made = []
    for author, prompt, ratio in [
        (alice, "A lighthouse on a cliff at dusk", "3:2"),
        (bob, "A pine forest under snow", "1:1"),
        (alice, "A harbour full of boats at noon", "16:9"),
    ]:
        generation = generation_make(author, model=model_key, prompt=prompt, aspect_ratio=ratio)
        generate_task.call(generation_id=str(generation.pk))
        generation.refresh_from_db()
        assert generation.status == "done", generation.error_message
        made.append(generation)
    return made


def settle(page, condition: str) -> None:
    # A polling page.evaluate: wait_for_function needs eval, which our CSP forbids.
    for _ in range(100):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {condition}")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Cards fade in; contrast is judged on the settled page, images loaded.
    settle(page, "document.getAnimations().every(a => a.playState !== 'running')")
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({[n['failureSummary'] for n in v['nodes']]})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def grid_cards(page):
    return page.locator("#grid > li.card")


def test_designer_searches_filters_and_looks_closely(page, live_server, team_images):
    log_in(page, live_server, "alice", "alice-pass-123")
    page.goto(f"{live_server.url}/gallery/")
    expect(grid_cards(page)).to_have_count(3)
    page.evaluate("window.stillThisPage = true")

    # Search narrows the grid through htmx, and the URL carries the text.
    page.get_by_label("Search prompts").fill("lighth")
    expect(grid_cards(page)).to_have_count(1)
    expect(grid_cards(page).first).to_contain_text("lighthouse")
    expect(page).to_have_url(re.compile(r"q=lighth"))
    assert page.evaluate("window.stillThisPage") is True  # no full reload

    page.get_by_label("Search prompts").fill("")
    expect(grid_cards(page)).to_have_count(3)
    page.get_by_label("Person").select_option("bob")
    expect(grid_cards(page)).to_have_count(1)
    expect(grid_cards(page).first).to_contain_text("pine forest")
    expect(page).to_have_url(re.compile(r"person=bob"))
    page.go_back()
    expect(grid_cards(page)).to_have_count(3)

    # The lightbox: full image, arrows walk the grid, Esc closes it.
    grid_cards(page).first.locator("a.card__media").click()
    dialog = page.locator("#lightbox")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".lightbox__prompt")).to_contain_text("harbour")
    expect(dialog.locator("img.lightbox__image")).to_be_visible()
    expect(dialog).to_contain_text("AI-generated")
    page.keyboard.press("ArrowRight")
    expect(dialog.locator(".lightbox__prompt")).to_contain_text("pine forest")
    page.keyboard.press("ArrowLeft")
    expect(dialog.locator(".lightbox__prompt")).to_contain_text("harbour")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Infinite scroll: two cards a page, the third arrives when the end comes into view.
    page.goto(f"{live_server.url}/gallery/?size=2")
    expect(grid_cards(page)).to_have_count(2)
    page.locator(".grid__more").scroll_into_view_if_needed()
    expect(grid_cards(page)).to_have_count(3)
    expect(page.locator(".grid__more")).to_have_count(0)

    # The lightbox walks on past the loaded cards, fetching the next page.
    page.goto(f"{live_server.url}/gallery/?size=2")
    grid_cards(page).nth(1).locator("a.card__media").click()
    expect(dialog.locator(".lightbox__prompt")).to_contain_text("pine forest")
    page.keyboard.press("ArrowRight")
    expect(dialog.locator(".lightbox__prompt")).to_contain_text("lighthouse")
    expect(grid_cards(page)).to_have_count(3)
    page.keyboard.press("Escape")

    assert serious_violations(page) == []
    assert page.console_errors == []


def test_designer_keeps_organises_deletes_and_restores(page, live_server, team_images):
    harbour, forest = team_images[2], team_images[1]
    log_in(page, live_server, "alice", "alice-pass-123")

    # A favourite, then only favourites.
    page.goto(f"{live_server.url}/gallery/")
    card = page.locator(f"#card-{forest.pk}")
    card.get_by_role("button", name="Favourite").click()
    expect(card.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("My favourites").check()
    expect(grid_cards(page)).to_have_count(1)
    page.get_by_label("My favourites").uncheck()
    expect(grid_cards(page)).to_have_count(3)

    # Select all, then clear.
    page.get_by_role("button", name="Select all").click()
    expect(page.locator("#bulk-count")).to_have_text("3")
    page.get_by_role("button", name="Select all").click()
    expect(page.locator("#bulk-count")).to_have_text("0")

    # A collection, filled by bulk selection.
    page.goto(f"{live_server.url}/gallery/collections/")
    page.get_by_label("New collection").fill("Seaside")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Collection Seaside")).to_be_visible()
    page.goto(f"{live_server.url}/gallery/")
    page.locator(f"#card-{harbour.pk}").get_by_role("checkbox").check()
    expect(page.locator("#bulk-count")).to_have_text("1")
    page.locator("#bulk").get_by_label("Collection").select_option(label="Seaside")
    page.get_by_role("button", name="Add to collection").click()
    expect(page.locator(".messages")).to_contain_text("Added 1 image(s) to “Seaside”.")
    page.goto(f"{live_server.url}/gallery/collections/{Collection.objects.get().pk}/")
    expect(grid_cards(page)).to_have_count(1)
    expect(grid_cards(page).first).to_contain_text("harbour")

    # Delete (to the trash) and restore.
    page.goto(harbour.get_absolute_url().join([live_server.url, ""]))
    page.get_by_role("button", name="Move to trash").click()
    expect(page.get_by_role("heading", name="Trash")).to_be_visible()
    expect(page.locator(".trash-list")).to_contain_text("harbour")
    page.goto(f"{live_server.url}/gallery/")
    expect(grid_cards(page)).to_have_count(2)
    page.goto(f"{live_server.url}/gallery/trash/")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator(".messages")).to_contain_text("Restored to the gallery.")
    page.goto(f"{live_server.url}/gallery/")
    expect(grid_cards(page)).to_have_count(3)
    assert page.console_errors == []


def test_designer_remixes_from_the_detail_page(page, live_server, team_images):
    lighthouse = team_images[0]
    log_in(page, live_server, "alice", "alice-pass-123")
    page.goto(f"{live_server.url}{lighthouse.get_absolute_url()}")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Remix").click()
    prompt = page.get_by_label("Prompt")
    expect(prompt).to_have_value(lighthouse.prompt)
    expect(page.get_by_label("Aspect ratio")).to_have_value("3:2")
    expect(page.locator(".remix-note")).to_contain_text("Remix of")
    assert serious_violations(page) == []
    prompt.fill(lighthouse.prompt + ", in a storm")
    prompt.press("Control+Enter")
    expect(page.locator("#cards > li.card").first).to_contain_text("in a storm")
    remix = Generation.objects.get(prompt__endswith="in a storm")
    assert remix.parent_id == lighthouse.pk
    assert page.console_errors == []


def test_gallery_on_a_phone_in_dark_mode(browser, live_server, team_images):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(page, live_server, "alice", "alice-pass-123")
        page.goto(f"{live_server.url}/gallery/")
        expect(grid_cards(page)).to_have_count(3)
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        assert background == "rgb(19, 18, 24)"  # the dark palette
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        settle(page, "[...document.images].every(i => i.complete)")
        assert serious_violations(page) == []
        assert errors == []
    finally:
        context.close()
