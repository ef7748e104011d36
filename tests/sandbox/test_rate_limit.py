"""At most 10 running generations per key, counted in the database at acceptance."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from depicta_web.sandbox.models import SandboxJob

from .conftest import FAULTS_HEADER, SANDBOX_DATABASES, assert_error, generate, job_make

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def running_jobs(account, count):
    return [job_make(account) for _ in range(count)]


def test_an_eleventh_concurrent_request_is_rate_limited(api, other_api, account):
    jobs = running_jobs(account, 10)
    response = generate(api)
    body = assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1
    assert body["details"] == {"limit": 10, "running": 10}
    assert generate(other_api).status_code == 200  # the limit is per key
    jobs[0].mark_failed(code="internal_error", message="done")
    assert generate(api).status_code == 200


def test_concurrent_requests_from_many_threads_are_counted_exactly(api, faults_on):
    # Each request holds its slot for 3 s while "processing", then fails (nothing to render).
    headers = {FAULTS_HEADER: "latency=3;http_500=1"}
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: generate(api, headers=headers), range(12)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [429, 429] + [500] * 10
    for answer in answers:
        if answer.status_code == 429:
            assert answer.headers["Retry-After"]
    assert api.get("/v1/jobs").json()["total"] == 10


def test_a_job_left_running_by_a_dead_process_stops_counting(api, account):
    jobs = running_jobs(account, 10)
    SandboxJob.objects.filter(pk=jobs[0].pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert generate(api).status_code == 200
    jobs[0].refresh_from_db()
    assert jobs[0].status == "failed"
