"""GET /v1/jobs and /v1/jobs/{id}: every accepted generation, per key, newest first."""

import pytest

from depicta_web.depicta.schema import Job, JobPage
from depicta_web.sandbox.models import SandboxJob

from .conftest import JOB_HEADER, SANDBOX_DATABASES, assert_error, download, generate, job_make

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def test_jobs_are_listed_newest_first_with_limit_offset_and_total(api):
    ids = [generate(api, prompt=f"a boat, take {n}").json()["id"] for n in range(3)]
    page = api.get("/v1/jobs").json()
    assert (page["limit"], page["offset"], page["total"]) == (20, 0, 3)
    assert [entry["job_id"] for entry in page["generations"]] == ids[::-1]
    window = api.get("/v1/jobs", params={"limit": 1, "offset": 1}).json()
    assert [entry["job_id"] for entry in window["generations"]] == [ids[1]]
    assert (window["limit"], window["offset"], window["total"]) == (1, 1, 3)
    assert JobPage.from_json(page).jobs[0].job_id == ids[2]


def test_the_limit_is_capped_at_100(api):
    assert api.get("/v1/jobs", params={"limit": 500}).json()["limit"] == 100


@pytest.mark.parametrize(("name", "value"), [("limit", "0"), ("limit", "ten"), ("offset", "-1")])
def test_a_bad_page_parameter_is_a_bad_request(api, name, value):
    response = api.get("/v1/jobs", params={name: value})
    assert assert_error(response, 400, "bad_request")["details"] == {"field": name}


def test_a_completed_job_carries_the_result_of_the_synchronous_answer(api):
    answer = generate(api, aspect_ratio="4:5")
    entry = api.get(f"/v1/jobs/{answer.headers[JOB_HEADER]}").json()
    assert entry["status"] == "completed"
    assert entry["model"] == "flux-pro"
    assert "error" not in entry
    assert entry["created_at"] <= entry["started_at"] <= entry["completed_at"]
    result, original = entry["result"], answer.json()
    for name in ("id", "ai_generated", "model", "image_hash", "cost_eur", "balance_eur"):
        assert result[name] == original[name]
    for fmt, variant in result["formats"].items():
        assert variant["hash"] == original["formats"][fmt]["hash"]
        assert download(variant["url"])[1] == variant["hash"]
    assert Job.from_json(entry).is_final
    # Copied up for clients that recover a download from the entry itself (Depicta's CLI).
    assert (entry["image_url"], entry["image_hash"]) == (result["image_url"], result["image_hash"])
    assert entry["formats"] == result["formats"]


def test_a_fetched_job_signs_its_urls_afresh(api, sandbox_settings):
    sandbox_settings.DEPICTA_SANDBOX_URL_TTL_SECONDS = 0  # the answer's URLs die at once
    answer = generate(api).json()
    assert download(answer["image_url"])[0].status_code == 403
    sandbox_settings.DEPICTA_SANDBOX_URL_TTL_SECONDS = 3600
    result = api.get(f"/v1/jobs/{answer['id']}").json()["result"]
    assert result["image_url"] != answer["image_url"]
    response, digest = download(result["image_url"])
    assert response.status_code == 200
    assert digest == answer["image_hash"]


def test_a_failed_job_has_an_error_and_no_result(api):
    rejected = generate(api, prompt="a gory battlefield")
    entry = api.get(f"/v1/jobs/{rejected.headers[JOB_HEADER]}").json()
    assert entry["status"] == "failed"
    assert entry["error"]["code"] == "content_rejected"
    assert entry["error"]["message"]
    assert "result" not in entry
    assert entry["completed_at"]


def test_a_pending_job_has_neither_start_nor_end(api, account):
    job = job_make(account, status=SandboxJob.Status.PENDING)
    entry = api.get(f"/v1/jobs/{job.id}").json()
    assert entry["status"] == "pending"
    assert "started_at" not in entry
    assert "completed_at" not in entry
    assert "result" not in entry
    assert "prompt" not in entry  # the documented entry carries no prompt


def test_another_keys_job_is_not_found(api, other_api):
    job_id = generate(api).headers[JOB_HEADER]
    assert_error(other_api.get(f"/v1/jobs/{job_id}"), 404, "not_found")
    assert other_api.get("/v1/jobs").json() == {
        "generations": [],
        "limit": 20,
        "offset": 0,
        "total": 0,
    }


@pytest.mark.parametrize("job_id", ["5f0c9e7a-1b2d-4c3e-8f4a-6b7c8d9e0f1a", "not-a-uuid"])
def test_an_unknown_job_is_not_found(api, job_id):
    assert_error(api.get(f"/v1/jobs/{job_id}"), 404, "not_found")
