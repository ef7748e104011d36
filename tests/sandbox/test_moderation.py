"""Deterministic moderation: brand-safe terms, terms refused always, and legal limits."""

from decimal import Decimal

import pytest

from depicta_web.sandbox.models import SandboxJob
from depicta_web.sandbox.moderation import moderation_check

from .conftest import JOB_HEADER, SANDBOX_DATABASES, assert_error, generate

pytestmark = pytest.mark.django_db(transaction=True, databases=SANDBOX_DATABASES)


def test_a_brand_unsafe_prompt_is_refused_by_default_and_creates_a_failed_job(api, account):
    response = generate(api, prompt="A GORY battlefield at dawn")
    body = assert_error(response, 403, "content_rejected")
    assert body["details"]["terms"] == ["gory"]
    assert body["details"]["strictness"] == "normal"
    job = SandboxJob.objects.get(pk=response.headers[JOB_HEADER])
    assert (job.status, job.error_code, job.cost_eur) == ("failed", "content_rejected", None)
    account.refresh_from_db()
    assert account.balance_eur == Decimal("25")


def test_liberal_allows_what_normal_refuses(api):
    assert_error(
        generate(api, prompt="a gory battlefield", strictness="normal"), 403, "content_rejected"
    )
    assert generate(api, prompt="a gory battlefield", strictness="liberal").status_code == 200


def test_some_terms_are_refused_under_every_strictness(api):
    response = generate(api, prompt="a torture chamber", strictness="liberal")
    assert_error(response, 403, "content_rejected")


def test_content_barred_by_law_is_451(api, account):
    response = generate(api, prompt="Counterfeit banknotes on a desk", strictness="liberal")
    body = assert_error(response, 451, "content_rejected_legal")
    assert body["details"]["terms"] == ["counterfeit banknotes"]
    assert api.get(f"/v1/jobs/{response.headers[JOB_HEADER]}").json()["error"]["code"] == (
        "content_rejected_legal"
    )
    account.refresh_from_db()
    assert account.balance_eur == Decimal("25")


def test_reference_descriptions_are_moderated_too(api):
    references = [{"url": "https://example.com/a.png", "description": "a nude figure study"}]
    assert_error(generate(api, reference_images=references), 403, "content_rejected")


def test_only_whole_words_match():
    assert moderation_check(texts=["a gorgeous sunset"], strictness="normal") is None
    assert moderation_check(texts=["counterfeit", "banknote"], strictness="normal") is None
    assert moderation_check(texts=["self-harm"], strictness="liberal").code == "content_rejected"
