"""`make run`: the web server, the task workers and (inside the web server) the sandbox.

One process group: Ctrl+C stops every child. Each db_worker runs one task at a time and a task
holds it for Depicta's call and the copy after it, so there are more workers than API slots
(DEPICTA_WORKERS, default DEPICTA_MAX_IN_FLIGHT x 1.5): copies overlap with the next calls.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from depicta_web.lib.env import env_int


class Command(BaseCommand):
    help = "Run the web server and the task workers together until Ctrl+C."

    def handle(self, *args: object, **options: object) -> None:
        cap = settings.DEPICTA_MAX_IN_FLIGHT
        workers = env_int("DEPICTA_WORKERS", cap + (cap + 1) // 2, minimum=1)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        address = f"127.0.0.1:{settings.PORT}"
        commands = [[*manage, "runserver", address, "--noreload"]]
        commands += [
            [
                *manage,
                "worker",
                "--",
                "--interval",
                "0.2",
                "--no-reload",
                "--worker-id",
                f"studio-{os.getpid()}-{n}",
            ]
            for n in range(workers)
        ]
        # Each worker sweeps as it starts (healing a crash); this keeps watching after that.
        commands.append([*manage, "sweep_generations", "--every", "15"])
        children = [subprocess.Popen(cmd) for cmd in commands]  # noqa: S603
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
            f"  {workers} task workers; API: {api} at {settings.DEPICTA_BASE_URL}\n"
            "  Log in with a demo login printed above (designer: demo, admin: admin).\n"
            "  Press Ctrl+C to stop everything.\n"
        )


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
