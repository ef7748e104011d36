"""Failed log-ins, one row each, kept only for the throttling window."""

from django.db import models
from django.utils import timezone


class FailedLogin(models.Model):
    # As authentication normalises it, case-folded (limits.username_key): an unknown username
    # is throttled just like a real one.
    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"
