"""An admin opens the spend page in a real browser and sees the seeded figures."""

import pytest
from playwright.sync_api import expect

from ..conftest import ALL_DATABASES
from ..spend.conftest import at, charge
from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


@pytest.fixture
def dana(django_user_model):
    return django_user_model.objects.create_user("dana", password="dana-pass-123", is_staff=True)


def test_an_admin_sees_the_spend_chart_and_tables(page, live_server, dana, alice, bob):
    charge(alice, "0.045000", when=at(0), balance="9.895000", model="flux-pro")
    charge(bob, "0.060000", when=at(0, minute=30), balance="9.835000", model="imagen-ultra")
    charge(alice, "0.030000", when=at(2), balance="9.940000", model="seedream-4")

    log_in(page, live_server, "dana", "dana-pass-123")
    page.get_by_role("link", name="Spend").click()
    expect(page.get_by_role("heading", name="Spend", exact=True)).to_be_visible()
    expect(page.locator("#figure-balance")).to_contain_text("€9.835000")

    chart = page.locator("#chart svg.chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.chart__bar")).to_have_count(3)
    expect(chart.locator('rect[data-series="imagen-ultra"]')).to_have_attribute(
        "data-eur", "0.060000"
    )
    expect(page.locator("#chart-title")).to_contain_text("€0.135000")

    people = page.locator("#by-person tbody tr")
    expect(people).to_have_count(2)
    expect(people.nth(0)).to_contain_text("alice")
    expect(people.nth(0)).to_contain_text("€0.075000")
    expect(people.nth(1)).to_contain_text("bob")
    expect(page.locator("#by-model tbody tr")).to_have_count(3)

    # Drill down from the chart to the generations behind a bar.
    chart.locator('rect[data-series="seedream-4"]').click()
    expect(page.get_by_role("heading", name="1 generation, €0.030000")).to_be_visible()
    assert page.console_errors == []
