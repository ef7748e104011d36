import time

from django.core.management.base import BaseCommand

from depicta_web.generations.sweeper import generations_sweep


class Command(BaseCommand):
    help = "Set stuck generations going again (once, or every N seconds with --every)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds.")

    def handle(self, *args: object, every: float, verbosity: int, **options: object) -> None:
        while True:
            report = generations_sweep()
            if report or verbosity > 1:
                self.stdout.write(
                    f"requeued {len(report.requeued)}, recovering {len(report.recovering)}"
                )
            if not every:
                return
            time.sleep(every)
