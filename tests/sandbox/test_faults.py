"""Every switchable fault, proven over real HTTP; and the spec they are written in."""

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from depicta_web.depicta.schema import parse_time
from depicta_web.sandbox.faults import Faults, FaultSpecError, faults_parse

from .conftest import FAULTS_HEADER, JOB_HEADER, SANDBOX_DATABASES, assert_error, download, generate

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def faulty(client, spec, **fields):
    return generate(client, headers={FAULTS_HEADER: spec}, **fields)


# The spec.


def test_a_spec_names_faults_with_values_and_bare_names_mean_one():
    faults = faults_parse("latency=1-3; http_500=0.1, lost_response ;slow_download=2048")
    assert faults.latency == (1.0, 3.0)
    assert faults.http_500 == 0.1
    assert faults.lost_response == 1.0
    assert faults.slow_download == 2048
    assert faults_parse("latency=2").latency == (2.0, 2.0)
    assert faults_parse("") == Faults()


@pytest.mark.parametrize(
    "spec", ["explode=1", "http_500=2", "http_500=often", "latency=3-1", "burst_429=-2"]
)
def test_a_bad_spec_is_refused(spec):
    with pytest.raises(FaultSpecError):
        faults_parse(spec)


def test_rates_of_zero_and_one_are_deterministic():
    never, always = Faults(http_500=0.0), Faults(http_500=1.0)
    assert not any(never.strikes("http_500") for _ in range(2000))
    assert all(always.strikes("http_500") for _ in range(2000))


def test_a_latency_range_gives_seconds_within_it():
    samples = [faults_parse("latency=1-3").latency_seconds() for _ in range(200)]
    assert all(1 <= s <= 3 for s in samples)
    assert max(samples) - min(samples) > 0.5


def test_a_header_adds_to_the_run_wide_spec_and_wins_per_name():
    merged = faults_parse("http_500=0", base=faults_parse("http_500=1;latency=2"))
    assert (merged.http_500, merged.latency) == (0.0, (2.0, 2.0))


# Switching faults on and off.


def test_the_header_is_ignored_while_faults_are_disabled(api):
    assert faulty(api, "http_500=1").status_code == 200
    assert faulty(api, "no-such-fault").status_code == 200


def test_run_wide_faults_are_ignored_while_disabled(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_FAULTS = "http_503=1"
    assert generate(api).status_code == 200


def test_run_wide_faults_apply_to_every_request(api, faults_on):
    faults_on.DEPICTA_SANDBOX_FAULTS = "http_503=1"
    assert_error(generate(api), 503, "unavailable")


def test_a_bad_header_is_a_bad_request_naming_it(api, faults_on):
    body = assert_error(faulty(api, "http_500=lots"), 400, "bad_request")
    assert body["details"] == {"header": FAULTS_HEADER}


# Each fault.


def test_latency_keeps_the_job_processing_meanwhile(api, faults_on):
    answers = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: answers.append(faulty(api, "latency=1.5")))
    worker.start()
    seen = None
    while worker.is_alive() and seen is None:
        jobs = api.get("/v1/jobs").json()["generations"]
        seen = next((job for job in jobs if job["status"] == "processing"), None)
        time.sleep(0.05)
    worker.join()
    assert time.monotonic() - started >= 1.5
    assert seen is not None
    assert "started_at" in seen
    assert "completed_at" not in seen
    (answer,) = answers
    assert answer.status_code == 200
    assert api.get(f"/v1/jobs/{seen['job_id']}").json()["status"] == "completed"


def test_a_lost_response_still_completes_and_charges_the_job(api, account, faults_on):
    with api.stream(
        "POST",
        "/v1/generate/image",
        json={"prompt": "a red fox", "model": "flux-pro"},
        headers={FAULTS_HEADER: "lost_response=1"},
    ) as response:
        assert response.status_code == 200
        job_id = response.headers[JOB_HEADER]
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            response.read()
    entry = api.get(f"/v1/jobs/{job_id}").json()
    assert entry["status"] == "completed"
    account.refresh_from_db()
    assert account.balance_eur == Decimal(entry["result"]["balance_eur"]) < Decimal("25")
    assert download(entry["result"]["image_url"])[1] == entry["result"]["image_hash"]


def test_a_lost_response_breaks_off_a_plain_request_too(api, faults_on):
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        faulty(api, "lost_response=1")
    assert api.get("/v1/jobs").json()["generations"][0]["status"] == "completed"


@pytest.mark.parametrize(("status", "code"), [(500, "internal_error"), (502, "bad_gateway")])
def test_a_5xx_after_acceptance_fails_the_job_without_charge(api, account, faults_on, status, code):
    response = faulty(api, f"http_{status}=1")
    assert_error(response, status, code)
    entry = api.get(f"/v1/jobs/{response.headers[JOB_HEADER]}").json()
    assert (entry["status"], entry["error"]["code"]) == ("failed", code)
    account.refresh_from_db()
    assert account.balance_eur == Decimal("25")


def test_a_503_is_refused_before_any_job_exists(api, faults_on):
    response = faulty(api, "http_503=1")
    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "1"
    assert JOB_HEADER not in response.headers
    assert api.get("/v1/jobs").json()["total"] == 0


def test_a_429_burst_refuses_n_requests_then_lets_one_through(api, faults_on):
    statuses = [faulty(api, "burst_429=2") for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 429, 200, 429]
    for refused in (statuses[0], statuses[1], statuses[3]):
        assert_error(refused, 429, "rate_limited")
        assert refused.headers["Retry-After"] == "1"
    assert api.get("/v1/jobs").json()["total"] == 1


def test_urls_can_expire_at_once_and_the_job_gives_fresh_ones(api, faults_on):
    answer = faulty(api, "expire_urls=1").json()
    for variant in answer["formats"].values():
        assert parse_time(variant["expires_at"]) <= datetime.now(UTC)
        assert download(variant["url"])[0].status_code == 403
    fresh = api.get(f"/v1/jobs/{answer['id']}").json()["result"]
    assert download(fresh["image_url"])[0].status_code == 200


def test_a_hash_mismatch_serves_bytes_that_do_not_match(api, faults_on):
    answer = faulty(api, "hash_mismatch=1").json()
    for variant in answer["formats"].values():
        response, digest = download(variant["url"])
        assert response.status_code == 200
        assert len(response.content) == variant["size_bytes"]
        assert digest != variant["hash"]


def test_a_truncated_download_declares_the_full_length_and_breaks_off(api, faults_on):
    answer = faulty(api, "truncate_download=1").json()
    url, size = answer["image_url"], answer["formats"]["png"]["size_bytes"]
    with httpx.stream("GET", url, timeout=10) as response:
        assert int(response.headers["Content-Length"]) == size
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    # The fault rode on the answer's URLs only: the job's fresh URLs download whole.
    fresh = api.get(f"/v1/jobs/{answer['id']}").json()["result"]
    assert download(fresh["image_url"])[1] == answer["image_hash"]


def test_a_slow_download_trickles_at_the_set_rate(api, faults_on):
    answer = generate(api).json()
    variant = answer["formats"]["webp"]
    faults_on.DEPICTA_SANDBOX_FAULTS = f"slow_download={variant['size_bytes']}"  # about 1 s
    started = time.monotonic()
    _, digest = download(variant["url"])
    assert time.monotonic() - started >= 0.8
    assert digest == variant["hash"]
    faults_on.DEPICTA_SANDBOX_FAULTS = ""
    started = time.monotonic()
    download(variant["url"])
    assert time.monotonic() - started < 0.5
