"""The one place the app builds its Depicta client: from settings (the client itself takes
everything as arguments and knows no Django)."""

from django.conf import settings

from depicta_web.lib.netguard import GuardedTransport

from .client import DepictaClient, ssl_context


def depicta_client() -> DepictaClient:
    return DepictaClient(
        base_url=settings.DEPICTA_BASE_URL,
        api_key=settings.DEPICTA_API_KEY,
        timeout=settings.DEPICTA_TIMEOUT_SECONDS,
        # Image URLs are fetched only from addresses checked when connecting (DNS rebinding).
        download_transport=GuardedTransport(
            allow_private=settings.DEPICTA_IMAGE_ALLOW_PRIVATE, ssl_context=ssl_context()
        ),
    )
