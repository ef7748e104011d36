"""The database router and log redaction."""

import logging

import pytest

from depicta_web.sandbox.models import SandboxJob
from depicta_web.sandbox.redaction import RedactSignatures, redact
from depicta_web.sandbox.routers import SandboxRouter


@pytest.mark.parametrize(
    ("db", "app_label", "allowed"),
    [
        ("sandbox", "sandbox", True),
        ("default", "sandbox", False),
        ("sandbox", "auth", False),
        ("sandbox", "django_tasks_database", False),
        ("default", "auth", None),
    ],
)
def test_sandbox_tables_live_only_on_the_sandbox_database(db, app_label, allowed):
    assert SandboxRouter().allow_migrate(db, app_label) is allowed


def test_sandbox_models_are_read_and_written_on_their_database():
    router = SandboxRouter()
    assert router.db_for_read(SandboxJob) == router.db_for_write(SandboxJob) == "sandbox"


def test_signatures_and_keys_never_reach_a_log(caplog):
    logger = logging.getLogger("test.sandbox.redaction")
    logger.addFilter(RedactSignatures())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info('"GET %s HTTP/1.1" 200', "/sandbox/files/x/1.png?expires=1&sig=abcdef0123")
        logger.info("Authorization: Bearer dpct_secretsecret")
    assert "abcdef0123" not in caplog.text
    assert "secretsecret" not in caplog.text
    assert "sig=[redacted]" in caplog.text
    assert redact("?expires=5&sig=ff&faults=x") == "?expires=5&sig=[redacted]&faults=x"
