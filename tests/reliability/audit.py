"""The fault matrix's bookkeeping: the app's records against the sandbox's own books.

The sandbox keeps every job it accepted and every euro it charged, independently of the app.
Each generation of a batch carries a unique prompt, so its jobs can be found in those books.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage

from depicta_web.generations.models import Generation, ImageFile
from depicta_web.sandbox.accounts import account_for_key
from depicta_web.sandbox.models import SandboxImage, SandboxJob
from depicta_web.spend.ledger import balance_current


@dataclass
class Audit:
    fault: str
    generations: int
    statuses: Counter
    charged_jobs: int
    resends_after_failed_job: int = 0
    # Adopted from the job list by time and model after a lost answer, and paired with a
    # sibling's prompt: expected only when several answers were lost in the same moment.
    matched_by_time: int = 0
    swapped_between_siblings: int = 0
    lost_images: list[str] = field(default_factory=list)
    double_charges: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    cost_mismatches: list[str] = field(default_factory=list)
    app_balance: Decimal | None = None
    sandbox_balance: Decimal | None = None

    @property
    def done(self) -> int:
        return self.statuses.get(Generation.Status.DONE, 0)

    @property
    def unfinished(self) -> int:
        return sum(n for s, n in self.statuses.items() if s not in Generation.FINAL_STATUSES)

    def problems(self) -> list[str]:
        found = []
        if self.unfinished:
            found.append(f"{self.unfinished} generations never reached a final state")
        if self.charged_jobs != self.done:
            found.append(f"{self.charged_jobs} sandbox charges but {self.done} done generations")
        if self.app_balance != self.sandbox_balance:
            found.append(f"app balance {self.app_balance} != sandbox {self.sandbox_balance}")
        for label in ("lost_images", "double_charges", "unverified", "cost_mismatches"):
            if getattr(self, label):
                found.append(f"{label}: {getattr(self, label)}")
        return found

    def row(self) -> dict:
        return {
            "fault": self.fault,
            "generations": self.generations,
            "done": self.done,
            "other_final": dict(
                (s, n) for s, n in self.statuses.items() if s != Generation.Status.DONE
            ),
            "charged": self.charged_jobs,
            "lost_images": len(self.lost_images),
            "double_charges": len(self.double_charges),
            "resends_after_failed_job": self.resends_after_failed_job,
            "matched_by_time": self.matched_by_time,
            "swapped_between_siblings": self.swapped_between_siblings,
            "balance_equal": self.app_balance == self.sandbox_balance,
        }


def generations_wait_final(ids: list, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_ = Generation.objects.filter(pk__in=ids).exclude(status__in=Generation.FINAL_STATUSES)
        if not open_.exists():
            return
        time.sleep(0.25)


def batch_audit(*, fault: str, generations: list[Generation], api_key: str) -> Audit:
    rows = {g.pk: g for g in Generation.objects.filter(pk__in=[g.pk for g in generations])}
    by_prompt = {g.prompt: g for g in rows.values()}
    jobs = list(SandboxJob.objects.filter(prompt__in=by_prompt))
    charged = [job for job in jobs if job.status == SandboxJob.Status.COMPLETED]
    audit = Audit(
        fault=fault,
        generations=len(rows),
        statuses=Counter(g.status for g in rows.values()),
        charged_jobs=len(charged),
    )
    jobs_per_prompt = Counter(job.prompt for job in jobs)
    accepted_per_prompt = Counter(
        job.prompt for job in jobs if job.status != SandboxJob.Status.FAILED
    )
    audit.double_charges = [p for p, n in accepted_per_prompt.items() if n > 1]
    audit.resends_after_failed_job = sum(n - 1 for n in jobs_per_prompt.values() if n > 1)
    by_job = {g.job_id: g for g in rows.values() if g.job_id}
    audit.matched_by_time = sum(g.job_matched_by_time for g in rows.values())
    for job in charged:
        generation = by_job.get(str(job.id))
        if generation is None or generation.status != Generation.Status.DONE:
            audit.lost_images.append(f"job {job.id} ({generation and generation.status})")
            continue
        if generation.prompt != job.prompt:
            if not generation.job_matched_by_time:
                audit.lost_images.append(f"job {job.id} adopted by the wrong generation")
            audit.swapped_between_siblings += 1
    seen = balance_current()
    audit.app_balance = seen.amount if seen else None
    audit.sandbox_balance = account_for_key(api_key).balance_eur if charged else None
    return audit


def _originals_verified(generation: Generation, job: SandboxJob) -> bool:
    """Every format the sandbox made is in our storage, hashing to the sandbox's own record."""
    made = {(i.position, i.format): i.sha256 for i in SandboxImage.objects.filter(job=job)}
    stored = {
        (f.image.position, f.format): f
        for f in ImageFile.objects.filter(image__generation=generation).select_related("image")
    }
    if set(made) != set(stored):
        return False
    for key, sha256 in made.items():
        file = stored[key]
        if file.state != ImageFile.State.STORED or file.sha256 != sha256:
            return False
        with default_storage.open(file.storage_name, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != sha256:
                return False
    return True
