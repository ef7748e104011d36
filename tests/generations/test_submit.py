"""The prompt form: a submit answers at once with a polling card; bad input changes nothing."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depicta_web.generations.models import Generation

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

SUBMIT = reverse("generations:submit")


def valid(model_key, **changes):
    data = {
        "prompt": "A lighthouse on a cliff at dusk",
        "model": model_key,
        "aspect_ratio": "3:2",
        "image_size": "1K",
        "strictness": "",
    }
    data.update(changes)
    return data


def test_the_form_offers_the_apis_models_with_prices(alice_client, depicta):
    page = alice_client.get(reverse("generations:index")).content.decode()
    for model in depicta.list_models():
        assert f'value="{model.key}"' in page
        assert f"€{model.price_eur.normalize():f}" in page
    for name in (
        "prompt",
        "model",
        "aspect_ratio",
        "image_size",
        "strictness",
        "url",
        "description",
    ):
        assert f'name="{name}"' in page


def test_submit_stores_the_generation_queues_its_task_and_returns_a_polling_card(
    alice_client, alice, model_key, sandbox_jobs_total
):
    before = sandbox_jobs_total()
    response = alice_client.post(
        SUBMIT,
        valid(model_key, url=["https://example.com/ref.png", ""], description=["a stormy sea", ""]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    generation = Generation.objects.get()
    assert generation.author == alice
    assert generation.status == Generation.Status.QUEUED
    assert generation.reference_images == [
        {"url": "https://example.com/ref.png", "description": "a stormy sea"}
    ]
    body = response.content.decode()
    assert f'id="card-{generation.pk}"' in body
    assert reverse("generations:status", args=[generation.pk]) in body
    assert 'hx-trigger="every' in body
    assert "<html" not in body  # only the fragments came back
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("generate_task")
    assert task.args_kwargs["kwargs"] == {"generation_id": str(generation.pk)}
    # The API is called by the worker, not by the web request.
    assert sandbox_jobs_total() == before


def test_the_hold_counted_for_a_generation_is_the_price_of_its_size(alice_client, depicta):
    model = next(m for m in depicta.list_models() if "4K" in m.image_sizes)
    alice_client.post(SUBMIT, valid(model.key, image_size="4K"), headers={"HX-Request": "true"})
    generation = Generation.objects.get()
    assert generation.estimated_cost_eur == model.prices_eur["4K"]
    assert generation.estimated_cost_eur > model.price_eur


def test_a_plain_post_without_htmx_redirects_to_the_studio(alice_client, model_key):
    response = alice_client.post(SUBMIT, valid(model_key))
    assert response.status_code == 302
    assert Generation.objects.count() == 1


BAD_INPUT = [
    ({"prompt": ""}, "prompt", "cannot be empty"),
    ({"prompt": "   \n\t "}, "prompt", "cannot be"),
    ({"prompt": "x" * 4001}, "prompt", "at most 4000"),
    ({"model": "no-such-model"}, "model", "Unknown model"),
    ({"aspect_ratio": "7:3"}, "aspect_ratio", "not an aspect ratio"),
    ({"image_size": "8K"}, "image_size", "not an image size"),
    ({"strictness": "lenient"}, "strictness", "Strictness is normal, liberal"),
    (
        {
            "url": [f"https://example.com/{i}.png" for i in range(6)],
            "description": [f"ref {i}" for i in range(6)],
        },
        None,
        "At most 5 reference images",
    ),
    ({"url": ["http://example.com/a.png"], "description": ["a cat"]}, None, "https://"),
    ({"url": ["https://example.com/a.png"], "description": [""]}, None, "describe what"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_explained_next_to_its_field_and_changes_nothing(
    alice_client, model_key, sandbox_jobs_total, changes, field, message
):
    before = sandbox_jobs_total()
    response = alice_client.post(
        SUBMIT, valid(model_key, **changes), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#prompt-form"
    body = response.content.decode()
    assert message in body
    if field:
        assert message in " ".join(response.context["form"].errors[field])
    assert Generation.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert sandbox_jobs_total() == before


def test_a_size_the_model_cannot_make_is_refused(alice_client, depicta, sandbox_jobs_total):
    model = next(m for m in depicta.list_models() if "4K" not in m.image_sizes)
    response = alice_client.post(SUBMIT, valid(model.key, image_size="4K"))
    assert response.status_code == 422
    assert "not 4K" in " ".join(response.context["form"].errors["image_size"])
    assert Generation.objects.count() == 0


def test_the_studio_needs_a_login(client):
    response = client.get(reverse("generations:index"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
