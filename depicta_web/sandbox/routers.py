"""The sandbox keeps its own database, as the real Depicta keeps its own state."""

from typing import Any

from django.db.models import Model

SANDBOX_APP = "sandbox"
SANDBOX_DB = "sandbox"


class SandboxRouter:
    """Sandbox models live only on the "sandbox" alias; no other app's tables go there."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_DB if model._meta.app_label == SANDBOX_APP else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_DB if model._meta.app_label == SANDBOX_APP else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        first = obj1._meta.app_label == SANDBOX_APP
        second = obj2._meta.app_label == SANDBOX_APP
        if first or second:
            return first and second
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == SANDBOX_APP:
            return db == SANDBOX_DB
        if db == SANDBOX_DB:
            return False
        return None
