"""Throughput and card latency: 100 generations through `manage.py studio`, sandbox at 2 s.

    .venv/bin/python bench/throughput.py [--count 100] [--latency 2] [--cap 10] [--draft]

Starts the studio (web server, the sandbox as its own server, the workers, the sweeper) on a free
port with its own throwaway databases and media, submits the batch the way the submit view
does (`generation_submit`), and reports:
- first submit → last stored thumbnail, against the ideal count / cap x latency;
- Depicta's answer → the thumbnail visible on a card polled like the browser does (a GET of
  the card's status URL every DEPICTA_POLL_SECONDS), for a sample of cards;
- the studio's processes and their resident memory (/proc) once the batch is stored.
The sandbox paints its full pictures (about 0.1 CPU-s each, on the same cores: work Depicta
does on its own machines); --draft makes them cheaper still. Loopback only; it stops
everything it started and removes its files.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proctree import tree_cpu_seconds, tree_memory  # noqa: E402 (bench/ is the script's dir)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(var_dir: str, port: int, latency: float, cap: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "depicta_web.settings",
        "DEPICTA_VAR_DIR": var_dir,
        "PORT": str(port),
        "DEPICTA_SANDBOX_PORT": str(_free_port()),  # `studio` runs the sandbox on its own
        "DEPICTA_MAX_IN_FLIGHT": str(cap),
        "DEPICTA_SANDBOX_FAULTS_ENABLED": "true",
        "DEPICTA_SANDBOX_FAULTS": f"latency={latency}",
        "DEPICTA_SANDBOX_START_BALANCE": "1000.000000",
    }


def _wait_until_up(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def _wait_until_quiet(root: int, timeout: float = 90) -> None:
    """Until the studio's processes have started (Django set-up, the demo logins, the start-up
    sweep): less than half a core busy over a second. A running studio is measured, not one
    still booting."""
    deadline = time.monotonic() + timeout
    before = tree_cpu_seconds(root)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = tree_cpu_seconds(root)
        if now - before < 0.5:
            return
        before = now
    raise SystemExit("the studio did not settle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--cap", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="default: as `make run`")
    parser.add_argument("--draft", action="store_true", help="the sandbox's draft pictures")
    parser.add_argument("--sample", type=int, default=20, help="cards polled like a browser")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="depicta-bench-")
    port = _free_port()
    env = _environment(var_dir, port, args.latency, args.cap)
    if args.workers:
        env["DEPICTA_WORKERS"] = str(args.workers)
    env["DEPICTA_SANDBOX_DRAFT_RENDER"] = "true" if args.draft else "false"
    os.environ.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for database in ("default", "sandbox"):
        subprocess.run([*manage, "migrate", "-v0", "--database", database], env=env, check=True)
    studio = subprocess.Popen(
        [*manage, "studio"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{env['DEPICTA_SANDBOX_PORT']}/sandbox/health")
        _wait_until_up(f"http://127.0.0.1:{port}/accounts/login/")
        _wait_until_quiet(studio.pid)  # the workers' own start-up (Django, the start-up sweep)
        report = _run(args, studio.pid)
    finally:
        studio.terminate()  # SIGINT is ignored when the bench runs in the background
        studio.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)  # databases and ~130 MB of media
    print(report)


def _run(args: argparse.Namespace, studio: int) -> str:
    import django
    import httpx

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from depicta_web.generations.models import Generation
    from depicta_web.generations.submitting import FormParameters, generation_submit

    user = get_user_model().objects.create_user("bench", password=secrets.token_urlsafe())
    params = FormParameters(
        prompt="", model="flux-schnell", aspect_ratio="1:1", image_size="1K", strictness=""
    )
    started = time.time()
    generations = [
        generation_submit(
            author=user,
            params=FormParameters(**{**params.__dict__, "prompt": f"Bench #{n}: a harbour"}),
        )
        for n in range(args.count)
    ]
    sample = [g.pk for g in generations[:: max(1, args.count // args.sample)]]
    # A browser's session: each sampled card polls the running server over HTTP on its own
    # clock, as htmx does, until its thumbnail shows.
    login = Client()
    login.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: login.cookies[settings.SESSION_COOKIE_NAME].value}
    poll = settings.DEPICTA_POLL_SECONDS
    shown: dict = {}

    def card(pk) -> None:
        url = reverse("generations:status", args=[pk])
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.PORT}", cookies=cookies) as web:
            while True:
                asked = time.monotonic()
                body = web.get(url, headers={"HX-Request": "true"}, timeout=30)
                if "thumbs/" in body.text:
                    shown[pk] = time.time()
                    return
                time.sleep(max(0.0, poll - (time.monotonic() - asked)))

    cards = [threading.Thread(target=card, args=(pk,)) for pk in sample]
    for thread in cards:
        thread.start()
    while Generation.objects.exclude(status__in=Generation.FINAL_STATUSES).exists():
        time.sleep(0.5)
    memory = tree_memory(studio)  # what `make run` holds once it has made the batch
    for thread in cards:
        thread.join(timeout=60)
    rows = Generation.objects.filter(pk__in=[g.pk for g in generations])
    done = rows.filter(status=Generation.Status.DONE)
    last = max(g.finished_at for g in rows).timestamp()
    elapsed = last - started
    ideal = args.count / args.cap * args.latency
    answer_to_card = [
        seen - Generation.objects.get(pk=pk).responded_at.timestamp() for pk, seen in shown.items()
    ]
    answer_to_stored = [(g.finished_at - g.responded_at).total_seconds() for g in done]
    return "\n".join(
        [
            f"generations: {args.count} (done {done.count()}), cap {args.cap}, "
            f"sandbox latency {args.latency:g} s, poll every {poll:g} s, "
            f"{'draft' if args.draft else 'full'} sandbox pictures",
            f"first submit -> last thumbnail: {elapsed:.1f} s "
            f"(ideal {ideal:.1f} s, ratio {elapsed / ideal:.2f}, goal <= 1.25)",
            "answer -> every format stored: median "
            f"{statistics.median(answer_to_stored):.2f} s, max {max(answer_to_stored):.2f} s",
            f"answer -> thumbnail on a polling card ({len(answer_to_card)} cards): median "
            f"{statistics.median(answer_to_card):.2f} s, "
            f"90th percentile {statistics.quantiles(answer_to_card, n=10)[-1]:.2f} s, "
            f"max {max(answer_to_card):.2f} s "
            f"(goal <= poll + 0.5 = {poll + 0.5:.1f} s)",
            f"studio process tree after the batch: {memory}",
        ]
    )


if __name__ == "__main__":
    main()
