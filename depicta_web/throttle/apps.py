from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    name = "depicta_web.throttle"
    verbose_name = "Log-in throttling"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the auth signal receivers)
