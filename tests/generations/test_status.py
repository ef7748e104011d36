"""The card's poll: cheap when nothing changed, and it stops itself at a final state."""

import pytest
from django.urls import reverse

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def poll(client, generation, version=None):
    url = reverse("generations:status", args=[generation.pk])
    params = {"u": version} if version else {}
    return client.get(url, params, headers={"HX-Request": "true"})


def test_an_unchanged_card_answers_204_without_a_body(alice_client, queued_generation):
    response = poll(alice_client, queued_generation, queued_generation.version)
    assert response.status_code == 204
    assert response.content == b""


def test_a_card_in_progress_renders_itself_with_the_poll_trigger(alice_client, queued_generation):
    response = poll(alice_client, queued_generation, "stale")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every' in body
    assert "Queued" in body
    assert "<html" not in body


def test_a_finished_card_shows_its_thumbnail_and_stops_polling(alice_client, done_generation):
    response = poll(alice_client, done_generation, "stale")
    body = response.content.decode()
    assert response.status_code == 286  # htmx: swap, then stop polling
    assert "hx-trigger" not in body
    image = done_generation.images.get()
    assert reverse("generations:media", args=[image.thumbnail]) in body
    assert "AI-generated" in body


def test_a_failed_card_explains_why_and_offers_a_retry(alice_client, queued_generation):
    queued_generation.mark_failed(
        code="content_rejected", message="Rejected by policy.", request_id="req_123", rejected=True
    )
    body = poll(alice_client, queued_generation).content.decode()
    assert "Rejected by policy." in body
    assert "req_123" in body
    assert reverse("generations:retry", args=[queued_generation.pk]) in body
