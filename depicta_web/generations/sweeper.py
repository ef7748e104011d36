"""Finds generations whose worker died or whose task was lost, and sets them going again.

A `db_worker` killed mid-task leaves its task row RUNNING forever and retries nothing, so the
generation's own status (and who claimed it) is what the sweeper reads, never the task row.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .concurrency import slot_release
from .models import Generation
from .scheduling import FollowUp, Work
from .tasks import task_schedule

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)
    recovering: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.requeued or self.recovering)


def _worker_dead(claimed_by: str) -> bool | None:
    """True/False for a worker on this host; None when it ran elsewhere (use the lease)."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _waiting_task_ids() -> set[str]:
    rows = DBTaskResult.objects.filter(status="READY").values_list("args_kwargs", flat=True)
    return {str(row.get("kwargs", {}).get("generation_id")) for row in rows}


def generations_sweep() -> SweepReport:
    now = timezone.now()
    stuck_after = timedelta(seconds=settings.DEPICTA_SWEEP_STUCK_SECONDS)
    lease = timedelta(seconds=settings.DEPICTA_TIMEOUT_SECONDS + 60)
    waiting = _waiting_task_ids()
    report = SweepReport()
    stuck = Generation.objects.filter(
        Q(status=Generation.Status.QUEUED, updated_at__lt=now - stuck_after)
        | Q(
            status__in=[
                Generation.Status.GENERATING,
                Generation.Status.RECOVERING,
                Generation.Status.SAVING,
            ]
        )
    ).only("pk", "status", "claimed_by", "updated_at")
    for generation in stuck:
        key = str(generation.pk)
        if key in waiting:
            continue
        if generation.status == Generation.Status.QUEUED:
            task_schedule(FollowUp(Work.GENERATE), generation_id=key)
            report.requeued.append(key)
            continue
        dead = _worker_dead(generation.claimed_by)
        orphaned = dead if dead is not None else generation.updated_at < now - lease
        if not orphaned:
            continue
        slot_release(holder=generation.pk)  # a dead worker's API slot is free at once
        if generation.status == Generation.Status.SAVING:
            # Finishes the copying, ahead of new submits: the URLs expire.
            task_schedule(FollowUp(Work.GENERATE, urgent=True), generation_id=key)
            report.requeued.append(key)
        else:
            # Marked at once: a generation whose worker died no longer counts as waiting for
            # its own answer when others match jobs by time (see recovering.py).
            generation.mark_recovering("The worker sending this request stopped; recovering.")
            task_schedule(FollowUp(Work.RECOVER), generation_id=key)
            report.recovering.append(key)
    if report:
        logger.info("sweep: requeued %s, recovering %s", report.requeued, report.recovering)
    return report
