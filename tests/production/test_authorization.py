"""Who may see and change what: every URL, as a visitor, the author, another designer, an admin.

The team shares one gallery, so every designer sees every image; only its author or an admin
may trash or restore it, and only admins see spend and the admin site. New URLs fail
`test_every_url_is_in_the_matrix` until they are given a row here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from depicta_web.gallery.models import Collection
from depicta_web.generations.models import Generation

from ..url_names import url_names

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
# Outcomes: "ok" (2xx, or a redirect not to a login page), "login" (sent to log in),
# "admin-login" (the admin's log-in), "forbidden" (403).
ROLES = ("anonymous", "alice", "bob", "carol")  # alice is the author; carol is an admin

# name: (method, kwargs builder key, data, outcome per role in ROLES order)
MATRIX: dict[str, tuple[str, str, dict, tuple[str, str, str, str]]] = {
    "studio:index": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "studio:submit": ("POST", "", {"prompt": ""}, ("login", "ok", "ok", "ok")),
    "gallery:detail": ("GET", "pk", {}, ("login", "ok", "ok", "ok")),
    "generations:status": ("GET", "pk", {}, ("login", "ok", "ok", "ok")),
    "studio:retry": ("POST", "pk", {}, ("login", "ok", "ok", "ok")),
    "generations:download": ("GET", "file", {}, ("login", "ok", "ok", "ok")),
    "generations:media": ("GET", "media", {}, ("login", "ok", "ok", "ok")),
    "gallery:index": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "gallery:bulk": ("POST", "", {"action": "favourite"}, ("login", "ok", "ok", "ok")),
    "gallery:trash": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "gallery:collections": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "gallery:collection": ("GET", "collection", {}, ("login", "ok", "ok", "ok")),
    "gallery:collection_rename": (
        "POST",
        "collection",
        {"name": "Shared moodboard"},
        ("login", "ok", "ok", "ok"),
    ),
    "gallery:favourite": ("POST", "pk", {}, ("login", "ok", "ok", "ok")),
    "gallery:delete": ("POST", "pk", {}, ("login", "ok", "forbidden", "ok")),
    "gallery:restore": ("POST", "pk", {}, ("login", "ok", "ok", "ok")),
    "gallery:verify": ("POST", "pk", {}, ("login", "ok", "ok", "ok")),
    "spend:overview": ("GET", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:generations": ("GET", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:ledger": ("GET", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:topup": ("POST", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:sync": ("POST", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:budgets": ("GET", "", {}, ("login", "forbidden", "forbidden", "ok")),
    "spend:export": ("GET", "export", {}, ("login", "forbidden", "forbidden", "ok")),
    "admin:index": ("GET", "", {}, ("admin-login", "admin-login", "admin-login", "ok")),
    "admin:generations_generation_changelist": (
        "GET",
        "",
        {},
        ("admin-login", "admin-login", "admin-login", "forbidden"),  # staff without permissions
    ),
    # Django's own auth pages: public by design, or for the logged-in.
    "login": ("GET", "", {}, ("ok", "ok", "ok", "ok")),
    "logout": ("POST", "", {}, ("login", "login", "login", "login")),  # back to log in
    "password_change": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "password_change_done": ("GET", "", {}, ("login", "ok", "ok", "ok")),
    "password_reset": ("GET", "", {}, ("ok", "ok", "ok", "ok")),
    "password_reset_done": ("GET", "", {}, ("ok", "ok", "ok", "ok")),
    "password_reset_confirm": ("GET", "reset", {}, ("ok", "ok", "ok", "ok")),
    "password_reset_complete": ("GET", "", {}, ("ok", "ok", "ok", "ok")),
}
# The sandbox is a peer with its own key authentication (tests/sandbox/test_auth.py); the
# admin's generated model pages all sit behind admin.site's own staff check.
NOT_IN_MATRIX_NAMESPACES = ("sandbox:", "admin:")


def test_every_url_is_in_the_matrix():
    names = {name for name in url_names() if not name.startswith(NOT_IN_MATRIX_NAMESPACES)}
    assert names - MATRIX.keys() == set(), "new URLs: give each a row in MATRIX"
    assert MATRIX.keys() - names - {n for n in MATRIX if n.startswith("admin:")} == set()


def _kwargs(kind: str, generation: Generation, collection: Collection) -> dict:
    file = generation.images.get().files.get()
    return {
        "": {},
        "pk": {"pk": generation.pk},
        "file": {"pk": generation.pk, "position": 0, "fmt": "png"},
        "media": {"name": file.storage_name},
        "collection": {"pk": collection.pk},
        "export": {"table": "generations"},
        "reset": {"uidb64": "MQ", "token": "set-password"},
    }[kind]


def _outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code in (301, 302) and location.startswith(ADMIN_LOGIN):
        return "admin-login"
    if response.status_code in (301, 302) and location.startswith(LOGIN):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code < 400 or response.status_code == 422:  # 422: a refused form
        return "ok"
    return f"status {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_matrix_says(
    role, client, alice, bob, carol, alices_generation
):
    collection = Collection.objects.create(name="Moodboard", created_by=alice)
    users = {"alice": alice, "bob": bob, "carol": carol}
    index = ROLES.index(role)
    wrong = []
    for name, (method, kind, data, outcomes) in MATRIX.items():
        client.logout()
        if role in users:
            client.force_login(users[role])
        url = reverse(name, kwargs=_kwargs(kind, alices_generation, collection))
        if name == "gallery:bulk":
            data = {**data, "ids": [str(alices_generation.pk)]}
        response = client.get(url) if method == "GET" else client.post(url, data)
        got = _outcome(response)
        if got != outcomes[index]:
            wrong.append(f"{method} {url} ({name}): expected {outcomes[index]}, got {got}")
        # Put back what a permitted change did, so every row starts from the same state.
        Generation.objects.filter(pk=alices_generation.pk).update(deleted_at=None)
    assert wrong == []


def test_another_designer_cannot_trash_my_image_but_an_admin_can(
    client, alice, bob, carol, alices_generation
):
    client.force_login(bob)
    client.post(reverse("gallery:delete", args=[alices_generation.pk]))
    client.post(reverse("gallery:bulk"), {"action": "delete", "ids": [str(alices_generation.pk)]})
    alices_generation.refresh_from_db()
    assert alices_generation.deleted_at is None

    client.force_login(carol)
    client.post(reverse("gallery:delete", args=[alices_generation.pk]))
    alices_generation.refresh_from_db()
    assert alices_generation.deleted_at is not None


def test_another_designer_cannot_restore_my_trashed_image(client, alice, bob, alices_generation):
    alices_generation.trash(by=alice)
    client.force_login(bob)
    client.post(reverse("gallery:restore", args=[alices_generation.pk]))
    alices_generation.refresh_from_db()
    assert alices_generation.deleted_at is not None


def test_designers_never_reach_spend_or_the_admin(client, bob):
    client.force_login(bob)
    assert client.get(reverse("spend:export", args=["generations"])).status_code == 403
    response = client.get("/admin/generations/generation/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
