"""What the pipeline does when Depicta fails: each rule of pipeline.py against the sandbox.

Faults are switched on in the sandbox (same process, real HTTP); the task body runs here, and
its follow-up tasks are read from the task queue rather than run.
"""

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from depicta_web.depicta.configured import depicta_client
from depicta_web.generations.models import ApiSlot, Generation
from depicta_web.generations.running import api_request_for
from depicta_web.generations.sweeper import generations_sweep
from depicta_web.generations.tasks import generate_task, recover_task
from depicta_web.sandbox.models import SandboxJob

from ..conftest import ALL_DATABASES, generation_make

pytestmark = pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)


@pytest.fixture
def faults(sandbox, settings):
    settings.DEPICTA_SANDBOX_FAULTS_ENABLED = True

    def switch(spec: str) -> None:
        settings.DEPICTA_SANDBOX_FAULTS = spec

    return switch


@pytest.fixture
def queued(alice, sandbox, model_key):
    return generation_make(alice, model=model_key)


def run(generation: Generation) -> Generation:
    generate_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    return generation


def next_task(generation: Generation) -> DBTaskResult:
    waiting = [
        task
        for task in DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at")
        if task.args_kwargs["kwargs"].get("generation_id") == str(generation.pk)
    ]
    assert waiting, "no task was queued for the generation"
    return waiting[0]


def worker_died(generation: Generation) -> None:
    """Its task row stays RUNNING forever (django-tasks-db); its claim names a gone process."""
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING")
    Generation.objects.filter(pk=generation.pk).update(claimed_by=dead_worker())


def dead_worker() -> str:
    """The identity of a worker process that has exited."""
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return f"{socket.gethostname()}:{process.stdout.strip()}"


def test_a_503_without_a_job_is_sent_again_later_and_costs_nothing(faults, queued, sandbox_balance):
    faults("http_503=1")
    balance = sandbox_balance()
    generation = run(queued)
    assert generation.status == Generation.Status.QUEUED
    assert "503" in generation.error_message
    assert SandboxJob.objects.count() == 0
    assert next_task(generation).run_after > timezone.now()
    assert sandbox_balance() == balance


def test_a_500_after_acceptance_is_looked_up_then_sent_again_and_charged_once(
    faults, queued, sandbox_balance
):
    faults("http_500=1")
    balance = sandbox_balance()
    generation = run(queued)
    assert generation.status == Generation.Status.QUEUED
    assert generation.job_id == ""  # the failed job is not this generation's any more
    assert "internal_error" in generation.error_message
    assert sandbox_balance() == balance  # a failed job is never charged

    faults("")
    generation = run(generation)
    assert generation.status == Generation.Status.DONE
    assert SandboxJob.objects.count() == 2
    assert SandboxJob.objects.filter(status="completed").get().id.hex == generation.job_id.replace(
        "-", ""
    )
    assert sandbox_balance() == balance - generation.cost_eur


def test_a_429_waits_for_retry_after_in_the_queue(faults, queued):
    faults("burst_429=1")
    before = timezone.now()
    generation = run(queued)
    assert generation.status == Generation.Status.QUEUED
    run_after = next_task(generation).run_after
    assert before + timedelta(seconds=0.9) <= run_after <= timezone.now() + timedelta(seconds=1.1)


def test_a_response_lost_mid_body_is_adopted_by_its_job_id_not_sent_again(
    faults, queued, sandbox_balance
):
    faults("lost_response=1")
    balance = sandbox_balance()
    generation = run(queued)
    assert generation.status == Generation.Status.DONE
    assert SandboxJob.objects.count() == 1
    assert not generation.job_matched_by_time
    assert sandbox_balance() == balance - generation.cost_eur


def _sent_then_worker_died(generation: Generation) -> Generation:
    """The request reached Depicta, then the worker was killed before any answer."""
    assert generation.claim_for_submit()
    generation.mark_sending()
    with depicta_client() as client:
        client.generate_image(api_request_for(generation))  # the answer is never recorded
    worker_died(generation)
    return generation


def test_the_sweeper_recovers_a_dead_workers_job_by_time_and_model(
    queued, sandbox_balance, alice_client
):
    balance = sandbox_balance()
    generation = _sent_then_worker_died(queued)
    lease = timezone.now() + timedelta(hours=1)
    ApiSlot.objects.create(number=1, holder=generation.pk, leased_until=lease)

    report = generations_sweep()

    assert report.recovering == [str(generation.pk)]
    generation.refresh_from_db()
    assert generation.status == Generation.Status.RECOVERING
    assert ApiSlot.objects.get(number=1).holder is None  # the dead worker's slot is free again
    recover_task.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    assert generation.status == Generation.Status.DONE
    assert generation.job_matched_by_time
    assert SandboxJob.objects.count() == 1  # adopted, not sent again
    assert sandbox_balance() == balance - generation.cost_eur
    page = alice_client.get(generation.get_absolute_url()).content.decode()
    assert "found in its job list by time and model" in page


def test_a_request_sent_but_never_accepted_is_sent_again_after_three_looks(queued):
    assert queued.claim_for_submit()
    queued.mark_sending()  # the worker died as the request went out; Depicta never got it
    worker_died(queued)
    assert generations_sweep().recovering == [str(queued.pk)]
    recover_task.call(generation_id=str(queued.pk))
    queued.refresh_from_db()
    assert queued.status == Generation.Status.QUEUED
    assert "never accepted" in queued.error_message
    assert SandboxJob.objects.count() == 0
    assert next_task(queued)


def test_a_claimed_request_that_was_never_sent_is_sent_at_once(queued):
    assert queued.claim_for_submit()  # claimed, then the worker died before sending
    worker_died(queued)
    generations_sweep()
    recover_task.call(generation_id=str(queued.pk))
    queued.refresh_from_db()
    assert queued.status == Generation.Status.QUEUED
    assert "never sent" in queued.error_message
    assert next_task(queued).run_after <= timezone.now()


def test_a_job_adopted_by_one_generation_cannot_be_adopted_by_another(queued, alice, model_key):
    other = generation_make(alice, model=model_key)
    assert queued.record_job_id("3f0b0c8e-2b71-4c1e-9a55-1d1d4f6f9a10")
    assert not other.record_job_id("3f0b0c8e-2b71-4c1e-9a55-1d1d4f6f9a10")
    other.refresh_from_db()
    assert other.job_id == ""


def test_the_sweeper_requeues_a_queued_generation_whose_task_was_lost(queued, settings):
    settings.DEPICTA_SWEEP_STUCK_SECONDS = 1
    DBTaskResult.objects.all().delete()  # the task died with its worker
    Generation.objects.filter(pk=queued.pk).update(updated_at=timezone.now() - timedelta(seconds=5))
    assert generations_sweep().requeued == [str(queued.pk)]
    assert next_task(queued)


def test_a_live_workers_generation_is_left_alone(queued):
    assert queued.claim_for_submit()  # claimed by this (living) test process
    assert not generations_sweep()
    queued.refresh_from_db()
    assert queued.status == Generation.Status.GENERATING
