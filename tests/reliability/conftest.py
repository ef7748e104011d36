import json
import os
import uuid

import pytest

from ..conftest import generation_make
from ..processes import WorkerPool, worker_env
from .audit import Audit

# ≥ 20 per fault in the suite; bench/fault_matrix.py runs the same tests with 200.
BATCH = int(os.environ.get("FAULT_MATRIX_BATCH", "20"))
# Claim loops in all, in worker processes of LOOPS each (make run: every loop in one process),
# so a SIGKILL takes several tasks down at once.
WORKERS = int(os.environ.get("FAULT_MATRIX_WORKERS", "4"))
LOOPS = int(os.environ.get("FAULT_MATRIX_LOOPS", "2"))
PROCESSES = -(-WORKERS // LOOPS)
# Where bench/fault_matrix.py collects each fault's row (one JSON object per line).
REPORT = os.environ.get("FAULT_MATRIX_REPORT", "")


@pytest.fixture
def faulty_sandbox(sandbox, settings):
    """The sandbox with faults switched on, money enough for a long batch, quick sweeps."""
    settings.DEPICTA_SANDBOX_FAULTS_ENABLED = True
    settings.DEPICTA_SANDBOX_START_BALANCE = "1000.000000"
    # No fault here relies on a timeout, and a busy machine must not cause one.
    settings.DEPICTA_TIMEOUT_SECONDS = 60
    return sandbox


@pytest.fixture
def fleet(faulty_sandbox):
    """Real worker processes on the test databases; the test starts and kills them."""
    pool = WorkerPool(
        worker_env(base_url=faulty_sandbox, DEPICTA_SWEEP_STUCK_SECONDS="3"), loops=LOOPS
    )
    yield pool
    pool.stop()


@pytest.fixture
def batch(alice):
    """Queue `count` generations, each with a unique prompt so the sandbox's books name it."""
    run = uuid.uuid4().hex[:8]

    def make(count: int = BATCH, *, model: str = "flux-schnell"):
        return [
            generation_make(
                alice,
                model=model,
                prompt=f"Fault matrix {run} #{n}: a lighthouse on a cliff at dusk",
                aspect_ratio="1:1",
            )
            for n in range(count)
        ]

    return make


def audit_report(audit: Audit, seconds: float) -> None:
    if REPORT:
        with open(REPORT, "a") as out:
            out.write(json.dumps({**audit.row(), "seconds": round(seconds, 1)}) + "\n")
