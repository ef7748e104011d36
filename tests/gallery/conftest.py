"""Gallery fixtures: real generations made by the sandbox, and cheap rows for the grid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from depicta_web.generations.models import GeneratedImage, Generation


@pytest.fixture
def carol_admin(django_user_model):
    return django_user_model.objects.create_user("carol", password="carol-pass-123", is_staff=True)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def make_row():
    """A finished generation row without calling the API (for filters and paging)."""
    counter = iter(range(10_000))

    def make(author, prompt="A quiet harbour at dawn", **fields):
        n = next(counter)
        defaults = {
            "model": "depicta-1",
            "aspect_ratio": "1:1",
            "status": Generation.Status.DONE,
            "cost_eur": Decimal("0.040000"),
            "created_at": timezone.now() - timedelta(minutes=n),
        }
        defaults.update(fields)
        generation = Generation.objects.create(author=author, prompt=prompt, **defaults)
        GeneratedImage.objects.create(
            generation=generation,
            width=1024,
            height=1024,
            thumbnail=f"thumbs/aa/{n:064x}-400.webp",
            thumbnail_2x=f"thumbs/aa/{n:064x}-800.webp",
        )
        return generation

    return make
