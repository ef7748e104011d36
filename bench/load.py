"""Load: 50 designers submitting, polling and browsing for 60 s against a production-like setup.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--web 3] [--workers 6]

Loopback only, and it stops by itself. Without a PostgreSQL DATABASE_URL it re-runs itself
under .ci/with-postgres (a throwaway server). It starts, with DEBUG=false (the production
profile, SSL redirect off since there is no TLS proxy on loopback):
- the studio under gunicorn (`--web` processes x 8 threads), static files by whitenoise;
- the Depicta sandbox as a separate gunicorn (2 processes), answering in 1-3 s;
- one task worker process (`manage.py worker`) with `--workers` claim loops and the sweeper.
Then each simulated designer opens the studio, submits a prompt every 8-20 s, polls each of
its cards every second (its `hx-get` URL: version and poll token, as htmx does) until final,
and opens the gallery or an image now and then. Any answer other than 200/204/286/302, and
any transport error, counts as an error. After the run, with the workers stopped and one
generation left queued, it compares the requests/s of the poll endpoint (nothing changed: 204)
with a bare view's (no database) and a bare logged-in view's (session and user only), same
server. Exit status 0 only with zero errors and the poll at 70% of the bare view or more.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
OK = {200, 204, 286, 302}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing on port {port}")


def _env(var_dir: str, web_port: int, sandbox_port: int) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DEPICTA_", "DJANGO_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEPICTA_VAR_DIR": var_dir,
        "DEPICTA_BASE_URL": f"http://127.0.0.1:{sandbox_port}/sandbox",
        "DEPICTA_SANDBOX_ENABLED": "true",
        "DEPICTA_SANDBOX_FAULTS_ENABLED": "true",
        "DEPICTA_SANDBOX_FAULTS": "latency=1-3",
        "DEPICTA_SANDBOX_START_BALANCE": "100000.000000",
        "DEPICTA_IMAGE_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


SETUP = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
out = {}
for n in range(USERS):
    user = get_user_model().objects.create_user(f"designer{n}", password=None)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out[user.username] = session.session_key
print("SESSIONS" + json.dumps(out))
"""


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: Counter = Counter()
        self.kinds: Counter = Counter()
        self.errors: list[str] = []

    def add(self, kind: str, code: int | str, where: str) -> None:
        with self.lock:
            self.codes[code] += 1
            self.kinds[kind] += 1
            if code not in OK and len(self.errors) < 20:
                self.errors.append(f"{kind} {where}: {code}")

    @property
    def error_count(self) -> int:
        return sum(n for code, n in self.codes.items() if code not in OK)


class Designer(threading.Thread):
    def __init__(self, base: str, session: str, stop_at: float, tally: Tally, seed: int):
        super().__init__(daemon=True)
        import httpx

        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.cookies = {"sessionid": session}
        self.stop_at = stop_at
        self.tally = tally
        self.random = random.Random(seed)
        self.cards: dict[str, str] = {}  # status URL (version, poll token) -> card id
        self.done: list[str] = []
        self.csrf = ""

    def _get(self, kind: str, url: str, **kw):
        return self._call(kind, "GET", url, **kw)

    def _call(self, kind: str, method: str, url: str, **kw):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers.update(kw.pop("headers", {}))
        try:
            response = self.http.request(method, url, headers=headers, **kw)
        except Exception as exc:  # every failure counts as an error
            self.tally.add(kind, type(exc).__name__, url)
            return None
        for cookie in response.headers.get_list("set-cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        self.tally.add(kind, response.status_code, url)
        return response

    def run(self) -> None:
        page = self._get("studio", "/")
        if page is None or page.status_code != 200:
            return
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1)
        next_submit = time.monotonic() + self.random.uniform(0, 8)
        next_browse = time.monotonic() + self.random.uniform(3, 10)
        while time.monotonic() < self.stop_at:
            now = time.monotonic()
            if now >= next_submit:
                self._submit()
                next_submit = now + self.random.uniform(8, 20)
            if now >= next_browse:
                self._browse()
                next_browse = now + self.random.uniform(5, 12)
            self._poll()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))

    def _submit(self) -> None:
        form = {
            "prompt": f"A lighthouse on a cliff at dusk, study {self.random.randint(1, 10**6)}",
            "model": "flux-schnell",
            "aspect_ratio": "1:1",
            "image_size": "1K",
            "strictness": "",
        }
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf}
        response = self._call("submit", "POST", "/generations/new", data=form, headers=headers)
        if response is not None and response.status_code == 200:
            for url in re.findall(r'hx-get="(/g/[^"]+/status\?u=[^"]+)"', response.text):
                self.cards[url.replace("&amp;", "&")] = url.split("/")[2]

    def _poll(self) -> None:
        for url in list(self.cards):
            response = self._get("poll", url, headers={"HX-Request": "true"})
            if response is None or response.status_code == 204:
                continue
            generation = self.cards.pop(url)
            if response.status_code == 286:
                self.done.append(generation)
            elif response.status_code == 200:
                for fresh in re.findall(r'hx-get="(/g/[^"]+/status\?u=[^"]+)"', response.text):
                    self.cards[fresh.replace("&amp;", "&")] = generation

    def _browse(self) -> None:
        choice = self.random.random()
        if choice < 0.4:
            self._get("gallery", "/gallery/")
        elif choice < 0.6:
            self._get("gallery", "/gallery/?q=lighthouse")
        elif choice < 0.8 and self.done:
            self._get("detail", f"/g/{self.random.choice(self.done)}/")
        else:
            self._get("studio", "/")


def _hammer(args: tuple[int, str, str, float, int]) -> int:
    """One client process: `threads` keep-alive connections GETting `path` until the deadline."""
    port, path, cookie, until, threads = args
    counts = [0] * threads
    # The poll is measured on its cheap answer only: a card that changed (200) would not count.
    expected = (204,) if "/status?" in path else (200,)

    def loop(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie, "HX-Request": "true"}
        while time.monotonic() < until:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status not in expected:
                raise SystemExit(f"{path}: {response.status}")
            counts[slot] += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)


def requests_per_second(port: int, path: str, cookie: str, seconds: float) -> float:
    processes, threads = 2, 6
    until = time.monotonic() + seconds
    with multiprocessing.Pool(processes) as pool:
        totals = pool.map(_hammer, [(port, path, cookie, until, threads)] * processes)
    return sum(totals) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web", type=int, default=3, help="gunicorn processes for the studio")
    parser.add_argument("--workers", type=int, default=6, help="task claim loops")
    parser.add_argument("--compare-seconds", type=float, default=10)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.execv(str(ROOT / ".ci" / "with-postgres"), ["with-postgres", PY, *sys.argv])  # noqa: S606

    var_dir = tempfile.mkdtemp(prefix="depicta-load-")
    web_port, sandbox_port = _free_port(), _free_port()
    env = _env(var_dir, web_port, sandbox_port)
    manage = [PY, str(ROOT / "manage.py")]
    for database in ("default", "sandbox"):
        subprocess.run(
            [*manage, "migrate", "--noinput", "--database", database],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    subprocess.run(
        [*manage, "collectstatic", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP.replace("USERS", str(options.users))],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    sessions = json.loads(setup.stdout.split("SESSIONS", 1)[1])

    log = open(Path(var_dir) / "servers.log", "w")  # noqa: SIM115
    children: list[subprocess.Popen] = []

    def start(command: list[str], extra: dict[str, str] | None = None) -> subprocess.Popen:
        child = subprocess.Popen(
            command, env={**env, **(extra or {})}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        children.append(child)
        return child

    gunicorn = [GUNICORN, "--worker-class", "gthread", "--threads", "8", "--keep-alive", "5"]
    web = start(
        [
            *gunicorn,
            "--workers",
            str(options.web),
            "--bind",
            f"127.0.0.1:{web_port}",
            "depicta_web.wsgi",
        ]
    )
    sandbox = start(
        [
            *gunicorn,
            "--workers",
            "2",
            "--threads",
            "16",
            "--bind",
            f"127.0.0.1:{sandbox_port}",
            "depicta_web.wsgi",
        ],
        {"LOAD_URLCONF": "depicta_web.sandbox.standalone_urls"},
    )
    worker = [*manage, "worker", "--loops", str(options.workers), "--sweep-every", "15"]
    workers = [start([*worker, "--", "--interval", "0.2", "--no-reload"])]
    try:
        _wait(web_port, web)
        _wait(sandbox_port, sandbox)
        base = f"http://127.0.0.1:{web_port}"
        tally = Tally()
        designers = [
            Designer(base, key, 0, tally, seed=n) for n, key in enumerate(sessions.values())
        ]
        started = time.monotonic()
        for designer in designers:
            designer.stop_at = started + options.seconds  # the run starts now, for everyone
            designer.start()
        for designer in designers:
            designer.join()
        elapsed = time.monotonic() - started
        total = sum(tally.codes.values())
        finished = sum(len(d.done) for d in designers)
        print(
            f"load: {options.users} designers, {elapsed:.0f} s, {total} requests "
            f"({total / elapsed:.0f}/s), errors: {tally.error_count}"
        )
        print(f"  by kind: {dict(tally.kinds)}")
        print(f"  by status: {dict(tally.codes)}")
        print(f"  generations submitted: {tally.kinds['submit']}, seen final: {finished}")
        for line in tally.errors:
            print(f"  error: {line}")

        # The poll endpoint against a bare view: workers stopped, one generation left queued.
        for child in workers:
            child.send_signal(signal.SIGINT)
        for child in workers:
            child.wait(timeout=30)
        waiting = Designer(base, next(iter(sessions.values())), 0, Tally(), seed=0)
        waiting.run()  # loads the studio (CSRF token) and stops: stop_at is past
        waiting._submit()
        poll = next(iter(waiting.cards))
        cookie = "; ".join(f"{k}={v}" for k, v in waiting.cookies.items())
        paths = {"bare": "/bare", "bare-login": "/bare-login", "poll": poll}
        rates: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(2):
            for name, path in paths.items():
                rates[name].append(
                    requests_per_second(web_port, path, cookie, options.compare_seconds)
                )
        mean = {name: sum(runs) / len(runs) for name, runs in rates.items()}
        bare, polled = mean["bare"], mean["poll"]
        seconds = options.compare_seconds
        print(f"compare ({options.web} web processes x 8 threads, 2 x {seconds:.0f} s each):")
        for name, runs in rates.items():
            print(f"  {name:10} {mean[name]:6.0f} req/s (runs {[round(r) for r in runs]})")
        print(
            f"  poll / bare: {100 * polled / bare:.0f}%, "
            f"poll / bare-login: {100 * polled / mean['bare-login']:.0f}%"
        )
        ok = tally.error_count == 0 and polled >= 0.7 * bare
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        log.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
