"""The fault matrix at scale: the suite's fault tests with a bigger batch, table into the docs.

    .venv/bin/python bench/fault_matrix.py [--batch 200] [--workers 6] [--loops 3] [-k EXPR]

Runs tests/reliability/test_fault_matrix.py (real worker processes, the sandbox over real
HTTP) with FAULT_MATRIX_BATCH generations per fault and `--workers` claim loops in processes of
`--loops` each (a kill takes that many tasks down), collects each fault's audit, and writes
the table between the markers in docs/reliability.md. Exits non-zero if any fault fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- fault-matrix:start -->", "<!-- fault-matrix:end -->"
COLUMNS = (
    ("fault", "fault"),
    ("generations", "generations"),
    ("done", "done"),
    ("charged", "sandbox charges"),
    ("lost_images", "lost images"),
    ("double_charges", "double charges"),
    ("balance_equal", "app balance = sandbox"),
    ("resends_after_failed_job", "resent after a failed (uncharged) job"),
    ("matched_by_time", "matched by time"),
    ("swapped_between_siblings", "paired with a sibling's prompt"),
    ("seconds", "seconds"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--workers", type=int, default=6, help="claim loops in all")
    parser.add_argument("--loops", type=int, default=3, help="claim loops per worker process")
    parser.add_argument("-k", default="every_paid or killed", help="pytest -k expression")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave the docs")
    args = parser.parse_args()

    report = Path(tempfile.mkstemp(prefix="fault-matrix-", suffix=".jsonl")[1])
    env = {
        **os.environ,
        "FAULT_MATRIX_BATCH": str(args.batch),
        "FAULT_MATRIX_WORKERS": str(args.workers),
        "FAULT_MATRIX_LOOPS": str(args.loops),
        "FAULT_MATRIX_REPORT": str(report),
    }
    started = time.monotonic()
    outcome = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/reliability/test_fault_matrix.py",
            "-k",
            args.k,
            "-q",
            "-p",
            "no:cacheprovider",
            "--timeout",
            str(600 + args.batch * 10),
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    rows = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    report.unlink()
    table = _table(rows, args, time.monotonic() - started, outcome.returncode)
    print(table)
    if not args.no_doc:
        _write(table)
    sys.exit(outcome.returncode)


def _table(rows: list[dict], args: argparse.Namespace, seconds: float, code: int) -> str:
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(_cell(row.get(key)) for key, _ in COLUMNS) + " |" for row in rows]
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("generations", "done", "charged", "lost_images", "double_charges")
    }
    return "\n".join(
        [
            f"Command: `.venv/bin/python bench/fault_matrix.py --batch {args.batch} "
            f"--workers {args.workers} --loops {args.loops}` ({time.strftime('%Y-%m-%d')}, "
            f"{platform.machine()}, "
            f"{os.cpu_count()} cores, {seconds / 60:.1f} min, pytest exit code {code}).",
            "",
            head,
            rule,
            *body,
            "",
            f"Totals: {totals['generations']} generations, {totals['done']} done, "
            f"{totals['charged']} charges, {totals['lost_images']} lost images, "
            f"{totals['double_charges']} double charges.",
        ]
    )


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**NO**"
    return "" if value is None else str(value)


def _write(table: str) -> None:
    text = DOC.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(f"{before}{START}\n{table}\n{END}{after}")


if __name__ == "__main__":
    main()
