"""Several task claim loops in one process, and optionally the sweeper beside them.

A generation's task spends nearly all its time waiting: on Depicta's synchronous generate call,
then on the downloads. A process per task (django-tasks-db's `db_worker` runs one task at a
time) cost about 95 MiB and 0.8 CPU-s to start each; a thread costs a few hundred KiB. Each
loop is `db_worker`'s own `Worker`, so tasks are claimed exactly as `db_worker` claims them
(SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite), each loop
with its own worker id and, as Django's connections are per thread, its own connection.

A process killed with SIGKILL takes every task of its loops with it; the sweeper heals each of
them by its generation's status and `claimed_by` (host:pid, the same for every loop of the
process), exactly as it healed one task of a one-task process (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from .sweeper import generations_sweep

logger = logging.getLogger(__name__)

# glibc malloc settings: environment variable, value, mallopt() parameter (M_ARENA_MAX and
# M_MMAP_THRESHOLD in malloc.h). See malloc_gives_back.
MALLOC_SETTINGS = (("MALLOC_ARENA_MAX", "2", -8), ("MALLOC_MMAP_THRESHOLD_", "131072", -3))


class ClaimLoops:
    """`count` db_worker loops, and a sweep every `sweep_every` seconds (0: none), as threads.

    `worker` holds db_worker's own options (`Worker`'s keyword arguments); loop n runs as
    `<worker_id>-<n>` (the id alone when there is one loop)."""

    def __init__(self, *, count: int, sweep_every: float = 0, **worker: Any) -> None:
        base_id = str(worker.pop("worker_id"))
        self.workers = [
            Worker(**worker, worker_id=base_id if count == 1 else f"{base_id}-{n}")
            for n in range(count)
        ]
        self.sweep_every = sweep_every
        self.failure: BaseException | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            self._spawn(worker.run, f"claim-loop {worker.worker_id}")
        if self.sweep_every:
            self._spawn(self._sweep_forever, "sweeper")

    def stop(self) -> None:
        """Ask every loop to stop once its current task is done; idle loops stop at once."""
        self._stopping.set()
        for worker in self.workers:
            worker.running = False

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True once every loop and the sweeper have ended."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not self.alive

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        # Daemon threads: a second Ctrl+C (or the end of the grace period) ends the process
        # without waiting for a task in flight; the sweeper heals it, as after a kill.
        thread = threading.Thread(target=self._guarded, args=(target,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _guarded(self, target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:
            # A loop that died (its database gone, say) stops the others: the process ends
            # with an error and whatever supervises it sees that, as with one db_worker.
            logger.exception("%s stopped", threading.current_thread().name)
            self.failure = self.failure or exc
            self.stop()
        finally:
            connections.close_all()  # this thread's own connections

    def _sweep_forever(self) -> None:
        while not self._stopping.wait(self.sweep_every):
            try:
                generations_sweep()  # logs what it set going again
            except Exception:
                # One failed sweep (a locked database, a restart of PostgreSQL) is not worth
                # stopping the loops for; the next one tries again.
                logger.exception("sweep failed; trying again in %s s", self.sweep_every)
                connections.close_all()


def db_worker_options(args: list[str], *, stdout: Any = None) -> dict[str, Any]:
    """db_worker's own command-line options (`--interval 0.5 --worker-id …`), read by db_worker's
    own parser, as `Worker`'s keyword arguments; sets up its logging as db_worker does."""
    command = DbWorkerCommand(stdout=stdout)
    options = vars(command.create_parser("manage.py", "db_worker").parse_args(args))
    command.configure_logging(options["verbosity"])
    excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
    if excluded and "*" not in options["queue_name"].split(","):
        raise CommandError("--exclude-queues can only be used with --queue-name=*")
    return {
        "queue_names": options["queue_name"].split(","),
        "excluded_queue_names": excluded,
        "interval": options["interval"],
        "batch": options["batch"],
        "backend_name": options["backend_name"],
        "startup_delay": options["startup_delay"],
        "max_tasks": options["max_tasks"],
        "worker_id": options["worker_id"],
    }


def malloc_gives_back(children_env: dict[str, str] | None = None) -> None:
    """Make glibc's malloc hand freed memory back to the system: in this process, before its
    loops start, and (through `children_env`) in the processes it starts.

    By default each thread that allocates at once gets a heap ("arena") of its own, up to 8 per
    core, and a buffer freed in the middle of a heap stays resident; after the first big buffer
    is freed, glibc also stops giving buffers of up to 32 MiB pages of their own. Downloads and
    decoded pictures (MBs each) then stayed in the heaps of 15 loops and of the servers' request
    threads: `make run` held about 150 MiB more after a batch (docs/benchmarks.md). Two arenas,
    and a page mapping of its own for every buffer over 128 KiB (unmapped when freed), cost a
    few page faults per picture. A setting already in the environment is left alone."""
    for variable, value, parameter in MALLOC_SETTINGS:
        if variable in os.environ:
            continue  # the developer's own choice, which glibc has already read
        if children_env is not None:
            children_env[variable] = value
        # Not glibc (macOS): no such setting, and nothing to do.
        with contextlib.suppress(AttributeError, OSError):
            ctypes.CDLL(None).mallopt(parameter, int(value))
