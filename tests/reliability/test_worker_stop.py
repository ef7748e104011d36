"""A worker process asked to stop (SIGTERM, as systemd and `make run` ask) lets every one of its
claim loops finish the task in flight, takes no new one, and exits cleanly: nothing is left
half-sent for the sweeper."""

import time

import pytest

from depicta_web.generations.models import Generation

from ..conftest import ALL_DATABASES
from .audit import batch_audit

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


def test_a_stopped_worker_finishes_the_calls_of_all_its_loops_and_takes_no_more(
    settings, batch, fleet
):
    settings.DEPICTA_SANDBOX_FAULTS = "latency=1.5"
    generations = batch(6)
    fleet.loops = 2
    [worker] = fleet.start(1)
    deadline = time.monotonic() + 60
    while Generation.objects.filter(status=Generation.Status.GENERATING).count() < 2:
        assert time.monotonic() < deadline, "the two loops never had a call each in flight"
        time.sleep(0.05)

    worker.terminate()
    assert worker.wait(timeout=30) == 0

    statuses = dict(
        Generation.objects.filter(pk__in=[g.pk for g in generations]).values_list("pk", "status")
    )
    done = [pk for pk, status in statuses.items() if status == Generation.Status.DONE]
    assert len(done) >= 2  # both calls in flight were answered and copied
    assert len(done) < len(generations)  # and the loops took no new task after the stop
    # The rest were never started: still queued, nothing sent, nothing for the sweeper.
    assert set(statuses.values()) <= {Generation.Status.DONE, Generation.Status.QUEUED}
    audit = batch_audit(fault="stopped", generations=generations, api_key=settings.DEPICTA_API_KEY)
    assert audit.charged_jobs == len(done)
    assert audit.lost_images == []
    assert audit.double_charges == []
