"""A task worker that first heals what a crash left behind, then runs `db_worker`.

django-tasks-db leaves a killed worker's task RUNNING forever and retries nothing, so every
worker start sweeps: generations stuck mid-flight are recovered from the API or requeued.
Arguments after `--` go to `db_worker` unchanged.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from depicta_web.generations.sweeper import generations_sweep


class Command(BaseCommand):
    help = "Sweep stuck generations, then run a db_worker (options after -- go to db_worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("db_worker_args", nargs="*", help="passed on to db_worker")

    def handle(self, *args: Any, db_worker_args: list[str], **options: Any) -> None:
        report = generations_sweep()
        if report:
            self.stdout.write(
                f"Sweep at start: requeued {len(report.requeued)}, "
                f"recovering {len(report.recovering)}"
            )
        _keep_sqlite_connections()
        call_command("db_worker", *db_worker_args)


def _keep_sqlite_connections() -> None:
    """db_worker closes its connection after every look at an empty queue when CONN_MAX_AGE is
    0 (the SQLite default): half of an idle worker's CPU went to reopening the file. A worker
    is one long-lived thread, so it keeps its SQLite connections (PostgreSQL's follow
    CONN_MAX_AGE)."""
    for alias in connections:
        if connections.settings[alias]["ENGINE"].endswith("sqlite3"):
            connections.settings[alias]["CONN_MAX_AGE"] = None
            connections[alias].close()  # the next use opens a connection that stays
