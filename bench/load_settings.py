"""Settings for bench/load.py's servers: the production profile plus a bare view to compare."""

import os

from depicta_web.settings import *  # noqa: F403

ROOT_URLCONF = os.environ.get("LOAD_URLCONF") or "bench.load_urls"
