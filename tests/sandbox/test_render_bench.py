"""bench/sandbox_render.py: what a picture costs, stage by stage, and its file sizes."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_render_bench_reports_every_stage_and_each_file_size():
    done = subprocess.run(
        [sys.executable, "bench/sandbox_render.py", "--repeat", "1", "--prompt", "a harbour"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    costs = {
        stage: float(ms)
        for stage, ms in re.findall(r"^  ([a-z ]+?) +(\d+\.\d)$", done.stdout, re.MULTILINE)
    }
    for stage in ("plan", "sky", "landscape", "vignette", "grain", "draft paint", "total"):
        assert costs[stage] >= 0, stage
    for fmt in ("png", "jpeg", "webp"):
        assert costs[f"encode {fmt}"] > 0
        assert costs[f"sign {fmt}"] > 0
    encodes = sum(value for stage, value in costs.items() if stage.startswith("encode"))
    assert costs["total"] >= encodes
    sizes = re.search(r"file size, KiB: png (\d+), jpeg (\d+), webp (\d+)", done.stdout)
    assert sizes, done.stdout
    assert all(int(kib) > 0 for kib in sizes.groups())
