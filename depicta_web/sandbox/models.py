"""The sandbox's own state: one account per API key, its jobs, and their stored images."""

import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Sum
from django.utils import timezone

from depicta_web.depicta.schema import JobStatus
from depicta_web.lib.money import MONEY_FIELD

MONEY = MONEY_FIELD
# The column's choices, labelled "Pending", "Processing", ... as the first migration has them.
STATUS_CHOICES = [(status.value, status.name.title()) for status in JobStatus]
# Account ids are derived from the key's digest: stable, and telling nothing about the key.
ACCOUNT_ID_NAMESPACE = uuid.UUID("6f1c4f3e-3b7a-5d0e-9c61-2a4d8e7b9f10")


class SandboxAccount(models.Model):
    """A Depicta account as the sandbox sees it, found by the SHA-256 of its API key."""

    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=20, editable=False)
    # The settled balance: holds of running jobs are not taken off until they are charged.
    balance_eur = models.DecimalField(**MONEY)
    # 12 months after the last paid top-up (contract "Credits"); none before the first.
    credits_expire_at = models.DateTimeField(null=True, blank=True)
    # Fault state: refusals served in the current 429 burst (see faults.py).
    burst_429_served = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.key_hint

    @property
    def user_id(self) -> uuid.UUID:
        return uuid.uuid5(ACCOUNT_ID_NAMESPACE, self.key_digest)

    def held_eur(self) -> Decimal:
        """The sum of the holds of this account's jobs still running."""
        held = self.jobs.filter(status__in=SandboxJob.ACTIVE).aggregate(total=Sum("hold_eur"))
        return held["total"] or Decimal("0")

    def available_eur(self) -> Decimal:
        return self.balance_eur - self.held_eur()


class SandboxJob(models.Model):
    """One accepted generation, from the moment it is accepted until it is final."""

    Status = JobStatus  # the contract's statuses, not a copy of them

    ACTIVE = (Status.PENDING, Status.PROCESSING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="jobs")
    request_id = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=Status.PENDING)
    operation = models.CharField(max_length=32, default="generate_image")
    model = models.CharField(max_length=64)
    prompt = models.TextField()
    aspect_ratio = models.CharField(max_length=8)
    image_size = models.CharField(max_length=4)
    strictness = models.CharField(max_length=12)
    reference_images = models.JSONField(default=list, blank=True)
    hold_eur = models.DecimalField(**MONEY)
    cost_eur = models.DecimalField(**MONEY, null=True, blank=True)
    balance_eur = models.DecimalField(**MONEY, null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    error_details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "status"]),
            models.Index(fields=["account", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def mark_processing(self) -> None:
        self._move(self.ACTIVE, status=self.Status.PROCESSING, started_at=timezone.now())

    def mark_failed(self, *, code: str, message: str, details: dict | None = None) -> None:
        """Final; never charged: the hold is released because the job is no longer active."""
        now = timezone.now()
        self._move(
            self.ACTIVE,
            status=self.Status.FAILED,
            started_at=self.started_at or now,
            completed_at=now,
            error_code=code,
            error_message=message,
            error_details=details or {},
        )

    def mark_completed(self, *, cost_eur: Decimal, balance_eur: Decimal) -> None:
        """Only called by credits.credit_settle, inside the transaction that charges the cost."""
        self._move(
            (self.Status.PROCESSING,),
            status=self.Status.COMPLETED,
            completed_at=timezone.now(),
            cost_eur=cost_eur,
            balance_eur=balance_eur,
        )

    def _move(self, allowed: tuple[str, ...], **changes: Any) -> None:
        """A conditional UPDATE: a job that already moved on is never moved back."""
        moved = SandboxJob.objects.filter(pk=self.pk, status__in=allowed).update(**changes)
        if not moved:
            raise JobStateError(f"job {self.pk} is not in {allowed}")
        for name, value in changes.items():
            setattr(self, name, value)


class JobStateError(RuntimeError):
    pass


class SandboxImage(models.Model):
    """One stored format of one picture of a job; the bytes live under the state directory."""

    job = models.ForeignKey(SandboxJob, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=1)
    format = models.CharField(max_length=8)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["position", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "position", "format"], name="sandbox_image_unique_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.position}.{self.format}"

    @property
    def relative_path(self) -> str:
        return f"images/{self.job_id}/{self.position}.{self.format}"
