"""Depicta's own command-line client (PyPI `depicta`, a dev dependency) against the sandbox.

Depicta wrote that client for its real API, so whatever it needs and the sandbox lacks is a
gap in the sandbox. Each test runs the installed `depicta` executable with the sandbox as its
API, over real HTTP, and checks what it printed and saved against the sandbox's own records.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from depicta_web.sandbox.models import SandboxImage, SandboxJob

from .conftest import SANDBOX_DATABASES, job_make, set_balance

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)

DEPICTA = Path(sys.executable).with_name("depicta")
PROMPT = "a lighthouse on a cliff at dusk"


@pytest.fixture
def depicta(base_url, sandbox_settings, tmp_path):
    """Run `depicta <args>`: no stdin, its own config home, the sandbox's first key."""
    assert DEPICTA.exists(), "Depicta's CLI is missing: pip install -e '.[dev]'"
    environment = {
        "PATH": str(DEPICTA.parent),
        "HOME": str(tmp_path / "home"),
        "TMPDIR": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "DEPICTA_API_URL": base_url,
        "DEPICTA_API_KEY": sandbox_settings.DEPICTA_SANDBOX_KEYS[0],
    }

    def run(*args: str, exit_code: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(DEPICTA), *args],
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == exit_code, (args, done.stdout, done.stderr)
        return done

    return run


def json_of(done: subprocess.CompletedProcess):
    return json.loads(done.stdout)


def sha256_of(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def stored_hash(job_id: str, fmt: str) -> str:
    """The hash the sandbox recorded when it stored the file."""
    return SandboxImage.objects.get(job_id=job_id, position=1, format=fmt).sha256


def test_models_lists_every_model_with_its_approximate_cost(depicta, api):
    listed = json_of(depicta("models", "--json"))
    served = api.get("/v1/models").json()["models"]
    assert [model["id"] for model in listed] == [model["id"] for model in served]
    assert all(model["approximate_cost_eur"] for model in listed)
    table = depicta("models", "--human").stderr
    assert "flux-pro" in table
    assert "~EUR 0.045000" in table


def test_balance_shows_the_settled_balance_and_what_is_held(depicta, account):
    assert json_of(depicta("balance", "--json")) == {
        "balance_eur": "25.000000",
        "held_eur": "0.000000",
    }
    job_make(account, hold="0.200")
    assert json_of(depicta("balance", "--json"))["held_eur"] == "0.200000"
    # The CLI counts available = balance - held: right only if holds are not already taken off.
    assert "Available: EUR 24.800000" in depicta("balance", "--human").stderr


def test_image_without_a_model_is_made_by_the_chosen_one(depicta, api, tmp_path):
    made = json_of(depicta("image", PROMPT, "--json", "-d", str(tmp_path / "out")))
    assert made["model"] == "flux-pro"
    assert made["cost_eur"] == "0.045000"
    jobs = json_of(depicta("jobs", "list", "--json"))
    job_id = jobs[0]["job_id"]
    assert jobs[0]["status"] == "completed"
    job = json_of(depicta("jobs", "get", job_id, "--json"))
    assert job["result"]["model"] == "flux-pro"
    assert sha256_of(made["file"]) == made["image_hash"]
    assert sha256_of(made["file"]) == job["result"]["image_hash"]
    assert sha256_of(made["file"]) == stored_hash(job_id, "png")
    assert api.get(f"/v1/jobs/{job_id}").json()["result"]["image_hash"] == made["image_hash"]


def test_image_with_a_model_alias_ratio_and_format(depicta, tmp_path):
    saved = tmp_path / "harbour.jpg"
    args = ("-m", "seedream", "-s", "16:9", "--image-size", "2K", "-f", "jpg", "-o", str(saved))
    made = json_of(depicta("image", "a quiet harbour", *args, "--json"))
    assert made["model"] == "seedream-4"
    assert made["file"] == str(saved)
    job = SandboxJob.objects.get()
    assert (job.model, job.aspect_ratio, job.image_size) == ("seedream-4", "16:9", "2K")
    assert sha256_of(made["file"]) == stored_hash(str(job.id), "jpeg")
    job_entry = json_of(depicta("jobs", "get", str(job.id), "--json"))
    assert job_entry["result"]["formats"]["jpeg"]["hash"] == sha256_of(made["file"])
    long_model = json_of(depicta("image", "a quiet harbour", "--model", "flux-pro", "--json"))
    assert long_model["model"] == "flux-pro"


def test_image_without_a_model_on_a_low_balance_uses_a_budget_model(depicta, account):
    set_balance(account, "0.30")
    made = json_of(depicta("image", PROMPT, "--json"))
    assert made["model"] == "sdxl-lite"
    assert sha256_of(made["file"]) == made["image_hash"]


def test_expired_urls_are_recovered_through_the_job(depicta, faults_on):
    faults_on.DEPICTA_SANDBOX_FAULTS = "expire_urls"  # the answer's URLs are dead on arrival
    made = json_of(depicta("image", PROMPT, "--json"))
    job = SandboxJob.objects.get()
    assert sha256_of(made["file"]) == stored_hash(str(job.id), "png")


def test_a_ratio_the_model_lacks_is_refused_with_the_field_named(depicta):
    failed = depicta("image", PROMPT, "-m", "ideogram", "-s", "21:9", "--json", exit_code=1)
    error = json.loads(failed.stderr.strip().splitlines()[-1])
    assert error["error"] == "validation_error"
    assert error["details"]["field"] == "aspect_ratio"
    assert not SandboxJob.objects.exists()


def test_the_skill_version_is_served_without_a_key(depicta):
    versions = json_of(depicta("version", "--skill", "--json"))
    assert versions["cli_version"] == "1.3.0"
    assert versions["skill_version"]
