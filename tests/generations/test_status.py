"""The card's poll: cheap when nothing changed, and it stops itself at a final state."""

import time

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse

from depicta_web.generations import polling

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
        code="retries_exhausted", message="Depicta stayed busy.", request_id="req_123"
    )
    body = poll(alice_client, queued_generation).content.decode()
    assert "Depicta stayed busy." in body
    assert "req_123" in body
    assert reverse("studio:retry", args=[queued_generation.pk]) in body


@pytest.mark.parametrize(
    ("code", "rejected"), [("content_rejected", True), ("validation_error", False)]
)
def test_a_refused_request_offers_to_edit_it_not_to_send_it_again(
    alice_client, queued_generation, code, rejected
):
    queued_generation.mark_failed(code=code, message="Refused.", rejected=rejected)
    body = poll(alice_client, queued_generation).content.decode()
    assert "Refused." in body
    assert reverse("studio:retry", args=[queued_generation.pk]) not in body
    assert f"{reverse('studio:index')}?remix={queued_generation.pk}" in body
    assert "Edit prompt" in body


def test_the_card_carries_a_poll_token_that_answers_unchanged_without_a_login(
    client, alice_client, queued_generation
):
    page = alice_client.get(reverse("studio:index")).content.decode()
    url = queued_generation.poll_url
    assert url.replace("&", "&amp;") in page
    client.logout()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.content == b""


def test_a_poll_token_tells_a_stranger_nothing_but_unchanged(client, queued_generation):
    stale = queued_generation.poll_url.replace(f"u={queued_generation.version}", "u=1")
    response = client.get(stale, headers={"HX-Request": "true"})
    assert response.status_code == 302  # to the login page: a changed card needs a designer
    assert queued_generation.prompt not in response.content.decode()


def test_a_forged_borrowed_or_expired_poll_token_needs_a_login(
    client, alice, queued_generation, model_key
):
    from depicta_web.generations.models import Generation

    other = Generation.objects.create(author=alice, prompt="another", model=model_key)
    url = reverse("generations:status", args=[queued_generation.pk])
    version = queued_generation.version

    class SevenHoursAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 7 * 3600)

    expired = SevenHoursAgo(salt=polling._signer.salt).sign(str(queued_generation.pk))
    tokens = {
        "forged": polling.poll_token(queued_generation.pk)[:-2] + "xx",
        "borrowed": polling.poll_token(other.pk),
        "expired": expired.split(":", 1)[1],
        "missing": "",
    }
    for name, token in tokens.items():
        response = client.get(url, {"u": version, "t": token})
        assert response.status_code == 302, name


def test_the_board_keeps_only_reads_from_its_own_session_and_never_goes_back():
    board = polling.VersionBoard(size=2)
    board.learn("a", "5", "queued", session=None)
    assert board.known("a") is None  # not listening: the database must be asked
    session = board.start_session()
    board.learn("a", "5", "queued", session=session - 1)  # read before this session began
    assert board.known("a") is None
    board.learn("a", "7", "generating", session=session)
    board.learn("a", "6", "queued", session=session)  # an older read arriving late
    assert board.known("a") == ("7", "generating")
    board.learn("b", "1", "queued", session=session)
    board.learn("c", "1", "queued", session=session)
    assert board.known("a") is None  # the oldest card was let go, not kept stale
    board.end_session()
    assert board.known("c") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_on_postgresql_an_unchanged_poll_needs_no_query_and_a_change_shows_at_once(
    client, settings, queued_generation, django_assert_num_queries
):
    settings.DEPICTA_POLL_LISTEN = True
    url = queued_generation.poll_url
    try:
        polling.board.ensure_listening()
        deadline = time.monotonic() + 10
        while polling.board.session is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get(url).status_code == 204  # read once, remembered
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 204

        queued_generation.touch()  # a thumbnail arrived, say: committed, announced
        deadline = time.monotonic() + 5
        while client.get(url).status_code == 204 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.get(url).status_code == 302  # changed: only a designer sees how

        # Each listener pings itself through the channel and hears the other web processes'
        # pings as well: neither kind may make it start afresh (and forget every card).
        other_process = polling.VersionBoard()
        other_process.ensure_listening()
        deadline = time.monotonic() + 10
        while other_process.session is None and time.monotonic() < deadline:
            time.sleep(0.05)
        sessions = (polling.board.session, other_process.session)
        time.sleep(3 * polling.PING_SECONDS)
        assert (polling.board.session, other_process.session) == sessions
        assert None not in sessions
    finally:
        polling.board.stop()
        if "other_process" in locals():
            other_process.stop()
