"""What a step of the pipeline leaves for later, described as data: the task that ran the step
(tasks.py) schedules it, so the pipeline never imports the tasks that call it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Work(StrEnum):
    GENERATE = "generate"  # send a queued generation, or finish copying a saved one
    RECOVER = "recover"  # find the job of a generation whose answer was lost


@dataclass(frozen=True)
class FollowUp:
    work: Work
    delay_seconds: float | None = None  # None: no time set, ready as soon as a worker is free
    urgent: bool = False
