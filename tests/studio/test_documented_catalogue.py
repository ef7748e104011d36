"""The studio on an API that lists its models exactly as Depicta's reference documents them,
and prices learned from the team's own charges."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from depicta_web.generations.models import Generation
from depicta_web.generations.tasks import generate_task
from depicta_web.spend.models import PersonBudget

from .. import depicta_docs as docs
from ..conftest import ALL_DATABASES, generation_make

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

SUBMIT = reverse("studio:submit")
FLUX = docs.MODELS["models"][0]["id"]
SEEDREAM = docs.MODELS["models"][1]["id"]


def valid(**changes):
    data = {"prompt": "A lighthouse at dusk", "model": FLUX, "aspect_ratio": "16:9"}
    return {**data, "image_size": "1K", "strictness": "", **changes}


def charged(author, *, model: str, image_size: str, costs: list[str]) -> None:
    """Generations the team already paid for, newest last."""
    start = timezone.now() - timedelta(hours=1)
    for minute, cost in enumerate(costs):
        Generation.objects.create(
            author=author,
            prompt="earlier",
            model=model,
            image_size=image_size,
            status=Generation.Status.DONE,
            cost_eur=Decimal(cost),
            responded_at=start + timedelta(minutes=minute),
        )


def test_the_studio_shows_approximate_prices_and_the_catalogues_disclaimer(
    alice_client, documented_api
):
    page = alice_client.get(reverse("studio:index")).content.decode()
    assert "FLUX 1.1 Pro — ≈ €0.045" in page
    assert "Seedream 4.5 — ≈ €0.035" in page
    assert docs.MODELS["disclaimer"] in page
    assert "price n/a" not in page


def test_a_valid_submit_is_accepted_and_holds_the_catalogues_figure(alice_client, documented_api):
    response = alice_client.post(SUBMIT, valid(), headers={"HX-Request": "true"})
    assert response.status_code == 200, response.context["form"].errors
    generation = Generation.objects.get()
    assert generation.estimated_cost_eur == Decimal("0.045000")
    # Only the model list was read: the worker, not the web request, calls generate.
    assert documented_api.received == ["GET /v1/models"]


def test_a_size_depicta_does_not_name_is_sent_for_depicta_to_decide(alice_client, documented_api):
    response = alice_client.post(SUBMIT, valid(image_size="4K"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Generation.objects.get().image_size == "4K"


def test_a_ratio_the_model_does_not_list_is_refused_before_any_call(alice_client, documented_api):
    response = alice_client.post(SUBMIT, valid(aspect_ratio="21:9"))
    assert response.status_code == 422
    message = " ".join(response.context["form"].errors["aspect_ratio"])
    assert "FLUX 1.1 Pro makes 1:1, 2:3, 3:2, 4:5, 9:16, 16:9 images, not 21:9" in message
    assert not Generation.objects.exists()


def test_a_model_without_a_price_is_usable_and_says_its_price_comes_later(
    alice_client, documented_api
):
    unpriced = {k: v for k, v in docs.MODELS["models"][0].items() if k != "approximate_cost_eur"}
    documented_api.routes["GET /v1/models"] = (200, {"models": [unpriced]}, {})
    page = alice_client.get(reverse("studio:index")).content.decode()
    assert "FLUX 1.1 Pro — price unknown until the first image" in page
    response = alice_client.post(SUBMIT, valid(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Generation.objects.get().estimated_cost_eur is None


def test_ten_charges_of_one_model_and_size_become_its_price(alice, alice_client, documented_api):
    def submit_2k():
        response = alice_client.post(SUBMIT, valid(image_size="2K"), headers={"HX-Request": "true"})
        held = Generation.objects.filter(prompt="A lighthouse at dusk").latest("created_at")
        return held.estimated_cost_eur, response.content.decode()

    charged(alice, model=FLUX, image_size="2K", costs=["0.061"] * 9)
    assert submit_2k()[0] == Decimal("0.045000")  # nine are not enough
    charged(alice, model=FLUX, image_size="2K", costs=["0.058"])
    held, fresh_form = submit_2k()
    assert held == Decimal("0.061000")  # the most one of the last ten cost
    # The fresh composer keeps 2K and prices it from the charges.
    assert "FLUX 1.1 Pro — up to €0.061" in fresh_form
    assert "Seedream 4.5 — ≈ €0.035" in fresh_form


def test_budgets_reserve_the_higher_of_the_catalogue_and_the_charges(
    alice, alice_client, documented_api
):
    charged(alice, model=FLUX, image_size="1K", costs=["0.030"] * 10)
    PersonBudget.objects.create(user=alice, monthly_limit_eur=Decimal("0.040"))
    response = alice_client.post(SUBMIT, valid(), headers={"HX-Request": "true"})
    # The charges say €0.03, the catalogue €0.045: the budget holds €0.045 and refuses.
    assert response.status_code == 422
    assert "budget" in response.content.decode()
    assert Generation.objects.filter(prompt="A lighthouse at dusk").count() == 0


def test_a_model_that_cannot_do_it_ends_in_a_plain_message(alice, documented_api):
    refusal = {"error": "model_not_capable", "message": "This model cannot generate images."}
    documented_api.routes["POST /v1/generate/image"] = (422, refusal, {})
    generation = generation_make(alice, model=SEEDREAM)
    generate_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    assert generation.status == Generation.Status.FAILED
    assert generation.error_message.startswith("The chosen model cannot do this. Pick another")
    assert refusal["message"] in generation.error_message
