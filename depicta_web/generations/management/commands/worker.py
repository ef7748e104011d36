"""A task worker that first heals what a crash left behind, then runs `db_worker`.

django-tasks-db leaves a killed worker's task RUNNING forever and retries nothing, so every
worker start sweeps: generations stuck mid-flight are recovered from the API or requeued.
Arguments after `--` go to `db_worker` unchanged.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

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
        call_command("db_worker", *db_worker_args)
