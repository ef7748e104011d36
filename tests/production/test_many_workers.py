"""Several worker processes, each with several claim loops, share one queue and one cap on
calls in flight.

On PostgreSQL (the .ci/run pass) the loops claim tasks with SELECT … FOR UPDATE SKIP LOCKED; on
SQLite with exclusive transactions. Either way: no task runs twice, no generation is sent
twice, every loop of every process takes a share, and never more calls than
DEPICTA_MAX_IN_FLIGHT are open at the sandbox at once.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from depicta_web.sandbox.models import SandboxJob

from ..conftest import ALL_DATABASES
from ..processes import WorkerPool, worker_env
from ..reliability.audit import batch_audit, generations_wait_final

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

PROCESSES = 2
LOOPS = 3  # claim loops (threads) per worker process
CAP = 2
GENERATIONS = 30  # enough work that a loop slow to start under load still gets a share


def _most_at_once(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_now = most = 0
    for _, step in events:
        open_now += step
        most = max(most, open_now)
    return most


def test_loops_in_two_workers_share_the_queue_and_the_cap_and_run_nothing_twice(
    faulty_sandbox, batch, settings
):
    settings.DEPICTA_MAX_IN_FLIGHT = CAP
    settings.DEPICTA_SANDBOX_FAULTS = "latency=0.4-0.8"  # calls overlap
    generations = batch(GENERATIONS)
    pool = WorkerPool(worker_env(base_url=faulty_sandbox), loops=LOOPS)
    started = time.monotonic()
    pool.start(PROCESSES)
    try:
        generations_wait_final([g.pk for g in generations], timeout=180)
    finally:
        pool.stop()
    elapsed = time.monotonic() - started

    audit = batch_audit(
        fault="two workers", generations=generations, api_key=settings.DEPICTA_API_KEY
    )
    assert audit.problems() == []
    assert audit.done == GENERATIONS, audit.statuses
    # Each generation reached Depicta exactly once.
    assert SandboxJob.objects.count() == GENERATIONS

    tasks = list(DBTaskResult.objects.all())
    assert tasks
    assert all(task.status == "SUCCESSFUL" for task in tasks), [t.status for t in tasks]
    assert all(len(task.worker_ids) == 1 for task in tasks)  # claimed once, run once
    assert len({task.worker_ids[0] for task in tasks}) == PROCESSES * LOOPS  # all took a share

    calls = [
        (job.started_at.timestamp(), job.completed_at.timestamp())
        for job in SandboxJob.objects.all()
    ]
    assert _most_at_once(calls) <= CAP
    assert _most_at_once(calls) == CAP  # the cap was reached: the workers did overlap
    print(
        f"{GENERATIONS} generations, {PROCESSES} x {LOOPS} loops on {connection.vendor}: "
        f"{elapsed:.1f} s"
    )


def test_a_task_locked_by_one_worker_is_skipped_not_waited_for_on_postgresql(alice):
    """What several workers rely on: a claimed row is passed over at once, not queued behind."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; .ci/run runs this pass on PostgreSQL")
    from depicta_web.generations.tasks import generate_task

    first = generate_task.enqueue(generation_id="00000000-0000-0000-0000-000000000001")
    second = generate_task.enqueue(generation_id="00000000-0000-0000-0000-000000000002")
    held = threading.Event()
    release = threading.Event()

    def other_worker():
        with transaction.atomic():
            claimed = DBTaskResult.objects.ready().order_by("enqueued_at").get_locked()
            assert str(claimed.id) == first.id
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            mine = DBTaskResult.objects.ready().order_by("enqueued_at").get_locked()
        assert str(mine.id) == second.id
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        thread.join()
