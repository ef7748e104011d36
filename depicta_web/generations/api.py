"""The one place the app builds its Depicta client from settings."""

from django.conf import settings

from depicta_web.depicta import DepictaClient


def depicta_client() -> DepictaClient:
    return DepictaClient(
        base_url=settings.DEPICTA_BASE_URL,
        api_key=settings.DEPICTA_API_KEY,
        timeout=settings.DEPICTA_TIMEOUT_SECONDS,
    )
