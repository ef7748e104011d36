"""Settings that must never reach production, refused by `manage.py check --deploy`.

Each check reads settings only (no network): the release gate runs before anything is served.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def sandbox_with_public_key(**kwargs) -> list[CheckMessage]:
    """A served sandbox accepting the laptop key (written in this repository) lets anyone list
    its jobs, fetch its images and make the web process paint."""
    if not settings.DEPICTA_SANDBOX_ENABLED:
        return []
    if settings.DEPICTA_SANDBOX_LAPTOP_KEY not in settings.DEPICTA_SANDBOX_KEYS:
        return []
    return [
        Error(
            "The sandbox is served under /sandbox/ and accepts its public laptop key.",
            hint=(
                "Set DEPICTA_API_KEY to use Depicta itself and leave DEPICTA_SANDBOX_ENABLED "
                "unset; or, for a staging sandbox, set DEPICTA_SANDBOX_KEYS to a secret key."
            ),
            id="deploy.E001",
        )
    ]


@register(deploy=True)
def api_to_call(**kwargs) -> list[CheckMessage]:
    """Without a key the app calls a sandbox; in production its own is not served unless asked
    for, so the default base URL (this server's /sandbox/) leads nowhere."""
    own_sandbox = f"http://127.0.0.1:{settings.PORT}/sandbox"
    if not settings.DEPICTA_USES_SANDBOX or settings.DEPICTA_SANDBOX_ENABLED:
        return []
    if own_sandbox != settings.DEPICTA_BASE_URL:
        return []  # a sandbox served elsewhere (staging)
    return [
        Error(
            "DEPICTA_API_KEY is empty, and the sandbox the app would call instead "
            f"({own_sandbox}) is not served.",
            hint=(
                "Set DEPICTA_API_KEY; or point DEPICTA_BASE_URL at a sandbox served elsewhere "
                "with DEPICTA_SANDBOX_KEYS set to its key."
            ),
            id="deploy.E002",
        )
    ]
