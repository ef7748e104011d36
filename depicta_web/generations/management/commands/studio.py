"""`make run`: the web server, the task workers, the sweeper and the Depicta sandbox.

With no API key the sandbox runs as its own server process on DEPICTA_SANDBOX_PORT (default
PORT + 1), a peer reached over HTTP exactly as Depicta is, so its picture painting never
competes with the studio's pages inside one Python process. One process group: Ctrl+C stops
every child. Each db_worker runs one task at a time and a task holds it for Depicta's call and
the copy after it, so there are more workers than API slots (DEPICTA_WORKERS, default
DEPICTA_MAX_IN_FLIGHT x 1.5): copies overlap with the next calls.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from depicta_web.lib.env import env_int


class Command(BaseCommand):
    help = "Run the web server and the task workers together until Ctrl+C."

    def handle(self, *args: object, **options: object) -> None:
        cap = settings.DEPICTA_MAX_IN_FLIGHT
        workers = env_int("DEPICTA_WORKERS", cap + (cap + 1) // 2, minimum=1)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        address = f"127.0.0.1:{settings.PORT}"
        env, children = dict(os.environ), []
        self.base_url = settings.DEPICTA_BASE_URL
        if settings.DEPICTA_USES_SANDBOX and not os.environ.get("DEPICTA_BASE_URL"):
            port = env_int("DEPICTA_SANDBOX_PORT", settings.PORT + 1, minimum=1)
            self.base_url = env["DEPICTA_BASE_URL"] = f"http://127.0.0.1:{port}/sandbox"
            # Depicta paints on its own machines: on a laptop its stand-in yields the CPU to
            # the studio's pages and copies (its latency is the job's whole time, so painting
            # a little later still answers on time).
            sandbox = subprocess.Popen(  # noqa: S603
                [*manage, "run_sandbox", "--port", str(port), "--nice", "10"]
            )
            children.append(sandbox)
            if not _listening(port, sandbox):
                _stop(children)
                raise CommandError(f"The Depicta sandbox did not start on 127.0.0.1:{port}.")
        commands = [[*manage, "runserver", address, "--noreload"]]
        commands += [
            [
                *manage,
                "worker",
                "--",
                "--interval",
                "0.5",
                "--no-reload",
                "--worker-id",
                f"studio-{os.getpid()}-{n}",
            ]
            for n in range(workers)
        ]
        # Each worker sweeps as it starts (healing a crash); this keeps watching after that.
        commands.append([*manage, "sweep_generations", "--every", "15"])
        children += [subprocess.Popen(cmd, env=env) for cmd in commands]  # noqa: S603
        self._announce(address, workers)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A child process stopped; stopping the others.")
        except KeyboardInterrupt:
            pass
        finally:
            _stop(children)

    def _announce(self, address: str, workers: int) -> None:
        api = "the bundled Depicta sandbox" if settings.DEPICTA_USES_SANDBOX else "Depicta"
        self.stdout.write(
            f"\n  depicta-web studio: http://{address}/\n"
            f"  {workers} task workers; API: {api} at {self.base_url}\n"
            "  Log in with a demo login printed above (designer: demo, admin: admin).\n"
            "  Press Ctrl+C to stop everything.\n"
        )


def _listening(port: int, process: subprocess.Popen, seconds: float = 30.0) -> bool:
    """Wait for the sandbox: the studio's model list and the first calls need it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(children: list[subprocess.Popen], grace_seconds: float = 10.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace_seconds
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
