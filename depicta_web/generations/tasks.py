"""Thin tasks: load by id, call one pipeline function, schedule the follow-up it returns.

The generation's own status is the source of truth, so a task that runs twice, or not at all,
is healed by the sweeper. `task_schedule` is the one place any task is enqueued.
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from .recovering import generation_recover
from .running import generation_run
from .scheduling import FollowUp, Work

# Ahead of every waiting submit: a job Depicta may have charged for is found (and its URLs used)
# before new work starts, and while it is still near the top of the job list.
URGENT = 50


@task()
def generate_task(generation_id: str) -> None:
    follow_up = generation_run(generation_id=generation_id)
    if follow_up is not None:
        task_schedule(follow_up, generation_id=generation_id)


@task(priority=URGENT)
def recover_task(generation_id: str) -> None:
    follow_up = generation_recover(generation_id=generation_id)
    if follow_up is not None:
        task_schedule(follow_up, generation_id=generation_id)


TASKS = {Work.GENERATE: generate_task, Work.RECOVER: recover_task}


def task_schedule(follow_up: FollowUp, *, generation_id: str) -> None:
    """Enqueue the work, after its delay; urgent work goes ahead of new submits."""
    chosen = TASKS[follow_up.work]
    if follow_up.delay_seconds is not None:
        chosen = chosen.using(run_after=timezone.now() + timedelta(seconds=follow_up.delay_seconds))
    if follow_up.urgent:
        chosen = chosen.using(priority=URGENT)
    chosen.enqueue(generation_id=generation_id)
