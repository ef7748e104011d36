"""`make run`'s own process: `manage.py studio` makes the demo logins, serves the studio, runs
the sandbox as a separate server, and its task loops take a prompt from the form to a stored
picture; Ctrl+C stops every child.

It runs on its own throwaway SQLite files (not the test database), as `make run` would on a
fresh laptop.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# The developer's own configuration must not leak into a laptop-style run.
NOT_INHERITED = ("DATABASE_URL", "DEPICTA_SANDBOX_DATABASE_URL", "DEPICTA_API_KEY", "MEDIA_ROOT")


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def _demo_password(log: Path, process: subprocess.Popen, seconds: float = 60) -> str:
    """The studio makes the demo logins itself and prints them before its announcement."""
    deadline = time.monotonic() + seconds
    while "Press Ctrl+C" not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    return re.search(r"designer login: demo / (\S+)", log.read_text()).group(1)


@pytest.fixture
def studio(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    web, sandbox = free_port(), free_port()
    env.update(
        DEPICTA_VAR_DIR=str(tmp_path),
        PORT=str(web),
        DEPICTA_SANDBOX_PORT=str(sandbox),
        DEPICTA_WORKERS="2",
        DEBUG="true",
    )
    for database in ("default", "sandbox"):
        subprocess.run([*MANAGE, "migrate", "-v0", "--database", database], env=env, check=True)
    log_path = tmp_path / "studio.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [*MANAGE, "studio"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        # The web server and the sandbox start side by side; either may answer first.
        wait_for_port(web, process, seconds=60)
        wait_for_port(sandbox, process, seconds=60)
        password = _demo_password(log_path, process)
        yield {"web": web, "sandbox": sandbox, "password": password, "process": process}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_the_studio_runs_the_sandbox_apart_and_takes_a_prompt_to_a_stored_picture(studio):
    base = f"http://127.0.0.1:{studio['web']}"
    # The sandbox is its own server on its own port, answering as Depicta would.
    health = httpx.get(f"http://127.0.0.1:{studio['sandbox']}/sandbox/health", timeout=5)
    assert health.status_code == 200

    with httpx.Client(base_url=base, timeout=30) as browser:
        login = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        browser.post(
            "/accounts/login/",
            data={"username": "demo", "password": studio["password"], "csrfmiddlewaretoken": token},
        )
        page = browser.get("/")
        assert page.status_code == 200  # not sent to the login page
        model = re.search(r'name="model"[^>]*>\s*<option value="([^"]+)"', page.text)
        csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1)
        card = browser.post(
            "/generations/new",
            data={
                "prompt": "A lighthouse on a cliff at dusk",
                "model": model.group(1) if model else "flux-schnell",
                "aspect_ratio": "1:1",
                "image_size": "1K",
                "strictness": "",
            },
            headers={"HX-Request": "true", "X-CSRFToken": csrf},
        )
        assert card.status_code == 200, card.text[:500]
        poll = re.search(r'hx-get="(/g/[^"]+/status\?[^"]+)"', card.text).group(1)
        poll = poll.replace("&amp;", "&")
        deadline = time.monotonic() + 60
        answer = browser.get(poll, headers={"HX-Request": "true"})
        while answer.status_code in (200, 204) and time.monotonic() < deadline:
            if answer.status_code == 200:  # the card changed: it carries its next poll URL
                poll = re.search(r'hx-get="([^"]+)"', answer.text).group(1).replace("&amp;", "&")
            time.sleep(0.3)
            answer = browser.get(poll, headers={"HX-Request": "true"})
        assert answer.status_code == 286, "the card never reached a final state"
        assert "status--done" in answer.text
        thumbnail = re.search(r'<img src="(/media/thumbs/[^"]+)"', answer.text).group(1)
        image = browser.get(thumbnail)
        assert image.status_code == 200
        assert image.content[:4] == b"RIFF"  # a WebP thumbnail from our own storage

    studio["process"].send_signal(signal.SIGINT)
    studio["process"].wait(timeout=30)
    deadline = time.monotonic() + 10
    while not (_refused(studio["web"]) and _refused(studio["sandbox"])):
        assert time.monotonic() < deadline, "a child of the studio outlived Ctrl+C"
        time.sleep(0.2)
