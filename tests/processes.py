"""Real task-worker processes for tests: `manage.py worker` on the test databases.

The live server (app + sandbox) runs inside the test process; workers are separate processes,
as in production, so they can be killed with SIGKILL mid-call or mid-download. Each process
runs `loops` claim loops (threads), as `make run`'s does, so one kill takes several tasks down.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connections

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def _database_url(alias: str) -> str:
    """The URL of the test database behind `alias` (SQLite file or PostgreSQL database)."""
    config = connections[alias].settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    if config["ENGINE"].endswith("postgresql"):
        user = quote(config.get("USER") or "", safe="")
        password = quote(config.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = config.get("HOST") or "127.0.0.1"
        port = f":{config['PORT']}" if config.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(config['NAME'], safe='')}"
    raise NotImplementedError(f"no URL for {config['ENGINE']}")


def worker_env(*, base_url: str, **extra: str) -> dict[str, str]:
    """The environment a worker needs to share the test's databases, media and API."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url("default"),
        "DEPICTA_SANDBOX_DATABASE_URL": _database_url("sandbox"),
        "DEPICTA_BASE_URL": base_url,
        "DEPICTA_API_KEY": settings.DEPICTA_API_KEY,
        "DEPICTA_IMAGE_HOSTS": urlsplit(base_url).hostname or "",
        "DEPICTA_TIMEOUT_SECONDS": str(settings.DEPICTA_TIMEOUT_SECONDS),
        "DEPICTA_MAX_IN_FLIGHT": str(settings.DEPICTA_MAX_IN_FLIGHT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


class WorkerPool:
    """Starts, kills and stops `manage.py worker` processes (and optionally a sweeper)."""

    def __init__(self, env: dict[str, str], *, loops: int = 1) -> None:
        self.env = env
        self.loops = loops
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int = 1) -> list[subprocess.Popen]:
        """`count` processes of `self.loops` claim loops each."""
        command = [
            sys.executable,
            MANAGE,
            "worker",
            "--loops",
            str(self.loops),
            "--",
            "--interval",
            "0.1",
            "--no-reload",
            "--no-startup-delay",
        ]
        started = [
            subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL) for _ in range(count)
        ]
        self.processes += started
        return started

    def start_sweeper(self, every: float) -> subprocess.Popen:
        command = [sys.executable, MANAGE, "sweep_generations", "--every", str(every)]
        sweeper = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL)
        self.processes.append(sweeper)
        return sweeper

    def kill(self, processes: list[subprocess.Popen] | None = None) -> None:
        """SIGKILL: no cleanup, no `finally`, a task row left RUNNING forever."""
        for process in processes if processes is not None else self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")
