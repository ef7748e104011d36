"""Guessing passwords: after 5 failures a username is locked for the window, from anywhere."""

import pytest
from django.urls import reverse

from depicta_web.throttle.models import FailedLogin

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _log_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(client, alice, settings):
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME):
        assert _log_in(client, "alice", "guess").status_code == 200  # the form again, with error

    response = _log_in(client, "alice", "alice-pass-123", address="198.51.100.9")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed log-ins. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_username_does_not_lock_the_rest_of_the_team(client, alice, bob, settings):
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME):
        _log_in(client, "alice", "guess")
    response = _log_in(client, "bob", "bob-pass-123", address="198.51.100.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_successful_log_in_clears_the_count(client, alice, settings):
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME - 1):
        _log_in(client, "alice", "guess")
    assert _log_in(client, "alice", "alice-pass-123").status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME - 1):
        _log_in(client, "alice", "guess")
    assert _log_in(client, "alice", "alice-pass-123").status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, alice, settings):
    settings.LOGIN_THROTTLE_PER_ADDRESS = 6
    for n in range(6):
        _log_in(client, f"nobody{n}", "guess", address="192.0.2.50")
    assert _log_in(client, "alice", "alice-pass-123", address="192.0.2.50").status_code == 429
    assert _log_in(client, "alice", "alice-pass-123", address="192.0.2.51").status_code == 302


def test_the_lock_ends_when_the_window_has_passed(client, alice, settings):
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME):
        _log_in(client, "alice", "guess")
    assert _log_in(client, "alice", "alice-pass-123").status_code == 429
    # The failures age out of the window (as if 15 minutes had gone by).
    FailedLogin.objects.update(at=FailedLogin.objects.first().at.replace(year=2000))
    assert _log_in(client, "alice", "alice-pass-123").status_code == 302


def test_the_admin_log_in_is_throttled_too(client, alice, settings):
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME):
        client.post("/admin/login/", {"username": "alice", "password": "guess"})
    response = client.post("/admin/login/", {"username": "alice", "password": "alice-pass-123"})
    assert response.status_code == 429


def test_behind_a_proxy_the_clients_address_is_taken_from_its_header(client, alice, settings):
    settings.LOGIN_THROTTLE_PER_ADDRESS = 3
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    # Every request comes from the proxy (127.0.0.1); one client guesses, another is not locked.
    for n in range(3):
        client.post(
            reverse("login"),
            {"username": f"nobody{n}", "password": "guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="192.0.2.50",
        )
    other = client.post(
        reverse("login"),
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="192.0.2.99",
    )
    assert other.status_code == 302
    client.logout()
    guesser = client.post(
        reverse("login"),
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="192.0.2.50",
    )
    assert guesser.status_code == 429


def test_a_server_without_log_in_pages_still_answers_posts(client, settings):
    # The sandbox served alone (`make sandbox`) mounts no log-in page.
    settings.ROOT_URLCONF = "depicta_web.sandbox.standalone_urls"
    response = client.post("/sandbox/v1/generate/image", {}, content_type="application/json")
    assert response.status_code == 401  # the sandbox's own answer: no key


# "alice" with a full-width first letter: "alice" once authentication normalised it (NFKC).
FULL_WIDTH_ALICE = "\uff41lice"


def test_full_width_letters_count_against_the_same_username(client, alice, settings):
    for _ in range(12):
        _log_in(client, FULL_WIDTH_ALICE, "guess")
    for typed in (FULL_WIDTH_ALICE, "alice", "ALICE", "\uff21\uff4c\uff49\uff43\uff45"):
        response = _log_in(client, typed, "alice-pass-123", address="198.51.100.9")
        assert response.status_code == 429, typed
    assert "_auth_user_id" not in client.session
    assert set(FailedLogin.objects.values_list("username", flat=True)) == {"alice"}


def test_full_width_letters_count_against_the_same_username_on_the_admin(client, alice, settings):
    alice.is_staff = True
    alice.save()
    for _ in range(12):
        client.post("/admin/login/", {"username": FULL_WIDTH_ALICE, "password": "guess"})
    for typed in (FULL_WIDTH_ALICE, "alice"):
        response = client.post("/admin/login/", {"username": typed, "password": "alice-pass-123"})
        assert response.status_code == 429, typed


def test_password_reset_requests_are_throttled(client, alice, settings):
    alice.email = "alice@example.com"
    alice.save()
    url = reverse("password_reset")
    for _ in range(settings.LOGIN_THROTTLE_PER_USERNAME):
        response = client.post(url, {"email": "alice@example.com"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302
    response = client.post(url, {"email": "ALICE@example.com"}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many reset requests. Try again in 15 minutes." in response.content.decode()


def test_password_reset_requests_from_one_address_are_throttled(client, settings):
    settings.LOGIN_THROTTLE_PER_ADDRESS = 3
    url = reverse("password_reset")
    for n in range(3):
        client.post(url, {"email": f"nobody{n}@example.com"}, REMOTE_ADDR="192.0.2.50")
    refused = client.post(url, {"email": "other@example.com"}, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429
    allowed = client.post(url, {"email": "other@example.com"}, REMOTE_ADDR="192.0.2.51")
    assert allowed.status_code == 302
