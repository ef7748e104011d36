"""The sandbox's keys are public, so production never serves it unless asked, and the release
gate (`check --deploy`) refuses a served sandbox that accepts the laptop key."""

from __future__ import annotations

import pytest
from django.conf import settings

from .test_production_profile import manage, production_env

# Prints whether this process's URLconf serves the sandbox's job list.
MOUNTED = (
    "from django.urls import Resolver404, resolve\n"
    "try:\n"
    "    resolve('/sandbox/v1/jobs')\n"
    "    print('mounted')\n"
    "except Resolver404:\n"
    "    print('not mounted')"
)
SECRET_SANDBOX_KEY = "dpct_sandbox_staging_key_kept_in_the_vault_000000"


def _without_api_key(tmp_path, **extra: str) -> dict[str, str]:
    env = production_env(tmp_path)
    del env["DEPICTA_API_KEY"], env["DEPICTA_BASE_URL"]
    return env | extra


def _sandbox_served(env: dict[str, str]) -> str:
    result = manage(env, "shell", "-c", MOUNTED)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_without_an_api_key_does_not_serve_the_sandbox(tmp_path):
    assert _sandbox_served(_without_api_key(tmp_path)) == "not mounted"


def test_the_laptop_without_an_api_key_serves_the_sandbox(tmp_path):
    env = _without_api_key(tmp_path, DEBUG="true")
    assert _sandbox_served(env) == "mounted"


def test_production_serves_the_sandbox_when_asked(tmp_path):
    env = _without_api_key(tmp_path, DEPICTA_SANDBOX_ENABLED="true")
    assert _sandbox_served(env) == "mounted"


@pytest.mark.parametrize("api_key", ["", "dpct_live_production_profile_test_key_000000"])
def test_check_deploy_refuses_a_served_sandbox_with_the_public_key(tmp_path, api_key):
    env = production_env(tmp_path, DEPICTA_SANDBOX_ENABLED="true", DEPICTA_API_KEY=api_key)
    result = manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert "deploy.E001" in result.stderr
    assert settings.DEPICTA_SANDBOX_LAPTOP_KEY not in result.stderr  # named, not printed


def test_check_deploy_accepts_a_staging_sandbox_with_a_secret_key(tmp_path):
    env = _without_api_key(
        tmp_path, DEPICTA_SANDBOX_ENABLED="true", DEPICTA_SANDBOX_KEYS=SECRET_SANDBOX_KEY
    )
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_check_deploy_refuses_production_with_no_api_to_call(tmp_path):
    result = manage(_without_api_key(tmp_path), "check", "--deploy")
    assert result.returncode != 0
    assert "deploy.E002" in result.stderr


def test_check_deploy_accepts_a_sandbox_served_elsewhere(tmp_path):
    env = _without_api_key(
        tmp_path,
        DEPICTA_BASE_URL="https://sandbox.staging.example/sandbox",
        DEPICTA_SANDBOX_KEYS=SECRET_SANDBOX_KEY,
    )
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
