"""A task worker process: a sweep that heals what a crash left behind, then claim loops.

    manage.py worker [--loops N] [--sweep-every S] [-- db_worker options]

N loops (threads; default 1) each claim and run one task at a time, as `db_worker` does; with
`--sweep-every` the sweeper runs beside them every S seconds (`make run` works that way).
django-tasks-db leaves a killed worker's task RUNNING forever and retries nothing, so every
worker start sweeps first. Options after `--` are db_worker's own (`--interval`,
`--queue-name`, `--worker-id`, …) and apply to every loop; loop n gets `<worker-id>-<n>`. Code
changes need a restart: db_worker's `--reload` is accepted but not used (a reload would kill
the tasks in flight). SIGINT or SIGTERM stop the loops once their tasks are done; a second
signal stops them at once (the sweeper recovers those tasks).
"""

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from depicta_web.generations.claim_loops import ClaimLoops, db_worker_options, malloc_gives_back
from depicta_web.generations.sweeper import generations_sweep


class Command(BaseCommand):
    help = "Sweep stuck generations, then run task claim loops (options after -- go to db_worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loops", type=int, default=1, help="tasks run at once (threads)")
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=0,
            help="also sweep every S seconds (0: only at start)",
        )
        parser.add_argument("db_worker_args", nargs="*", help="db_worker's options, after --")

    def handle(
        self, *args: Any, loops: int, sweep_every: float, db_worker_args: list[str], **options: Any
    ) -> None:
        if loops < 1:
            raise CommandError("--loops must be at least 1")
        worker = db_worker_options(db_worker_args, stdout=self.stdout)
        sweep_at_start(self.stdout)
        keep_sqlite_connections()
        malloc_gives_back()
        claim_loops = ClaimLoops(count=loops, sweep_every=sweep_every, **worker)
        stop_on_signals(claim_loops)
        claim_loops.start()
        while not claim_loops.join(timeout=0.5):
            pass
        if claim_loops.failure is not None:
            raise CommandError(f"a claim loop stopped: {claim_loops.failure!r}")


def stop_on_signals(claim_loops: ClaimLoops) -> None:
    """The first SIGINT/SIGTERM lets the tasks in flight finish; a second ends the process."""

    def shutdown(signum: int, frame: object) -> None:
        if claim_loops.stopping:
            raise SystemExit(1)
        claim_loops.stop()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, shutdown)


def sweep_at_start(stdout: Any) -> None:
    """Heal what a killed worker left before taking new work, and say so when there was any."""
    report = generations_sweep()
    if report:
        stdout.write(
            f"Sweep at start: requeued {len(report.requeued)}, recovering {len(report.recovering)}"
        )


def keep_sqlite_connections() -> None:
    """db_worker closes its connection after every look at an empty queue when CONN_MAX_AGE is
    0 (the SQLite default): half of an idle worker's CPU went to reopening the file. Each loop
    is one long-lived thread, so it keeps its SQLite connections (PostgreSQL's follow
    CONN_MAX_AGE)."""
    for alias in connections:
        if connections.settings[alias]["ENGINE"].endswith("sqlite3"):
            connections.settings[alias]["CONN_MAX_AGE"] = None
            connections[alias].close()  # the next use opens a connection that stays
