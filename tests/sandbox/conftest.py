"""The sandbox over real HTTP: a live server, httpx clients holding named keys.

These fixtures set every sandbox setting they rely on and serve the sandbox's own URLconf,
so the tests here depend on nothing else in the project.
"""

import hashlib
from decimal import Decimal

import httpx
import pytest

from depicta_web.sandbox.accounts import account_for_key
from depicta_web.sandbox.models import SandboxAccount, SandboxJob

# Test modules mark themselves: pytest.mark.django_db(transaction=True, databases=...).
SANDBOX_DATABASES = ["default", "sandbox"]
KEY = "dpct_" + "alice" * 8 + "abc"  # dpct_ + 43 characters, like a real key
OTHER_KEY = "dpct_" + "bob00" * 8 + "xyz"
FAULTS_HEADER = "X-Sandbox-Faults"
JOB_HEADER = "X-Depicta-Job-Id"


@pytest.fixture(autouse=True)
def sandbox_settings(settings, tmp_path):
    settings.ROOT_URLCONF = "depicta_web.sandbox.standalone_urls"
    settings.DEPICTA_SANDBOX_KEYS = [KEY, OTHER_KEY]
    settings.DEPICTA_SANDBOX_STATE_DIR = tmp_path / "sandbox-state"
    settings.DEPICTA_SANDBOX_URL_TTL_SECONDS = 3600
    settings.DEPICTA_SANDBOX_START_BALANCE = "25.000000"
    settings.DEPICTA_SANDBOX_FAULTS_ENABLED = False
    settings.DEPICTA_SANDBOX_FAULTS = ""
    settings.DEPICTA_SANDBOX_MODELS_SHAPE = "documented"
    return settings


@pytest.fixture
def faults_on(sandbox_settings):
    """Faults switched on; assign `.DEPICTA_SANDBOX_FAULTS` for run-wide ones."""
    sandbox_settings.DEPICTA_SANDBOX_FAULTS_ENABLED = True
    return sandbox_settings


@pytest.fixture
def base_url(live_server):
    return f"{live_server.url}/sandbox"


def _client(base_url, key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


@pytest.fixture
def api(base_url):
    with _client(base_url, KEY) as client:
        yield client


@pytest.fixture
def other_api(base_url):
    with _client(base_url, OTHER_KEY) as client:
        yield client


@pytest.fixture
def anonymous(base_url):
    with _client(base_url) as client:
        yield client


@pytest.fixture
def account():
    return account_for_key(KEY)


def generate(client, *, headers=None, **fields):
    body = {"prompt": "a lighthouse on a cliff at dusk", "model": "flux-pro", **fields}
    return client.post("/v1/generate/image", json=body, headers=headers or {})


def download(url, **kwargs):
    response = httpx.get(url, timeout=30, **kwargs)
    return response, hashlib.sha256(response.content).hexdigest()


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["message"]
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert "details" in body
    return body


def set_balance(account, amount):
    SandboxAccount.objects.filter(pk=account.pk).update(balance_eur=Decimal(amount))


def job_make(account, *, status=SandboxJob.Status.PROCESSING, hold="0.045", **changes):
    """A job row as another request (or another process) would have left it."""
    fields = {
        "account": account,
        "request_id": "req_elsewhere",
        "status": status,
        "model": "flux-pro",
        "prompt": "a lighthouse",
        "aspect_ratio": "1:1",
        "image_size": "1K",
        "strictness": "normal",
        "hold_eur": Decimal(hold),
        **changes,
    }
    return SandboxJob.objects.create(**fields)
