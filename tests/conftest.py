"""Shared fixtures: named people, and the sandbox served over real HTTP on loopback."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from depicta_web.depicta import DepictaClient

from .depicta_docs import DocumentedAPI

# Tests that touch the database see both the app's and the sandbox's.
ALL_DATABASES = ["default", "sandbox"]


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEPICTA_SANDBOX_STATE_DIR = tmp_path / "sandbox-state"
    # A listener's open connection would keep the PostgreSQL test database from being dropped:
    # tests/generations/test_status.py turns it on and stops it itself.
    settings.DEPICTA_POLL_LISTEN = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-pass-123")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-pass-123")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def sandbox(live_server, settings):
    """The app's Depicta settings pointed at the sandbox inside the live server."""
    base_url = f"{live_server.url}/sandbox"
    settings.DEPICTA_BASE_URL = base_url
    settings.DEPICTA_API_KEY = settings.DEPICTA_SANDBOX_KEYS[0]
    settings.DEPICTA_IMAGE_HOSTS = [urlsplit(live_server.url).hostname]
    settings.DEPICTA_TIMEOUT_SECONDS = 30
    return base_url


@pytest.fixture
def documented_api(settings):
    """A loopback server answering with bodies from Depicta's docs; the app points at it."""
    api = DocumentedAPI().start()
    settings.DEPICTA_BASE_URL = api.url
    settings.DEPICTA_API_KEY = "dpct_" + "d" * 43
    yield api
    api.stop()


@pytest.fixture
def depicta(sandbox, settings):
    with DepictaClient(base_url=sandbox, api_key=settings.DEPICTA_API_KEY, timeout=30) as client:
        yield client


@pytest.fixture
def sandbox_jobs_total(depicta):
    """How many jobs the sandbox has seen: proves whether a request reached the API."""
    return lambda: depicta.list_jobs(limit=1).total


@pytest.fixture
def sandbox_balance(sandbox, settings):
    """The sandbox account's balance in EUR, read from its own books (not from our app)."""
    from depicta_web.sandbox.accounts import account_for_key

    return lambda: account_for_key(settings.DEPICTA_API_KEY).balance_eur


def generation_make(
    author, *, model: str, prompt: str = "A lighthouse on a cliff at dusk", **params
):
    from depicta_web.generations.submitting import FormParameters, generation_submit

    defaults = {"aspect_ratio": "3:2", "image_size": "1K", "strictness": ""}
    defaults.update(params)
    return generation_submit(
        author=author, params=FormParameters(prompt=prompt, model=model, **defaults)
    )


@pytest.fixture
def model_key(depicta):
    return depicta.list_models().models[0].key


@pytest.fixture
def queued_generation(alice, sandbox, model_key):
    return generation_make(alice, model=model_key)


@pytest.fixture
def done_generation(queued_generation):
    """A generation taken through the real pipeline against the sandbox."""
    from depicta_web.generations.tasks import generate_task

    generate_task.call(generation_id=str(queued_generation.pk))
    queued_generation.refresh_from_db()
    assert queued_generation.status == "done", queued_generation.error_message
    return queued_generation
