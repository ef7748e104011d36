"""`manage.py run_sandbox`: the sandbox alone, in its own process, with its own database."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings

from ..processes import free_port
from .conftest import KEY


@pytest.fixture
def standalone(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DEPICTA_VAR_DIR": str(tmp_path / "var"),
        "DEPICTA_SANDBOX_KEYS": KEY,
        "DEPICTA_SANDBOX_FAULTS_ENABLED": "true",
        "DATABASE_URL": "",
        "DEPICTA_SANDBOX_DATABASE_URL": "",
    }
    log = tmp_path / "sandbox.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_sandbox"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/sandbox/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"run_sandbox did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield base, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_sandbox_serves_alone_and_logs_no_secret(standalone):
    base, log = standalone
    with httpx.Client(base_url=f"{base}/sandbox", timeout=30) as api:
        api.headers["Authorization"] = f"Bearer {KEY}"
        answer = api.post("/v1/generate/image", json={"prompt": "a pier", "model": "schnell"})
        assert answer.status_code == 200, answer.text
        assert httpx.get(answer.json()["image_url"], timeout=30).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            api.post(
                "/v1/generate/image",
                json={"prompt": "a pier", "model": "schnell"},
                headers={"X-Sandbox-Faults": "lost_response=1"},
            )
        assert api.get("/v1/jobs").json()["total"] == 2
    assert httpx.get(f"{base}/admin/", timeout=5).status_code == 404  # only /sandbox/ is served
    time.sleep(0.2)
    text = log.read_text()
    assert "GET /sandbox/files/" in text
    assert "sig=[redacted]" in text
    signature = answer.json()["image_url"].split("sig=")[1]
    assert signature not in text
    assert KEY not in text
