"""The prompt form: a submit answers at once with a polling card; bad input changes nothing."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depicta_web.generations.models import Generation
from depicta_web.lib.money import price_text

from ..conftest import ALL_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

SUBMIT = reverse("studio:submit")


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
    page = alice_client.get(reverse("studio:index")).content.decode()
    for model in depicta.list_models().models:
        assert f'value="{model.key}"' in page
        assert f"≈ {price_text(model.approximate_cost_eur)}" in page
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


def test_the_hold_counted_for_a_generation_is_the_catalogues_figure_at_first(alice_client, depicta):
    model = next(m for m in depicta.list_models().models if "4K" in m.sizes_offered)
    alice_client.post(SUBMIT, valid(model.key, image_size="4K"), headers={"HX-Request": "true"})
    generation = Generation.objects.get()
    assert generation.estimated_cost_eur == model.approximate_cost_eur


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
    ({"prompt": "\u200b\u2060\ufeff \u3164"}, "prompt", "only spaces or invisible"),
    ({"prompt": "a cat\x00"}, "prompt", "Null characters are not allowed"),
    ({"prompt": "a cat\x1b[31m"}, "prompt", "control characters"),
    ({"url": ["https://[zz/"], "description": ["a"]}, None, "is not a valid URL"),
    ({"url": ["https://ex\x00.com/a.png"], "description": ["a"]}, None, "control characters"),
    ({"url": ["https://example.com/a.png"], "description": ["a\x00"]}, None, "control char"),
    *(
        ({"url": [f"https://{host}/a.png"], "description": ["a"]}, None, "not a public address")
        for host in ("localhost", "127.0.0.1", "[::1]", "169.254.169.254", "2130706433")
    ),
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


def test_a_size_the_model_names_no_more_is_refused_before_any_call(
    alice_client, depicta, sandbox_jobs_total, settings
):
    settings.DEPICTA_SANDBOX_MODELS_SHAPE = "legacy"  # there sizes are named per model
    model = next(m for m in depicta.list_models().models if "4K" not in m.image_sizes)
    before = sandbox_jobs_total()
    response = alice_client.post(SUBMIT, valid(model.key, image_size="4K"))
    assert response.status_code == 422
    assert "not 4K" in " ".join(response.context["form"].errors["image_size"])
    assert Generation.objects.count() == 0
    assert sandbox_jobs_total() == before


def test_a_ratio_outside_the_models_fixed_sizes_is_refused_before_any_call(
    alice_client, depicta, sandbox_jobs_total
):
    model = next(m for m in depicta.list_models().models if m.fixed_sizes)
    assert "16:9" not in model.ratios_offered
    before = sandbox_jobs_total()
    response = alice_client.post(SUBMIT, valid(model.key, aspect_ratio="16:9"))
    assert response.status_code == 422
    message = " ".join(response.context["form"].errors["aspect_ratio"])
    assert "not 16:9" in message
    assert ", ".join(model.ratios_offered) in message
    assert Generation.objects.count() == 0
    assert sandbox_jobs_total() == before


def test_each_model_option_carries_the_sizes_and_ratios_it_makes(alice_client, depicta):
    page = alice_client.get(reverse("studio:index")).content.decode()
    for model in depicta.list_models().models:
        assert f'data-sizes="{" ".join(model.sizes_offered)}"' in page
        assert f'data-ratios="{" ".join(model.ratios_offered)}"' in page


def test_the_studio_needs_a_login(client):
    response = client.get(reverse("studio:index"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
