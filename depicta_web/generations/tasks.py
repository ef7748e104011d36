"""Thin tasks: load by id, call one pipeline function. The generation's own status is the
source of truth, so a task that runs twice, or not at all, is healed by the sweeper."""

from django.tasks import task

from . import pipeline


@task()
def generate_task(generation_id: str) -> None:
    pipeline.generation_run(generation_id=generation_id)


# Ahead of every waiting submit: a job Depicta may have charged for is found (and its URLs used)
# before new work starts, and while it is still near the top of the job list.
URGENT = 50


@task(priority=URGENT)
def recover_task(generation_id: str) -> None:
    pipeline.generation_recover(generation_id=generation_id)
