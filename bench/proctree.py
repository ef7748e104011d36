"""A process and everything under it, read from Linux's /proc: what `make run` costs a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def tree_pids(root: int) -> set[int]:
    """`root` and every process descended from it."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def tree_cpu_seconds(root: int) -> float:
    """CPU time used so far by `root` and every process under it."""
    total = 0.0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass(frozen=True)
class TreeMemory:
    processes: int
    rss_mib: float  # resident set, summed per process (shared library pages counted in each)
    pss_mib: float  # proportional set: shared pages split between the processes sharing them
    largest: list[tuple[str, float]]  # (command, RSS MiB), largest first

    def __str__(self) -> str:
        groups: dict[str, list[float]] = {}
        for name, mib in self.largest:
            groups.setdefault(name, []).append(mib)
        parts = ", ".join(
            f"{name} {sizes[0]:.0f}"
            if len(sizes) == 1
            else f"{name} {len(sizes)}x up to {sizes[0]:.0f}"
            for name, sizes in groups.items()
        )
        return (
            f"{self.processes} processes, RSS {self.rss_mib:.0f} MiB "
            f"(PSS {self.pss_mib:.0f} MiB): {parts}"
        )


def tree_memory(root: int) -> TreeMemory:
    rows = []
    pss = 0.0
    for pid in tree_pids(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        rss = _kib(status, "VmRSS:")
        pss += _kib(rollup, "Pss:") / 1024
        name = " ".join(Path(part.decode()).name for part in command[1:3] if part)
        rows.append((name, rss / 1024))
    rows.sort(key=lambda row: -row[1])
    return TreeMemory(len(rows), sum(mib for _, mib in rows), pss, rows)


def _kib(text: str, label: str) -> float:
    for line in text.splitlines():
        if line.startswith(label):
            return float(line.split()[1])
    return 0.0
