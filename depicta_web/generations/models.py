"""A generation is one designer's request to Depicta and everything it produced.

The generation's own persisted status is the source of truth for the pipeline (not the task
row): every transition is a conditional UPDATE, so running a task twice cannot call the API
twice or store an image twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from depicta_web.depicta.schema import MIME_TYPES
from depicta_web.lib.money import MONEY_FIELD

from . import polling

MONEY = MONEY_FIELD
logger = logging.getLogger(__name__)

# Depicta's codes for a refusal of the request itself (contract: "Errors"): sending the same
# request again fails the same way. Anything else is Depicta's own trouble.
REQUEST_ERROR_CODES = (
    "content_rejected",
    "content_rejected_legal",
    "insufficient_credits",
    "credit_insufficient",
    "bad_request",
    "validation_error",
    "model_not_capable",
)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Generation(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        GENERATING = "generating", "Generating"
        RECOVERING = "recovering", "Recovering"
        SAVING = "saving", "Saving"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"

    FINAL_STATUSES = frozenset(
        {Status.DONE, Status.FAILED, Status.REJECTED, Status.NEEDS_ATTENTION}
    )
    # Sent, or about to be, with no charge known yet: budgets count the estimate of these.
    AWAITING_CHARGE = (Status.QUEUED, Status.GENERATING, Status.RECOVERING)
    # Not columns: flags the gallery sets, for one viewer, on the rows it shows.
    is_favourite: bool
    restorable: bool

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="generations"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes"
    )

    prompt = models.TextField()
    model = models.CharField(max_length=100, help_text="The model as requested.")
    aspect_ratio = models.CharField(max_length=8, blank=True)
    image_size = models.CharField(max_length=8, blank=True)
    strictness = models.CharField(
        max_length=16, blank=True, help_text="Empty: the account's default."
    )
    reference_images = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED, db_index=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    job_id = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Depicta's job id (X-Depicta-Job-Id)."
    )
    depicta_id = models.CharField(max_length=64, blank=True)
    resolved_model = models.CharField(max_length=100, blank=True)
    ai_generated = models.BooleanField(default=True)
    estimated_cost_eur = models.DecimalField(**MONEY, null=True, blank=True)
    cost_eur = models.DecimalField(**MONEY, null=True, blank=True)
    balance_eur = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Balance Depicta reported after this charge."
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(
        max_length=120, blank=True, help_text="host:pid of the worker that sent the request."
    )
    # The answer was lost before its job id arrived, so the job was found in Depicta's job
    # list by time and model (the list has no prompt); shown to the designer.
    job_matched_by_time = models.BooleanField(default=False)
    # In the trash since then (soft delete); purged after GALLERY_TRASH_DAYS.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="generation_newest"),
            # Only the trash: a full index on deleted_at tempts SQLite into using it for
            # "deleted_at IS NULL" (every row) instead of walking generation_newest in order.
            models.Index(
                fields=["-deleted_at"],
                name="generation_trash",
                condition=models.Q(deleted_at__isnull=False),
            ),
            # The header's "latest balance" (spend.ledger.balance_current) on every page.
            models.Index(fields=["-responded_at"], name="generation_responded"),
            # A price estimate reads the last few charges of one model and size.
            models.Index(
                fields=["model", "image_size", "-responded_at"],
                name="generation_charges",
                condition=models.Q(cost_eur__isnull=False),
            ),
        ]
        constraints = [
            # One generation per Depicta job: a recovered job can never be adopted twice.
            models.UniqueConstraint(
                fields=["job_id"], condition=~models.Q(job_id=""), name="one_generation_per_job"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prompt[:60]} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("gallery:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def version(self) -> str:
        """Changes whenever the card would look different; the poll view compares it."""
        return polling.version_of(self.updated_at)

    @property
    def poll_url(self) -> str:
        """What a busy card asks every few seconds: its version and a poll token."""
        token = polling.poll_token(self.pk)
        return f"{reverse('generations:status', args=[self.pk])}?u={self.version}&t={token}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        """Final without an image: failed, refused, or stuck needing an admin."""
        return self.is_final and not self.is_done

    @property
    def refused_for_its_request(self) -> bool:
        """Depicta refused what was asked (the prompt, a setting): sending it again as it is
        cannot succeed, but changing it may."""
        return self.status == self.Status.REJECTED or (
            self.status == self.Status.FAILED and self.error_code in REQUEST_ERROR_CODES
        )

    @property
    def can_retry(self) -> bool:
        """ "Try again" is offered only where the same request may succeed."""
        return self.status == self.Status.FAILED and not self.refused_for_its_request

    @property
    def steps(self) -> list[tuple[str, str]]:
        """The card's progress while it is under way: (label, "done" | "current" | "") for each
        step; nothing once the generation is final."""
        if self.is_final:
            return []
        order: list[str] = [
            self.Status.QUEUED,
            self.Status.GENERATING,
            self.Status.SAVING,
            self.Status.DONE,
        ]
        at = order.index(
            self.Status.GENERATING if self.status == self.Status.RECOVERING else self.status
        )
        labels = [
            "Queued",
            self.get_status_display() if at == 1 else "Generating",
            "Saving",
            "Done",
        ]
        return [
            (label, "done" if i < at else "current" if i == at else "")
            for i, label in enumerate(labels)
        ]

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def can_delete(self, user) -> bool:
        """Only the author or an admin may move an image to the trash or back."""
        return user.is_staff or user.pk == self.author_id

    def trash(self, *, by) -> bool:
        won = Generation.objects.filter(pk=self.pk, deleted_at=None).update(
            deleted_at=timezone.now(), deleted_by=by, updated_at=timezone.now()
        )
        self.refresh_from_db(fields=["deleted_at", "deleted_by", "updated_at"])
        return won == 1

    def restore(self) -> bool:
        won = (
            Generation.objects.filter(pk=self.pk)
            .exclude(deleted_at=None)
            .update(deleted_at=None, deleted_by=None, updated_at=timezone.now())
        )
        self.refresh_from_db(fields=["deleted_at", "deleted_by", "updated_at"])
        return won == 1

    def download_filename(self, position: int, fmt: str) -> str:
        """Readable and unique: depicta-<prompt words>-<id prefix>[-<position>].<ext>."""
        stem = slugify(self.prompt)[:60].strip("-") or "image"
        suffix = f"-{position}" if position > 1 else ""
        return f"depicta-{stem}-{str(self.pk)[:8]}{suffix}.{fmt.replace('jpeg', 'jpg')}"

    @property
    def cover(self) -> GeneratedImage | None:
        images = list(self.images.all())
        return images[0] if images else None

    # --- transitions: conditional UPDATEs, so two workers cannot both win one ---------------
    def _move(self, *, allowed: tuple[str, ...], to: str, **fields: object) -> bool:
        now = timezone.now()
        changes = {"status": to, "updated_at": now, **fields}
        if to in self.FINAL_STATUSES:
            changes.setdefault("finished_at", now)
        won = Generation.objects.filter(pk=self.pk, status__in=allowed).update(**changes) == 1
        if won:
            for name, value in changes.items():
                setattr(self, name, value)
        return won

    def claim_for_submit(self) -> bool:
        """queued → generating. Committed before the API call: a generation seen in
        `generating` may have reached Depicta and must never be blindly resubmitted."""
        return self._move(
            allowed=(self.Status.QUEUED,),
            to=self.Status.GENERATING,
            submitted_at=None,
            submit_attempts=self.submit_attempts + 1,
            claimed_by=worker_identity(),
        )

    def mark_sending(self) -> None:
        """Committed the moment before the request goes out. Without it, a claimed generation
        whose worker died never sent anything; with it, its time is what the job list is
        matched against."""
        self.submitted_at = timezone.now()
        Generation.objects.filter(pk=self.pk).update(submitted_at=self.submitted_at)

    def touch(self) -> None:
        """Something the card shows changed (a thumbnail arrived): bump its version."""
        self.updated_at = timezone.now()
        Generation.objects.filter(pk=self.pk).update(updated_at=self.updated_at)

    def record_job_id(self, job_id: str, *, matched_by_time: bool = False) -> bool:
        """Keep the job id; False when another generation already holds that job (the
        unique constraint: one generation per Depicta job, so one job is never paid twice)."""
        try:
            Generation.objects.filter(pk=self.pk, job_id="").update(
                job_id=job_id, job_matched_by_time=matched_by_time, updated_at=timezone.now()
            )
        except IntegrityError:
            logger.error("generation %s: job %s already belongs to another one", self.pk, job_id)
            return False
        if not self.job_id:
            self.job_id, self.job_matched_by_time = job_id, matched_by_time
        return self.job_id == job_id

    def mark_recovering(self, reason: str) -> bool:
        return self._move(
            allowed=(self.Status.GENERATING, self.Status.RECOVERING),
            to=self.Status.RECOVERING,
            error_message=reason,
            claimed_by=worker_identity(),
        )

    def mark_saving(
        self,
        *,
        depicta_id: str,
        resolved_model: str,
        cost_eur: Decimal | None,
        balance_eur: Decimal | None,
        ai_generated: bool,
        responded_at: datetime | None = None,
    ) -> bool:
        """`responded_at` is when Depicta finished: now for a direct answer, the job's own
        completion time for a recovered one (it orders the balances Depicta reported)."""
        return self._move(
            allowed=(self.Status.GENERATING, self.Status.RECOVERING),
            to=self.Status.SAVING,
            depicta_id=depicta_id,
            resolved_model=resolved_model,
            cost_eur=cost_eur,
            balance_eur=balance_eur,
            ai_generated=ai_generated,
            responded_at=responded_at or timezone.now(),
            error_code="",
            error_message="",
        )

    def mark_done(self) -> bool:
        return self._move(allowed=(self.Status.SAVING,), to=self.Status.DONE)

    def mark_needs_attention(self, message: str) -> bool:
        return self._move(
            allowed=(self.Status.SAVING,), to=self.Status.NEEDS_ATTENTION, error_message=message
        )

    def mark_failed(
        self, *, code: str, message: str, request_id: str = "", rejected: bool = False
    ) -> bool:
        return self._move(
            allowed=(self.Status.QUEUED, self.Status.GENERATING, self.Status.RECOVERING),
            to=self.Status.REJECTED if rejected else self.Status.FAILED,
            error_code=code,
            error_message=message,
            request_id=request_id or "",
        )

    def requeue(self, reason: str) -> bool:
        """Back to the queue: only when Depicta is known not to have accepted the request, or
        its job failed (a failed job is never charged). The next submit gets a new job id."""
        return self._move(
            allowed=(self.Status.GENERATING, self.Status.RECOVERING),
            to=self.Status.QUEUED,
            error_message=reason,
            job_id="",
            job_matched_by_time=False,
        )


class GeneratedImage(models.Model):
    """One picture of a generation (most have one; the data model allows several)."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.CharField(max_length=200, blank=True, help_text="WebP, storage name.")
    thumbnail_2x = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "position"], name="one_image_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.generation_id} #{self.position}"

    def file_for(self, fmt: str) -> ImageFile | None:
        return next((f for f in self.files.all() if f.format == fmt), None)

    @property
    def original(self) -> ImageFile | None:
        """The file a designer means by "the image": the PNG, else whatever was stored."""
        files = [f for f in self.files.all() if f.is_stored]
        return next((f for f in files if f.format == "png"), files[0] if files else None)


class ImageFile(models.Model):
    """One format (png/jpeg/webp) of one image: where Depicta offered it, and our copy."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to copy"
        STORED = "stored", "Stored"
        MISMATCH = "mismatch", "Failed verification"
        FAILED = "failed", "Could not copy"

    image = models.ForeignKey(GeneratedImage, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=8)
    # The signed URL is a secret for its hour: never rendered, never logged.
    source_url = models.TextField(blank=True)
    source_expires_at = models.DateTimeField(null=True, blank=True)
    expected_sha256 = models.CharField(max_length=64, blank=True)
    expected_size = models.PositiveBigIntegerField(null=True, blank=True)

    state = models.CharField(max_length=12, choices=State, default=State.PENDING)
    storage_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    stored_at = models.DateTimeField(null=True, blank=True)
    # What the file's C2PA Content Credentials said when it was copied (lib/provenance.py).
    provenance = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["image", "format"]
        constraints = [
            models.UniqueConstraint(fields=["image", "format"], name="one_file_per_format"),
        ]

    def __str__(self) -> str:
        return f"{self.image} {self.format}"

    @property
    def is_stored(self) -> bool:
        return self.state == self.State.STORED

    @property
    def hash_verified(self) -> bool | None:
        """True: matches what Depicta reported; False: it did not; None: nothing reported."""
        if not self.expected_sha256 or not self.sha256:
            return None
        return self.sha256 == self.expected_sha256

    @property
    def provenance_valid(self) -> bool:
        return self.provenance.get("validation", "").startswith("valid")

    @property
    def mime(self) -> str:
        return MIME_TYPES.get(self.format, "application/octet-stream")


class ApiSlot(models.Model):
    """One of DEPICTA_MAX_IN_FLIGHT permits to have a generate request in flight.

    Shared by every worker process through the database, so the cap holds however many
    workers run; a lease frees the slot of a worker that died holding it.
    """

    number = models.PositiveSmallIntegerField(primary_key=True)
    holder = models.UUIDField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"slot {self.number}: {self.holder or 'free'}"
