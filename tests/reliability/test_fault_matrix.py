"""The fault matrix: a batch of generations per fault, real worker processes, the real sandbox.

Each batch must end with every generation final, every charged job adopted by exactly one
generation whose originals are in storage and hash to the sandbox's own record, as many charges
as done generations, no request accepted twice for one generation, and the app's balance equal
to the sandbox's. bench/fault_matrix.py runs the same tests with 200 per fault.
"""

import time
from collections import Counter

import pytest
from django.conf import settings

from depicta_web.generations.models import Generation
from depicta_web.sandbox.models import SandboxJob

from ..conftest import ALL_DATABASES
from .audit import batch_audit, generations_wait_final
from .conftest import BATCH, LOOPS, PROCESSES, WORKERS, audit_report

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)

# Rates are chosen so that every generation can still end well: a download is tried five
# times, and a failed or unanswered request is looked up and, when safe, sent again.
MATRIX = {
    "latency": "latency=0.1-1.5",
    "lost_response": "lost_response=0.5",
    "http_500": "http_500=0.3",
    "http_502": "http_502=0.3",
    "http_503": "http_503=0.3",
    "burst_429": "burst_429=3",
    "expire_urls": "expire_urls=1",
    "hash_mismatch": "hash_mismatch=0.1",
    "truncate_download": "truncate_download=0.1",
    "slow_download": "slow_download=3000000",
}


def _finish(fault: str, generations: list[Generation], started: float):
    generations_wait_final([g.pk for g in generations], timeout=60 + BATCH * 3)
    audit = batch_audit(fault=fault, generations=generations, api_key=settings.DEPICTA_API_KEY)
    audit_report(audit, time.monotonic() - started)
    return audit


@pytest.mark.parametrize("fault", MATRIX)
def test_every_paid_image_is_kept_once_under(fault, settings, batch, fleet):
    settings.DEPICTA_SANDBOX_FAULTS = MATRIX[fault]
    generations = batch()
    started = time.monotonic()
    fleet.start(PROCESSES)

    audit = _finish(fault, generations, started)

    assert audit.problems() == []
    assert audit.done == audit.generations, audit.statuses


def _wait_for(status: str, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while Generation.objects.filter(status=status).count() < at_least:
        assert time.monotonic() < deadline, f"never saw {at_least} generations {status}"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("fault", "faults", "caught_in"),
    [
        ("sigkill_mid_call", "latency=1.5-2.5", Generation.Status.GENERATING),
        ("sigkill_mid_download", "slow_download=400000", Generation.Status.SAVING),
    ],
)
def test_a_worker_killed_mid_flight_loses_nothing_and_pays_once(
    fault, faults, caught_in, settings, batch, fleet
):
    settings.DEPICTA_SANDBOX_FAULTS = faults
    generations = batch()
    started = time.monotonic()
    first = fleet.start(PROCESSES)
    _wait_for(caught_in, at_least=WORKERS)
    time.sleep(0.5)  # let the last requests reach the sandbox: the kill lands mid-call

    fleet.kill(first)
    caught = dict(
        Generation.objects.filter(status=caught_in)
        .exclude(submitted_at=None)  # the request had gone out
        .values_list("pk", "claimed_by")
    )
    # New workers sweep as they start: the killed generations are recovered, not resent.
    fleet.start(PROCESSES)
    fleet.start_sweeper(every=2)
    audit = _finish(fault, generations, started)

    assert audit.problems() == []
    assert audit.done == audit.generations, audit.statuses
    assert audit.resends_after_failed_job == 0
    assert caught
    if LOOPS > 1:  # a kill took several tasks of one process down at once
        assert max(Counter(caught.values()).values()) > 1, caught
    for generation in Generation.objects.filter(pk__in=caught):
        assert generation.status == Generation.Status.DONE
        # Mid-call: the request already reached the sandbox, so recovery adopted that job.
        assert generation.submit_attempts == 1


def _most_at_once(intervals: list[tuple]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


def test_the_cap_holds_across_worker_processes(settings, batch, fleet):
    """Six claim loops in three processes, a cap of three: the sandbox never sees more than
    three generate calls at once (its own job timestamps say so), yet more than one at a time."""
    settings.DEPICTA_SANDBOX_FAULTS = "latency=0.5-1"
    fleet.env["DEPICTA_MAX_IN_FLIGHT"] = "3"
    fleet.loops = 2
    generations = batch(12)
    fleet.start(3)
    generations_wait_final([g.pk for g in generations], timeout=120)

    jobs = SandboxJob.objects.filter(prompt__in=[g.prompt for g in generations])
    assert jobs.count() == 12
    most = _most_at_once([(job.created_at, job.completed_at) for job in jobs])
    assert 2 <= most <= 3
    assert not Generation.objects.exclude(status=Generation.Status.DONE).exists()
