import logging

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SandboxConfig(AppConfig):
    name = "depicta_web.sandbox"
    label = "sandbox"
    verbose_name = "Depicta sandbox"

    def ready(self) -> None:
        # Here, not at the top: an app's modules may touch models only once apps are ready.
        from .faults import FaultSpecError, faults_parse
        from .redaction import RedactSignatures

        # A typo in the run-wide faults stops the process at start, not at the first request.
        try:
            faults_parse(settings.DEPICTA_SANDBOX_FAULTS)
        except FaultSpecError as exc:
            raise ImproperlyConfigured(f"DEPICTA_SANDBOX_FAULTS: {exc}") from None
        # runserver logs every request line, and a file URL's query holds its signature.
        logging.getLogger("django.server").addFilter(RedactSignatures())
