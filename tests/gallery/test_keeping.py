"""Favourites (personal), collections (shared), and bulk actions on a selection."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from depicta_web.gallery.models import Collection, Favourite

pytestmark = pytest.mark.django_db

BULK = reverse("gallery:bulk")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_favourite_toggle_over_htmx_swaps_only_the_button(alice_client, alice, make_row):
    row = make_row(alice)
    url = reverse("gallery:favourite", args=[row.pk])
    response = alice_client.post(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form class="fav"')
    assert 'aria-pressed="true"' in body
    assert "★" in body
    assert Favourite.objects.filter(user=alice, generation=row).exists()
    body = alice_client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-pressed="false"' in body
    assert not Favourite.objects.exists()


def test_favourites_are_personal(alice_client, client, alice, bob, make_row):
    row = make_row(bob)
    alice_client.post(reverse("gallery:favourite", args=[row.pk]))
    client.force_login(bob)
    body = client.get(reverse("gallery:index")).content.decode()
    assert 'aria-pressed="false"' in body
    assert (
        client.get(reverse("gallery:index"), {"favourites": "on"}).content.count(b'id="card-') == 0
    )


def test_bulk_favourite_stars_every_selected_image(alice_client, alice, bob, make_row):
    rows = [make_row(alice), make_row(bob)]
    response = alice_client.post(
        BULK, {"action": "favourite", "ids": [r.pk for r in rows], "next": "/gallery/?q=x"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/gallery/?q=x"
    assert Favourite.objects.filter(user=alice).count() == 2
    alice_client.post(BULK, {"action": "unfavourite", "ids": [rows[0].pk]})
    assert list(Favourite.objects.values_list("generation", flat=True)) == [rows[1].pk]


def test_bulk_without_a_selection_explains_and_changes_nothing(alice_client, alice, make_row):
    make_row(alice)
    response = alice_client.post(BULK, {"action": "favourite"})
    assert response.status_code == 302
    assert "Select at least one image first." in messages_of(response)
    assert not Favourite.objects.exists()


def test_bulk_with_an_unknown_id_changes_nothing(alice_client, alice, make_row):
    row = make_row(alice)
    response = alice_client.post(
        BULK, {"action": "favourite", "ids": [row.pk, "a5a5a5a5-0000-4000-8000-000000000000"]}
    )
    assert any("no longer exist" in m for m in messages_of(response))
    assert not Favourite.objects.exists()


def test_bulk_refuses_an_open_redirect(alice_client, alice, make_row):
    row = make_row(alice)
    response = alice_client.post(
        BULK, {"action": "favourite", "ids": [row.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("gallery:index")


def test_create_a_collection_and_land_on_its_page(alice_client, alice):
    response = alice_client.post(reverse("gallery:collections"), {"name": "  Spring   ads "})
    shelf = Collection.objects.get()
    assert shelf.name == "Spring ads"
    assert shelf.created_by == alice
    assert response["Location"] == shelf.get_absolute_url()
    body = alice_client.get(reverse("gallery:collections")).content.decode()
    assert "Spring ads" in body


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the collection a name."), ("spring ADS", "already exists")],
)
def test_collection_names_must_be_given_and_unique(alice_client, alice, name, message):
    Collection.objects.create(name="Spring ads", created_by=alice)
    response = alice_client.post(reverse("gallery:collections"), {"name": name})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Collection.objects.count() == 1


def test_rename_a_collection(alice_client, alice, bob):
    shelf = Collection.objects.create(name="Spring", created_by=bob)
    Collection.objects.create(name="Autumn", created_by=bob)
    alice_client.post(reverse("gallery:collection_rename", args=[shelf.pk]), {"name": "Summer"})
    shelf.refresh_from_db()
    assert shelf.name == "Summer"
    response = alice_client.post(
        reverse("gallery:collection_rename", args=[shelf.pk]), {"name": "Autumn"}
    )
    assert any("already exists" in m for m in messages_of(response))
    shelf.refresh_from_db()
    assert shelf.name == "Summer"


def test_add_to_and_remove_from_a_collection_and_see_its_page(alice_client, alice, bob, make_row):
    shelf = Collection.objects.create(name="Harbours", created_by=bob)
    rows = [make_row(alice, "Harbour one"), make_row(bob, "Harbour two"), make_row(bob, "Other")]
    alice_client.post(
        BULK, {"action": "add", "collection": shelf.pk, "ids": [rows[0].pk, rows[1].pk]}
    )
    # Adding again changes nothing.
    alice_client.post(BULK, {"action": "add", "collection": shelf.pk, "ids": [rows[0].pk]})
    assert shelf.items.count() == 2
    page = alice_client.get(shelf.get_absolute_url()).content.decode()
    assert "Harbour one" in page
    assert "Harbour two" in page
    assert "Other" not in page
    assert 'value="remove"' in page
    assert 'value="Harbours"' in page
    alice_client.post(BULK, {"action": "remove", "collection": shelf.pk, "ids": [rows[0].pk]})
    assert list(shelf.items.values_list("generation", flat=True)) == [rows[1].pk]


def test_adding_needs_a_collection(alice_client, alice, make_row):
    row = make_row(alice)
    response = alice_client.post(BULK, {"action": "add", "ids": [row.pk]})
    assert "Pick the collection first." in messages_of(response)


def test_unknown_action_is_refused(alice_client, alice, make_row):
    row = make_row(alice)
    response = alice_client.post(BULK, {"action": "explode", "ids": [row.pk]})
    assert "explode is not something the gallery can do to images." in messages_of(response)
