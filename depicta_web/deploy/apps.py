from django.apps import AppConfig


class DeployConfig(AppConfig):
    """The checks `manage.py check --deploy` adds for depicta-web's own settings."""

    name = "depicta_web.deploy"
    label = "deploy"
    verbose_name = "Deployment checks"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
