"""What a sandbox picture costs: CPU per stage of painting, encoding and signing, and file sizes.

    .venv/bin/python bench/sandbox_render.py [--size 1K 2K 4K] [--ratio 1:1] [--repeat 5]

For each size, every stage's CPU milliseconds per picture (process time, so other processes on
the machine count for little) as the median of `--repeat` runs per prompt, averaged over six
prompts, one of each terrain; then each format's file size. `total` is a full picture with its
three encodes and C2PA signatures; `draft paint` (a whole draft picture, without encodes) is
there to compare and not in the total. The machine is shared: run it a few times and compare
medians. docs/benchmarks.md ("Sandbox pictures") has the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from depicta_web.depicta.schema import IMAGE_FORMATS, IMAGE_SIZES, MIME_TYPES  # noqa: E402
from depicta_web.sandbox import credentials  # noqa: E402
from depicta_web.sandbox.encoding import encode  # noqa: E402
from depicta_web.sandbox.painting import render_image  # noqa: E402

SAMPLE_PROMPTS = (
    "a lighthouse by the sea at night",
    "sunset over the mountains",
    "a pine forest in the morning",
    "neon city skyline at night",
    "desert dunes at dawn",
    "rolling hills",
)
MODEL = "flux-pro"


class Laps:
    """CPU seconds by stage: each call charges the time since the previous one to `stage`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.process_time()

    def __call__(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


Signer = Callable[[bytes, str], None]
Run = tuple[dict[str, float], dict[str, int]]  # seconds by stage, bytes by format


def stage_costs(
    prompts: tuple[str, ...] = SAMPLE_PROMPTS,
    *,
    aspect_ratio: str = "1:1",
    image_size: str = "1K",
    repeat: int = 5,
) -> tuple[dict[str, float], dict[str, int]]:
    """CPU milliseconds per picture by stage, and mean file size in KiB by format."""
    with tempfile.TemporaryDirectory() as state_dir:
        sign = _signer(Path(state_dir))
        per_prompt = []
        for prompt in prompts:
            # Untimed first: a running sandbox has its caches (the vignette's mask per size,
            # the grain's tiles) warm.
            _one_picture(prompt, aspect_ratio, image_size, sign)
            per_prompt.append(
                [_one_picture(prompt, aspect_ratio, image_size, sign) for _ in range(repeat)]
            )
    return _stage_medians(per_prompt), _file_sizes(per_prompt)


def _signer(state_dir: Path) -> Signer:
    def sign(data: bytes, fmt: str) -> None:
        credentials.sign_image(
            data,
            mime=MIME_TYPES[fmt],
            model=MODEL,
            created_at=datetime.now(UTC),
            title=f"measure.{fmt}",
            state_dir=state_dir,
        )

    return sign


def _arguments(prompt: str, aspect_ratio: str, image_size: str) -> dict[str, str]:
    return {
        "prompt": prompt,
        "model": MODEL,
        "aspect_ratio": aspect_ratio,
        "image_size": image_size,
    }


def _one_picture(prompt: str, aspect_ratio: str, image_size: str, sign: Signer) -> Run:
    """One full picture, encoded and signed in every format, then one draft: seconds by stage
    and bytes by format."""
    arguments = _arguments(prompt, aspect_ratio, image_size)
    laps = Laps()
    picture = render_image(**arguments, lap=laps)
    sizes: dict[str, int] = {}
    for fmt in IMAGE_FORMATS:
        data = encode(picture, fmt)
        laps(f"encode {fmt}")
        sign(data, fmt)
        laps(f"sign {fmt}")
        sizes[fmt] = len(data)
    render_image(**arguments, draft=True)
    laps("draft paint")
    return laps.seconds, sizes


def _stage_medians(per_prompt: list[list[Run]]) -> dict[str, float]:
    stages = dict.fromkeys(stage for runs in per_prompt for seconds, _ in runs for stage in seconds)
    costs = {
        stage: 1000
        * statistics.mean(
            statistics.median(seconds.get(stage, 0.0) for seconds, _ in runs) for runs in per_prompt
        )
        for stage in stages
    }
    costs["total"] = sum(value for stage, value in costs.items() if stage != "draft paint")
    return {stage: round(value, 1) for stage, value in costs.items()}


def _file_sizes(per_prompt: list[list[Run]]) -> dict[str, int]:
    # The same arguments give the same bytes, so a prompt's first run stands for all of them.
    return {
        fmt: round(statistics.mean(runs[0][1][fmt] for runs in per_prompt) / 1024)
        for fmt in IMAGE_FORMATS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", nargs="+", choices=IMAGE_SIZES, default=["1K"])
    parser.add_argument("--ratio", default="1:1")
    parser.add_argument("--repeat", type=int, default=5, help="runs per prompt (median)")
    parser.add_argument("--prompt", action="append", help="instead of the six sample prompts")
    args = parser.parse_args()
    prompts = tuple(args.prompt or SAMPLE_PROMPTS)
    for image_size in args.size:
        costs, sizes = stage_costs(
            prompts, aspect_ratio=args.ratio, image_size=image_size, repeat=args.repeat
        )
        print(f"{image_size} {args.ratio}: CPU ms per picture, median of {args.repeat} runs")
        for stage, milliseconds in costs.items():
            print(f"  {stage:16} {milliseconds:7.1f}")
        print("  file size, KiB: " + ", ".join(f"{fmt} {kib}" for fmt, kib in sizes.items()))


if __name__ == "__main__":
    main()
