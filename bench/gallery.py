"""Gallery benchmark: seed 1,000 and 100,000 generations and measure the gallery.

    .venv/bin/python bench/gallery.py            # both sizes, prints the Markdown table
    .venv/bin/python bench/gallery.py --sizes 1000

Each size runs in its own process on a throwaway SQLite database and media directory under
/tmp/bench-gallery/<size>/ (never var/). Server time is measured in-process through Django's
test client (middleware, views, queries, templates; no network), as the median of several
requests after a warm-up. Bytes are those of a 60-card page: its HTML plus the 60 1x WebP
thumbnails, against the 60 originals (PNG, 1K) the cards show.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path("/tmp/bench-gallery")  # noqa: S108 (a throwaway benchmark database)
DISTINCT_IMAGES = 60
RUNS = 15
WORDS = [
    *("lighthouse", "forest", "harbour", "desert", "city", "meadow", "glacier", "canyon"),
    *("village", "orchard", "river", "castle", "market", "garden", "bridge", "tower"),
    *("island", "valley", "station", "library"),
]
MOODS = ["dusk", "dawn", "night", "noon", "storm", "fog", "snow", "rain", "summer", "autumn"]
STYLES = ["painterly", "photographic", "watercolour", "isometric", "cinematic", "minimal"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    results = [run_child(int(size)) for size in args.sizes.split(",")]
    print(table(results))


def run_child(size: int) -> dict:
    workdir = BENCH_DIR / str(size)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = {
        **os.environ,
        "DEPICTA_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "depicta_web.settings",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver",
    }
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        sys.exit(f"the {size:,}-row run failed:\n{child.stderr}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    shutil.rmtree(workdir, ignore_errors=True)
    return result


# --- the child: seed, then measure ------------------------------------------------------
def measure(size: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="default", verbosity=0)
    seeded = seed(size)
    return {"rows": size, **seeded, **timings()}


def seed(size: int) -> dict:
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from depicta_web.generations.copying import thumbnails_write
    from depicta_web.generations.models import GeneratedImage, Generation, ImageFile

    started = time.perf_counter()
    people = [
        get_user_model().objects.create_user(name, password="bench-pass-123")  # noqa: S106
        for name in ("alice", "bob", "carol", "dave", "erin")
    ]
    # 60 real pictures, their PNG originals and WebP thumbnails, as the pipeline stores them.
    pictures = [_picture(n, people[0]) for n in range(DISTINCT_IMAGES)]
    for image, original in pictures:
        thumbnails_write(image=image, original=original)
    thumbs = [(image.thumbnail, image.thumbnail_2x) for image, _ in pictures]
    now = timezone.now()
    batch = 5000
    remaining = size - DISTINCT_IMAGES
    made = DISTINCT_IMAGES
    while remaining > 0:
        count = min(batch, remaining)
        rows = [
            Generation(
                author=people[(made + i) % len(people)],
                prompt=_prompt(made + i),
                model="depicta-1" if (made + i) % 3 else "depicta-1-fast",
                resolved_model="depicta-1",
                aspect_ratio="1:1",
                image_size="1K",
                status=Generation.Status.DONE,
                cost_eur=Decimal("0.040000"),
                balance_eur=Decimal("25.000000") - Decimal("0.04") * ((made + i) % 500),
                # Spread over a year, older than the 60 real ones at the top.
                created_at=now - timedelta(minutes=10 + (made + i) * 5),
                responded_at=now - timedelta(minutes=10 + (made + i) * 5, seconds=-8),
            )
            for i in range(count)
        ]
        Generation.objects.bulk_create(rows, batch_size=1000)
        GeneratedImage.objects.bulk_create(
            [
                GeneratedImage(
                    generation=row,
                    width=1024,
                    height=1024,
                    thumbnail=thumbs[(made + i) % DISTINCT_IMAGES][0],
                    thumbnail_2x=thumbs[(made + i) % DISTINCT_IMAGES][1],
                )
                for i, row in enumerate(rows)
            ],
            batch_size=1000,
        )
        made += count
        remaining -= count
    originals = ImageFile.objects.filter(format="png")
    return {
        "seed_seconds": round(time.perf_counter() - started, 1),
        "originals_bytes_60": sum(f.size_bytes for f in originals[:DISTINCT_IMAGES]),
    }


def _prompt(n: int) -> str:
    # "lighthouse" is in every 20th prompt: a search matches 5% of the rows at any size.
    return (
        f"A {WORDS[n % len(WORDS)]} at {MOODS[n // 20 % len(MOODS)]}, "
        f"{STYLES[n // 200 % len(STYLES)]}, study {n}"
    )


def _picture(n: int, author):
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from depicta_web.generations.models import GeneratedImage, Generation, ImageFile
    from depicta_web.generations.storage_names import content_path
    from depicta_web.sandbox.encoding import encode
    from depicta_web.sandbox.painting import render_image

    prompt = _prompt(n)
    png = encode(
        render_image(prompt=prompt, model="depicta-1", aspect_ratio="1:1", image_size="1K"), "png"
    )
    sha = hashlib.sha256(png).hexdigest()
    name = content_path(sha, "png")
    default_storage.save(name, ContentFile(png))
    generation = Generation.objects.create(
        author=author,
        prompt=prompt,
        model="depicta-1",
        resolved_model="depicta-1",
        aspect_ratio="1:1",
        image_size="1K",
        status=Generation.Status.DONE,
        cost_eur="0.040000",
        balance_eur="20.000000",
        created_at=timezone.now() - timezone.timedelta(seconds=n),
        responded_at=timezone.now() - timezone.timedelta(seconds=n - 8),
    )
    image = GeneratedImage.objects.create(generation=generation)
    original = ImageFile.objects.create(
        image=image,
        format="png",
        state=ImageFile.State.STORED,
        storage_name=name,
        sha256=sha,
        expected_sha256=sha,
        size_bytes=len(png),
    )
    return image, original


def timings() -> dict:
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from depicta_web.gallery.selectors import cursor_make
    from depicta_web.generations.models import Generation

    client = Client()
    client.force_login(Generation.objects.first().author)
    total = Generation.objects.count()
    deep_row = Generation.objects.order_by("-created_at", "-id")[int(total * 0.9)]
    deep = cursor_make(deep_row, "newest")
    htmx = {"HX-Request": "true"}
    cases = {
        "first_page": ("/gallery/", {}),
        "deep_page": (f"/gallery/?after={deep}", htmx),
        "search": ("/gallery/?q=lighthouse", {}),
        "search_htmx": ("/gallery/?q=lighthouse", htmx),
        "search_next": ("/gallery/?q=lighthouse&sort=oldest", {}),
        "search_rare": ("/gallery/?q=lighthouse+study+940", {}),
    }
    result = {}
    for label, (url, headers) in cases.items():
        response = client.get(url, headers=headers)  # warm-up (and the cached model list)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                samples.append(time.perf_counter() - started)
        result[f"{label}_ms"] = round(statistics.median(samples) * 1000, 1)
        result[f"{label}_min_ms"] = round(min(samples) * 1000, 1)
        result[f"{label}_queries"] = len(queries)
        result[f"{label}_cards"] = response.content.count(b'<li id="card-')
        assert result[f"{label}_cards"], f"{url} showed no cards"
    page = client.get("/gallery/")
    html = page.content
    shown = Generation.objects.filter(deleted_at=None).order_by("-created_at", "-id")[:60]
    thumbs = [g.images.all()[0] for g in shown.prefetch_related("images")]
    result["page_html_bytes"] = len(html)
    result["thumbs_1x_bytes"] = sum(default_storage.size(i.thumbnail) for i in thumbs)
    result["thumbs_2x_bytes"] = sum(default_storage.size(i.thumbnail_2x) for i in thumbs)
    return result


def table(results: list[dict]) -> str:
    lines = [
        "| measure | " + " | ".join(f"{r['rows']:,} rows" for r in results) + " | ratio |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def row(label: str, key: str, unit: str = "") -> None:
        values = [r[key] for r in results]
        ratio = f"{values[-1] / values[0]:.2f}x" if values[0] else "—"
        cells = [f"{v:,}{unit}" for v in values]
        if key.endswith("_ms"):  # median, and the fastest run (least disturbed by neighbours)
            fastest = [r[key[:-3] + "_min_ms"] for r in results]
            cells = [f"{c} (min {m:,})" for c, m in zip(cells, fastest, strict=True)]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")

    row("first gallery page (60 cards), server time", "first_page_ms", " ms")
    row("page 90% deep in the scroll (htmx), server time", "deep_page_ms", " ms")
    row("search “lighthouse” (5% of rows), server time", "search_ms", " ms")
    row("search, oldest first, server time", "search_next_ms", " ms")
    row("search for a rare prompt (“lighthouse study 940”), server time", "search_rare_ms", " ms")
    row("queries: first page", "first_page_queries")
    row("queries: deep page", "deep_page_queries")
    row("queries: search", "search_queries")
    row("queries: search (htmx, grid only)", "search_htmx_queries")
    for r in results:
        shipped = r["page_html_bytes"] + r["thumbs_1x_bytes"]
        r["share"] = shipped / r["originals_bytes_60"]
        r["share_2x"] = (r["page_html_bytes"] + r["thumbs_2x_bytes"]) / r["originals_bytes_60"]
    lines.append(
        "| bytes for 60 cards (HTML + 1x WebP) / 60 PNG originals | "
        + " | ".join(
            f"{r['page_html_bytes'] + r['thumbs_1x_bytes']:,} / {r['originals_bytes_60']:,} "
            f"= {r['share']:.2%}"
            for r in results
        )
        + " | |"
    )
    lines.append(
        "| same on a 2x screen (HTML + 2x WebP) | "
        + " | ".join(f"{r['share_2x']:.2%}" for r in results)
        + " | |"
    )
    lines.append(
        "| seeding time | " + " | ".join(f"{r['seed_seconds']} s" for r in results) + " | |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
