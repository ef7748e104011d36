"""The Depicta key never reaches a browser or a log: a whole day's use, every byte scanned."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from depicta_web.generations.models import Generation

from ..conftest import ALL_DATABASES
from ..processes import MANAGE, worker_env

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

API_KEY = "dpct_live_9c1e5b7a3f2d4e6a8b0c1d2e3f4a5b6c7d8e9f0a"
SECRET_PART = API_KEY.removeprefix("dpct_live_")


class Recorder:
    """Every response body and header the people below receive."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, client, method: str, url: str, data=None, **extra):
        call = client.get if method == "GET" else client.post
        response = call(url, data or {}, **extra)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace") + str(response.headers)
        self.seen.append((f"{method} {url} -> {response.status_code}", text))
        return response


@pytest.fixture
def live_key(sandbox, settings):
    """A production-looking key, accepted by the sandbox inside the live server."""
    settings.DEPICTA_SANDBOX_KEYS = [API_KEY]
    settings.DEPICTA_API_KEY = API_KEY
    return API_KEY


@pytest.fixture
def logged_workers(live_key, sandbox, tmp_path):
    """Two worker processes logging everything (DEBUG) to a file."""
    log = tmp_path / "workers.log"
    env = worker_env(base_url=sandbox, DEPICTA_SANDBOX_KEYS=API_KEY, LOG_LEVEL="DEBUG")
    command = [sys.executable, MANAGE, "worker", "--", "--interval", "0.1", "--no-reload"]
    with log.open("w") as sink:
        processes = [
            subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
    yield log
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=15)


def test_the_api_key_appears_in_no_response_and_no_log(
    client, alice, carol, live_key, logged_workers, caplog, django_user_model
):
    caplog.set_level(logging.DEBUG)
    carol.is_superuser = True
    carol.save()
    see = Recorder()
    see(client, "GET", reverse("login"))
    see(client, "POST", reverse("login"), {"username": "alice", "password": "wrong"})
    see(client, "POST", reverse("login"), {"username": "alice", "password": "alice-pass-123"})
    page = see(client, "GET", reverse("studio:index"))
    model = page.context["form"].fields["model"].choices[1][0]
    for prompt in ("A lighthouse at dusk", "A fox in the snow"):
        form = {"prompt": prompt, "model": model, "aspect_ratio": "1:1", "image_size": "1K"}
        see(client, "POST", reverse("studio:submit"), form, HTTP_HX_REQUEST="true")
    generations = list(Generation.objects.all())
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for generation in generations:
            see(client, "GET", reverse("generations:status", args=[generation.pk]))
        if all(g.is_final for g in Generation.objects.all()):
            break
        time.sleep(0.5)
    assert {g.status for g in Generation.objects.all()} == {"done"}

    for generation in generations:
        see(client, "GET", generation.get_absolute_url())
        image = generation.images.first()
        see(client, "GET", reverse("generations:media", args=[image.thumbnail]))
        see(
            client,
            "GET",
            reverse("generations:download", args=[generation.pk, image.position, "png"]),
        )
    for url in ("/gallery/", "/gallery/?q=lighthouse", "/gallery/trash/", "/gallery/collections/"):
        see(client, "GET", url)
    see(client, "GET", "/no-such-page/")
    see(client, "GET", reverse("spend:overview"))  # a designer's refusal

    client.force_login(carol)
    see(client, "POST", reverse("spend:sync"))  # calls Depicta's job list with the key
    for url in (
        reverse("spend:overview"),
        reverse("spend:generations"),
        reverse("spend:ledger"),
        reverse("spend:budgets"),
        reverse("spend:export", args=["generations"]),
        "/admin/",
        "/admin/generations/generation/",
        f"/admin/generations/generation/{generations[0].pk}/change/",
        "/admin/generations/imagefile/",
        "/admin/django_tasks_database/dbtaskresult/",
        "/admin/sandbox/sandboxaccount/",
        "/admin/sandbox/sandboxjob/",
    ):
        see(client, "GET", url)

    # The key was really used: the sandbox booked the charges on its account.
    from depicta_web.sandbox.accounts import account_for_key

    assert account_for_key(API_KEY).jobs.count() >= 2
    assert len(see.seen) > 30
    leaks = [where for where, text in see.seen if SECRET_PART in text]
    assert leaks == []
    assert SECRET_PART not in caplog.text
    worker_log = logged_workers.read_text()
    assert "generate_task state=SUCCESSFUL" in worker_log  # the workers did log
    assert SECRET_PART not in worker_log
