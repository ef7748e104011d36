"""`make run`: the web server, the task workers, the sweeper and the Depicta sandbox.

Three processes. The web server and, with no API key, the sandbox (a peer reached over HTTP on
DEPICTA_SANDBOX_PORT, default PORT + 1, exactly as Depicta is) are children; this process runs
the task workers itself: DEPICTA_WORKERS claim loops (threads, default DEPICTA_MAX_IN_FLIGHT x
1.5, so copies overlap with the next calls) and the sweeper beside them. A task waits on
Depicta's call and the downloads nearly all its time, so threads do what a process each did,
for a fraction of the memory and start-up (docs/decisions.md, "Workers"). One process group:
Ctrl+C stops everything; when a child or a loop stops, the rest stop too.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from depicta_web.generations.claim_loops import ClaimLoops, db_worker_options, malloc_gives_back
from depicta_web.lib.env import env_int

from .worker import keep_sqlite_connections, sweep_at_start

# make run's sweeper period; every start also sweeps once, healing a crash of the last run.
SWEEP_EVERY_SECONDS = 15
# An idle loop looks at the queue this often (a new task waits at most that long).
QUEUE_INTERVAL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Run the web server, the sandbox and the task workers together until Ctrl+C."
    sandbox_port: int | None = None

    def handle(self, *args: object, **options: object) -> None:
        cap = settings.DEPICTA_MAX_IN_FLIGHT
        loops = env_int("DEPICTA_WORKERS", cap + (cap + 1) // 2, minimum=1)
        env = dict(os.environ)
        malloc_gives_back(env)  # the children's too
        if settings.DEPICTA_USES_SANDBOX and not os.environ.get("DEPICTA_BASE_URL"):
            self.sandbox_port = env_int("DEPICTA_SANDBOX_PORT", settings.PORT + 1, minimum=1)
            env["DEPICTA_BASE_URL"] = f"http://127.0.0.1:{self.sandbox_port}/sandbox"
            # This process's own loops call the sandbox too.
            settings.DEPICTA_BASE_URL = env["DEPICTA_BASE_URL"]
        self.children: list[subprocess.Popen] = []
        self.claim_loops: ClaimLoops | None = None
        # From the start: a SIGTERM while starting must stop the children too.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            claim_loops = self._start(env, loops)
            while claim_loops.alive and all(child.poll() is None for child in self.children):
                time.sleep(0.5)
            self.stderr.write("A child process or a task loop stopped; stopping the others.")
        except KeyboardInterrupt:
            pass
        finally:
            _stop(self.children, self.claim_loops)

    def _start(self, env: dict[str, str], loops: int) -> ClaimLoops:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        address = f"127.0.0.1:{settings.PORT}"
        # Started first, and both at once: the page is what a person waits for. `make run` has
        # just migrated both databases.
        self.children.append(_spawn([*manage, "runserver", address, "--noreload"], env))
        if self.sandbox_port:
            # Depicta paints on its own machines: on a laptop its stand-in yields the CPU to
            # the studio's pages and copies (its latency is the job's whole time, so painting
            # a little later still answers on time).
            sandbox = [*manage, "run_sandbox", "--port", str(self.sandbox_port), "--no-migrate"]
            self.children.append(_spawn([*sandbox, "--nice", "10"], env))
        # Here rather than in a process of its own before this one: that was a third Django
        # start-up (and, on a fresh laptop, two password hashes) before the page could answer.
        call_command("ensure_demo_user", stdout=self.stdout)
        self.claim_loops = self._start_workers(loops)
        if self.sandbox_port and not _listening(self.sandbox_port, self.children[-1]):
            raise CommandError(
                f"The Depicta sandbox did not start on 127.0.0.1:{self.sandbox_port}."
            )
        self._announce(address, loops)
        return self.claim_loops

    def _start_workers(self, loops: int) -> ClaimLoops:
        sweep_at_start(self.stdout)
        keep_sqlite_connections()
        worker = db_worker_options(
            ["--interval", str(QUEUE_INTERVAL_SECONDS), "--worker-id", f"studio-{os.getpid()}"],
            stdout=self.stdout,
        )
        claim_loops = ClaimLoops(count=loops, sweep_every=SWEEP_EVERY_SECONDS, **worker)
        claim_loops.start()
        return claim_loops

    def _announce(self, address: str, loops: int) -> None:
        api = "the bundled Depicta sandbox" if settings.DEPICTA_USES_SANDBOX else "Depicta"
        self.stdout.write(
            f"\n  depicta-web studio: http://{address}/\n"
            f"  {loops} task workers; API: {api} at {settings.DEPICTA_BASE_URL}\n"
            "  Log in with a demo login printed above (designer: demo, admin: admin).\n"
            "  Press Ctrl+C to stop everything.\n"
        )
        self.stdout.flush()  # also when make run's output goes to a file or a pipe


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=env)  # noqa: S603 (our own manage.py)


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


def _stop(
    children: list[subprocess.Popen], claim_loops: ClaimLoops | None, grace_seconds: float = 10.0
) -> None:
    """Ctrl+C: the children stop, and the loops finish their tasks, for up to the grace period;
    then what is left is killed (a task cut short is recovered at the next start)."""
    if claim_loops is not None:
        claim_loops.stop()
    for child in children:
        if child.poll() is None:
            # SIGTERM, not SIGINT: a studio started in the background has SIGINT ignored, and
            # so have its children.
            child.terminate()
    deadline = time.monotonic() + grace_seconds
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    if claim_loops is not None:
        claim_loops.join(timeout=max(0.0, deadline - time.monotonic()))
