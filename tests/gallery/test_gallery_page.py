"""The team gallery: shared by default, filtered and searched through the URL, paged by key."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from depicta_web.gallery.models import Collection, Favourite
from depicta_web.generations.models import Generation

pytestmark = pytest.mark.django_db

GALLERY = reverse("gallery:index")


def cards(response) -> list[str]:
    body = response.content.decode()
    return [part.split('"')[0] for part in body.split('id="card-')[1:]]


def test_every_member_sees_the_whole_teams_generations(alice_client, alice, bob, make_row):
    mine = make_row(alice, "Alice's lighthouse")
    theirs = make_row(bob, "Bob's harbour")
    response = alice_client.get(GALLERY)
    assert response.status_code == 200
    assert set(cards(response)) == {str(mine.pk), str(theirs.pk)}
    body = response.content.decode()
    assert "AI-generated" in body
    assert 'loading="lazy"' in body
    assert " 2x" in body
    assert "ratio-11" in body


def test_mine_and_person_filters_show_one_persons_images(alice_client, alice, bob, make_row):
    mine = make_row(alice)
    theirs = make_row(bob)
    assert cards(alice_client.get(GALLERY, {"person": "alice"})) == [str(mine.pk)]
    assert cards(alice_client.get(GALLERY, {"person": "bob"})) == [str(theirs.pk)]
    assert f'href="{GALLERY}?person=alice"' in alice_client.get(GALLERY).content.decode()


def test_unknown_person_is_a_clear_error(alice_client, alice, make_row):
    make_row(alice)
    response = alice_client.get(GALLERY, {"person": "mallory"})
    assert response.status_code == 422
    assert "Nobody on the team is called “mallory”." in response.content.decode()
    assert cards(response) == []


def test_search_finds_words_and_prefixes_in_prompts(alice_client, alice, bob, make_row):
    lighthouse = make_row(alice, "A lighthouse on a cliff at dusk")
    make_row(bob, "A forest in the rain")
    both = make_row(bob, "Lighthouse keeper reading in the rain")
    assert set(cards(alice_client.get(GALLERY, {"q": "lighthouse"}))) == {
        str(lighthouse.pk),
        str(both.pk),
    }
    assert cards(alice_client.get(GALLERY, {"q": "light rain"})) == [str(both.pk)]
    assert cards(alice_client.get(GALLERY, {"q": "submarine"})) == []


def test_search_text_with_query_syntax_is_taken_as_plain_words(alice_client, alice, make_row):
    row = make_row(alice, 'Cat AND dog "NEAR" me')
    response = alice_client.get(GALLERY, {"q": 'dog" AND NEAR(cat'})
    assert response.status_code == 200
    assert cards(response) == [str(row.pk)]


def test_search_without_letters_explains_itself(alice_client, alice, make_row):
    make_row(alice)
    response = alice_client.get(GALLERY, {"q": "?!*"})
    assert response.status_code == 422
    assert "has no letters or digits to search for" in response.content.decode()


def test_filters_for_model_status_ratio_dates_and_sorting(alice_client, alice, make_row):
    now = timezone.now()
    old = make_row(
        alice, model="depicta-2", aspect_ratio="16:9", created_at=now - timedelta(days=10)
    )
    cheap = make_row(alice, cost_eur=Decimal("0.010000"), created_at=now - timedelta(hours=1))
    failed = make_row(alice, status=Generation.Status.FAILED, cost_eur=None, created_at=now)
    assert cards(alice_client.get(GALLERY, {"model": "depicta-2"})) == [str(old.pk)]
    assert cards(alice_client.get(GALLERY, {"ratio": "16:9"})) == [str(old.pk)]
    assert cards(alice_client.get(GALLERY, {"status": "failed"})) == [str(failed.pk)]
    week_ago = (now - timedelta(days=7)).date().isoformat()
    since = set(cards(alice_client.get(GALLERY, {"since": week_ago})))
    assert since == {str(cheap.pk), str(failed.pk)}
    until = (now - timedelta(days=9)).date().isoformat()
    assert cards(alice_client.get(GALLERY, {"until": until})) == [str(old.pk)]
    assert cards(alice_client.get(GALLERY, {"sort": "oldest"})) == [
        str(old.pk),
        str(cheap.pk),
        str(failed.pk),
    ]
    # Most expensive first; unpriced (failed) last.
    assert cards(alice_client.get(GALLERY, {"sort": "cost"})) == [
        str(old.pk),
        str(cheap.pk),
        str(failed.pk),
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "lost is not a status a generation can have."),
        ({"sort": "random"}, "Sort by newest, oldest or cost, not random."),
        ({"since": "yesterday"}, "“From” must be a date like"),
        ({"since": "2026-11-20", "until": "2026-11-01"}, "“To” is before “From”"),
        ({"collection": "999"}, "There is no collection number 999."),
        ({"size": "5000"}, "A page holds at most 120 images."),
        ({"after": "not-a-cursor"}, "This “more” link is damaged"),
    ],
)
def test_bad_filter_values_get_a_specific_message(alice_client, alice, make_row, params, message):
    make_row(alice)
    response = alice_client.get(GALLERY, params)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert cards(response) == []


def test_favourites_and_collection_filters(alice_client, alice, bob, make_row):
    starred = make_row(alice)
    collected = make_row(bob)
    make_row(bob)
    Favourite.objects.create(user=alice, generation=starred)
    Favourite.objects.create(user=bob, generation=collected)  # bob's star is not alice's
    shelf = Collection.objects.create(name="Harbours", created_by=bob)
    shelf.items.create(generation=collected, added_by=bob)
    assert cards(alice_client.get(GALLERY, {"favourites": "on"})) == [str(starred.pk)]
    assert cards(alice_client.get(GALLERY, {"collection": shelf.pk})) == [str(collected.pk)]


def test_htmx_filter_request_returns_only_the_results(alice_client, alice, make_row):
    make_row(alice)
    response = alice_client.get(GALLERY, {"q": "harbour"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert 'id="filters"' not in body


def test_history_restore_gets_the_whole_page(alice_client, alice, make_row):
    make_row(alice)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = alice_client.get(GALLERY, {"q": "harbour"}, headers=headers).content.decode()
    assert "<html" in body
    assert 'id="filters"' in body


def test_filters_are_kept_in_the_form_so_the_url_can_be_shared(alice_client, alice, make_row):
    make_row(alice)
    body = alice_client.get(GALLERY, {"q": "harbour dawn", "sort": "oldest"}).content.decode()
    assert 'value="harbour dawn"' in body
    assert '<option value="oldest" selected>' in body


def test_pages_follow_each_other_without_gaps_or_repeats(alice_client, alice, make_row):
    made = [make_row(alice) for _ in range(7)]
    # Two share a timestamp: the id breaks the tie.
    Generation.objects.filter(pk=made[3].pk).update(created_at=made[2].created_at)
    seen, params = [], {"size": 3}
    for _ in range(5):
        headers = {"HX-Request": "true"} if "after" in params else {}
        response = alice_client.get(GALLERY, params, headers=headers)
        seen += cards(response)
        body = response.content.decode()
        if 'class="grid__more"' not in body:
            break
        next_url = body.split('class="grid__more" hx-get="')[1].split('"')[0]
        assert "offset" not in next_url
        params = dict(pair.split("=") for pair in next_url.split("?")[1].split("&amp;"))
    expected = list(Generation.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert seen == [str(pk) for pk in expected]


def test_next_page_over_htmx_is_cards_and_the_next_trigger(alice_client, alice, make_row):
    for _ in range(3):
        make_row(alice)
    first = alice_client.get(GALLERY, {"size": 1}).content.decode()
    cursor = first.split("after=")[1].split('"')[0]
    body = alice_client.get(
        f"{GALLERY}?size=1&after={cursor}", headers={"HX-Request": "true"}
    ).content.decode()
    assert body.lstrip().startswith('<li id="card-')
    assert 'hx-trigger="intersect once"' in body
    assert 'id="results"' not in body


def test_a_gallery_page_costs_a_fixed_number_of_queries(
    alice_client, alice, bob, make_row, django_assert_max_num_queries
):
    for n in range(70):
        row = make_row(alice if n % 2 else bob)
        Favourite.objects.create(user=alice, generation=row)
    alice_client.get(GALLERY)  # warm the cached list of models
    counts = {}
    for size in (5, 60):
        # Session, user, rows, images, people, collections; the rest is the shared header.
        with django_assert_max_num_queries(12) as captured:
            response = alice_client.get(GALLERY, {"size": size, "q": "harbour"})
        assert len(cards(response)) == size
        counts[size] = len(captured)
    assert counts[5] == counts[60]
    with django_assert_max_num_queries(4):  # session, user, rows, images
        alice_client.get(GALLERY, {"size": 60}, headers={"HX-Request": "true"})


def test_images_in_the_trash_are_not_in_the_gallery(alice_client, alice, make_row):
    kept = make_row(alice)
    gone = make_row(alice)
    gone.trash(by=alice)
    assert cards(alice_client.get(GALLERY)) == [str(kept.pk)]


def test_in_progress_cards_poll_in_place_and_keep_the_gallery_tools(alice_client, alice, make_row):
    running = make_row(alice, status=Generation.Status.GENERATING, cost_eur=None)
    body = alice_client.get(GALLERY).content.decode()
    assert f"/g/{running.pk}/status?u=" in body
    assert "in=gallery" in body


def test_gallery_requires_login(client):
    assert client.get(GALLERY).status_code == 302


def test_a_gallery_card_that_finishes_comes_back_with_its_tools(alice_client, alice, make_row):
    row = make_row(alice)
    response = alice_client.get(
        reverse("generations:status", args=[row.pk]),
        {"u": "stale", "in": "gallery"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 286  # final: htmx swaps it in and stops polling
    assert f'name="ids" value="{row.pk}" form="bulk"' in body
    assert 'aria-label="Favourite"' in body
    studio = alice_client.get(
        reverse("generations:status", args=[row.pk]), {"u": "stale"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'form="bulk"' not in studio
