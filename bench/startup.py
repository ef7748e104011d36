"""`make run` on a fresh laptop: from migrations done to the studio answering, and its cost.

    .venv/bin/python bench/startup.py [--repeat 5]

Each run takes a throwaway DEPICTA_VAR_DIR and free ports and runs the Makefile's own `run`
recipe step by step: the migrations, then, timed, every later step (the last, `manage.py
studio`, in the background), asking for the studio's URL (`/`, following the log-in redirect)
every 50 ms until it answers 200. Then it waits until the process tree is quiet and notes its
processes, resident memory and the CPU seconds they spent starting. Prints each run and the
medians. Loopback only; it stops everything it started and removes its files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from proctree import tree_cpu_seconds, tree_memory

ROOT = Path(__file__).resolve().parent.parent
# The developer's own configuration must not leak into a laptop-style run.
IDLE_SECONDS = 20
NOT_INHERITED = ("DATABASE_URL", "DEPICTA_SANDBOX_DATABASE_URL", "DEPICTA_API_KEY", "MEDIA_ROOT")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_recipe() -> list[list[str]]:
    """The commands of the Makefile's `run` target, `$(PY)` and `$(PORT)` filled in."""
    lines = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].splitlines()[1:]
    steps = []
    for line in lines:
        if not line.startswith("\t"):
            break
        words = line.split()
        words = [w for w in words if not w.startswith("PORT=")]  # PORT comes from the env
        steps.append([sys.executable if w == "$(PY)" else w for w in words])
    return steps


def _first_200(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, follow_redirects=True, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} never answered 200")


def _quiet(root: int, timeout: float = 90) -> float:
    """Wait until the tree uses less than a tenth of a core over a second; its CPU-s so far."""
    deadline = time.monotonic() + timeout
    before = tree_cpu_seconds(root)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = tree_cpu_seconds(root)
        if now - before < 0.1:
            return now
        before = now
    return before


def run_once() -> dict:
    """A fresh laptop's first `make run`, then a second one on the same files."""
    var_dir = tempfile.mkdtemp(prefix="depicta-startup-")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DEPICTA_VAR_DIR=var_dir, PORT=str(port), DEPICTA_SANDBOX_PORT=str(_free_port()))
    try:
        first = _make_run(env, port, measure=True)
        again = _make_run(env, port, measure=False)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return {**first, "again": again["answered"]}


def _make_run(env: dict[str, str], port: int, *, measure: bool) -> dict:
    steps = _run_recipe()
    migrations = [step for step in steps if "migrate" in step]
    for step in migrations:
        subprocess.run(step, env=env, check=True, capture_output=True, cwd=ROOT)
    started = time.monotonic()  # migrations done
    *before, last = steps[len(migrations) :]
    for step in before:
        subprocess.run(step, env=env, check=True, capture_output=True, cwd=ROOT)
    studio = subprocess.Popen(
        last,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _first_200(f"http://127.0.0.1:{port}/", studio)
        run = {"answered": time.monotonic() - started}
        if measure:
            run.update(cpu=_quiet(studio.pid), memory=tree_memory(studio.pid))
            time.sleep(IDLE_SECONDS)  # what waiting for work costs (idle loops look at the queue)
            run["idle"] = (tree_cpu_seconds(studio.pid) - run["cpu"]) / IDLE_SECONDS
    finally:
        studio.terminate()  # SIGINT is ignored when the bench runs in the background
        try:
            studio.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(studio.pid, signal.SIGKILL)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for n in range(args.repeat):
        run = run_once()
        runs.append(run)
        print(
            f"run {n + 1}: first 200 after {run['answered']:.2f} s (second start "
            f"{run['again']:.2f} s); studio's start-up {run['cpu']:.1f} CPU-s; idle: "
            f"{run['idle']:.1%} of a core, {run['memory']}; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    answered = [r["answered"] for r in runs]
    print(
        f"median of {len(runs)}: first 200 after {statistics.median(answered):.2f} s "
        f"(min {min(answered):.2f}, max {max(answered):.2f}), second start "
        f"{statistics.median(r['again'] for r in runs):.2f} s; start-up "
        f"{statistics.median(r['cpu'] for r in runs):.1f} CPU-s; idle "
        f"{statistics.median(r['idle'] for r in runs):.1%} of a core and RSS "
        f"{statistics.median(r['memory'].rss_mib for r in runs):.0f} MiB "
        f"in {runs[0]['memory'].processes} processes"
    )


if __name__ == "__main__":
    main()
