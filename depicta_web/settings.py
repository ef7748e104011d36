"""depicta-web settings: one file, driven by the environment, failing loudly on bad values.

Laptop defaults need nothing set: SQLite under var/, media under var/media/, and the bundled
Depicta sandbox as the API whenever DEPICTA_API_KEY is empty. DEBUG=false selects the
production profile (see docs/deploy.md).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from depicta_web.lib.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DEPICTA_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite files and local media live here

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "django-insecure-laptop-only-key-never-used-in-production"  # noqa: S105

PORT = env_int("PORT", 8000, minimum=1)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "depicta_web.admin_site.StudioAdminConfig",  # django.contrib.admin, dates checked first
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "depicta_web.accounts",
    "depicta_web.sandbox",
    "depicta_web.generations",
    "depicta_web.gallery",
    "depicta_web.spend",
    "depicta_web.studio",
    "depicta_web.throttle",
    "depicta_web.deploy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "depicta_web.throttle.middleware.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "depicta_web.urls"
WSGI_APPLICATION = "depicta_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "depicta_web.spend.context_processors.balance",
                "depicta_web.spend.context_processors.spend_warnings",
            ],
        },
    },
]


# SQLite in WAL mode with IMMEDIATE transactions lets the web server, several workers and the
# sandbox write at once without "database is locked" errors. The sandbox keeps its own
# database, as the real Depicta keeps its own state: the app never reads the peer's tables.
def _database(url_variable: str, sqlite_name: str) -> dj_database_url.DBConfig:
    url = env_str(url_variable)
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0))
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / f"{sqlite_name}.sqlite3"),
        }
    if config["ENGINE"].endswith("sqlite3"):
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # A file per test run (worker processes are handed its path), so runs never collide.
        config["TEST"] = {"NAME": VAR_DIR / f"test-{sqlite_name}-{os.getpid()}.sqlite3"}
    return config


DATABASES = {
    "default": _database("DATABASE_URL", "db"),
    "sandbox": _database("DEPICTA_SANDBOX_DATABASE_URL", "sandbox"),
}
DATABASE_ROUTERS = ["depicta_web.sandbox.routers.SandboxRouter"]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "studio:index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here once collectstatic has run
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# Media (originals, thumbnails): local files, or an S3-compatible bucket (django-storages).
# S3 credentials are read by boto3 from its usual sources (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, a profile, an instance role), never copied into settings. Files are
# always served through the media view to logged-in users: no bucket URL reaches a browser.
MEDIA_STORAGE = env_str("MEDIA_STORAGE") or "filesystem"
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "location": env_str("AWS_LOCATION"),
            "default_acl": None,  # the bucket stays private; objects inherit its policy
            "querystring_auth": True,  # were a URL ever built, it would be short-lived
            "file_overwrite": True,  # names are content hashes: same name, same bytes
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {MEDIA_STORAGE!r}")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# htmx's own inline indicator styles are turned off (see base.html), so no 'unsafe-inline'.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Failed log-ins (depicta_web.throttle): per username and per client address, in the database
# so every web process counts the same attempts.
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 900, minimum=1)
LOGIN_THROTTLE_PER_USERNAME = env_int("LOGIN_THROTTLE_PER_USERNAME", 5, minimum=1)
LOGIN_THROTTLE_PER_ADDRESS = env_int("LOGIN_THROTTLE_PER_ADDRESS", 20, minimum=1)
# Behind a reverse proxy every request comes from the proxy: name the header it sets to the
# client's address (e.g. X-Real-IP), which it must overwrite. Empty: the connection's address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Depicta -------------------------------------------------------------------------------
# Public (it is in this repository): `check --deploy` refuses a served sandbox that accepts it.
DEPICTA_SANDBOX_LAPTOP_KEY = "dpct_sandbox_laptop_key_0000000000000000000000000"
DEPICTA_SANDBOX_KEYS = env_list("DEPICTA_SANDBOX_KEYS", [DEPICTA_SANDBOX_LAPTOP_KEY])
DEPICTA_API_KEY = env_str("DEPICTA_API_KEY")
# With no key the app talks to its own sandbox: mounted under /sandbox/ of this server, and
# served as its own process by `manage.py studio` (which then sets DEPICTA_BASE_URL). In
# production (DEBUG=false) it is mounted only when asked for: it would serve the internet.
DEPICTA_SANDBOX_ENABLED = env_bool("DEPICTA_SANDBOX_ENABLED", DEBUG and not DEPICTA_API_KEY)
DEPICTA_USES_SANDBOX = not DEPICTA_API_KEY
DEPICTA_BASE_URL = env_str("DEPICTA_BASE_URL") or (
    f"http://127.0.0.1:{PORT}/sandbox" if DEPICTA_USES_SANDBOX else "https://api.depicta.ai"
)
if DEPICTA_USES_SANDBOX:
    if not DEPICTA_SANDBOX_KEYS:
        raise ImproperlyConfigured("DEPICTA_SANDBOX_KEYS is empty and no DEPICTA_API_KEY is set")
    DEPICTA_API_KEY = DEPICTA_SANDBOX_KEYS[0]
# Image URLs are fetched only from these hosts; anything else is refused and logged.
DEPICTA_IMAGE_HOSTS = env_list(
    "DEPICTA_IMAGE_HOSTS",
    sorted({urlsplit(DEPICTA_BASE_URL).hostname or "", "images.depicta.ai"} - {""}),
)
DEPICTA_TIMEOUT_SECONDS = env_float("DEPICTA_TIMEOUT_SECONDS", 120.0, minimum=1)
DEPICTA_MODELS_CACHE_SECONDS = env_int("DEPICTA_MODELS_CACHE_SECONDS", 300, minimum=0)
DEPICTA_MAX_DOWNLOAD_BYTES = env_int("DEPICTA_MAX_DOWNLOAD_BYTES", 200 * 1024 * 1024, minimum=1)
# Image URLs resolving to private, loopback or link-local addresses are refused, except when
# the API is a sandbox (its key is one of DEPICTA_SANDBOX_KEYS), which serves from loopback.
DEPICTA_IMAGE_ALLOW_PRIVATE = env_bool(
    "DEPICTA_IMAGE_ALLOW_PRIVATE", DEPICTA_API_KEY in DEPICTA_SANDBOX_KEYS
)
# Pillow refuses to decode pictures with more pixels than this (a decompression bomb).
DEPICTA_MAX_IMAGE_PIXELS = env_int("DEPICTA_MAX_IMAGE_PIXELS", 64 * 1024 * 1024, minimum=1)
# Depicta allows 10 concurrent requests per key; make run starts this many workers.
DEPICTA_MAX_IN_FLIGHT = env_int("DEPICTA_MAX_IN_FLIGHT", 10, minimum=1)
DEPICTA_POLL_SECONDS = env_float("DEPICTA_POLL_SECONDS", 1.0, minimum=0.2)
# On PostgreSQL each web process listens for generation changes, so an unchanged card's poll
# needs no query (depicta_web/generations/polling.py).
DEPICTA_POLL_LISTEN = env_bool("DEPICTA_POLL_LISTEN", True)
# A queued or saving generation untouched this long, with no task waiting for it, is stuck.
DEPICTA_SWEEP_STUCK_SECONDS = env_float("DEPICTA_SWEEP_STUCK_SECONDS", 30.0, minimum=1)
# How long recovery keeps looking for a job Depicta is still working on before giving up.
DEPICTA_RECOVERY_GIVE_UP_SECONDS = env_float("DEPICTA_RECOVERY_GIVE_UP_SECONDS", 7200.0, minimum=1)

# --- Gallery -------------------------------------------------------------------------------
# Days an image stays in the trash before `manage.py gallery_purge` deletes it for good.
GALLERY_TRASH_DAYS = env_int("GALLERY_TRASH_DAYS", 30, minimum=1)

# --- The sandbox (a peer: it reads only these settings) ------------------------------------
DEPICTA_SANDBOX_URL_TTL_SECONDS = env_int("DEPICTA_SANDBOX_URL_TTL_SECONDS", 3600, minimum=0)
DEPICTA_SANDBOX_FAULTS_ENABLED = env_bool("DEPICTA_SANDBOX_FAULTS_ENABLED", DEBUG)
DEPICTA_SANDBOX_FAULTS = env_str("DEPICTA_SANDBOX_FAULTS")
# Soft quarter-size renders for benchmarks: the sandbox's painting then costs the machine
# little, as Depicta's own rendering costs the studio nothing.
DEPICTA_SANDBOX_DRAFT_RENDER = env_bool("DEPICTA_SANDBOX_DRAFT_RENDER", False)
DEPICTA_SANDBOX_START_BALANCE = env_str("DEPICTA_SANDBOX_START_BALANCE") or "25.000000"
# GET /v1/models: Depicta's documented shape, or the older one for the client's tolerance tests.
DEPICTA_SANDBOX_MODELS_SHAPE = env_choice(
    "DEPICTA_SANDBOX_MODELS_SHAPE", "documented", ("documented", "legacy")
)
DEPICTA_SANDBOX_STATE_DIR = VAR_DIR / "sandbox"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "depicta_web": {"level": env_str("LOG_LEVEL") or "INFO", "propagate": True},
        # httpx logs full request URLs at INFO, and signed image URLs carry their token.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
