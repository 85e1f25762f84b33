"""Settings for the Telnyx AI portal, read from the environment (see .env.example).

With no TELNYX_API_KEY the portal runs in sandbox mode: it talks over real HTTP to the
emulator mounted at /sandbox/v2/ on this same server. With a key it talks to Telnyx.
Nothing else differs.
"""

import base64
import hashlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
TELNYX_API_KEY = env.str("TELNYX_API_KEY", default="")
SANDBOX_MODE = not TELNYX_API_KEY
# Sandbox only: a stable key so sessions survive restarts. The repository publishes it, so
# anyone could sign a session with it; the prefix makes `check --deploy` report it (W009).
BUILT_IN_SECRET_KEY = "django-insecure-local-sandbox-key-" + "x" * 40
SECRET_KEY = env.str("SECRET_KEY", default="")
# A real key never runs on the published key, whatever DEBUG says (DEBUG is no promise that
# the server is unreachable). Tests set no key of their own and run in sandbox mode.
if (not SECRET_KEY or SECRET_KEY == BUILT_IN_SECRET_KEY) and not SANDBOX_MODE and "pytest" not in sys.modules:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or is the built-in sandbox key, which the repository publishes). "
        "Against real Telnyx the portal needs a secret key of its own, DEBUG or not "
        "(sessions, CSRF and password resets are signed with it): set SECRET_KEY in the "
        "environment or .env, e.g. to the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
SECRET_KEY = SECRET_KEY or BUILT_IN_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)

# --- Telnyx ------------------------------------------------------------------------------
# The sandbox is mounted whenever we run without a real key, or when asked for explicitly.
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=SANDBOX_MODE)
# The key the sandbox accepts, and the one the portal sends to it in sandbox mode.
SANDBOX_API_KEY = env.str("SANDBOX_API_KEY", default="KEYSANDBOX_local_demo_key")
TELNYX_BASE_URL = env.str(
    "TELNYX_BASE_URL",
    default=(f"http://127.0.0.1:{PORT}/sandbox/v2" if SANDBOX_MODE else "https://api.telnyx.com/v2"),
).rstrip("/")
TELNYX_CONNECT_TIMEOUT = env.float("TELNYX_CONNECT_TIMEOUT", default=5.0)
TELNYX_READ_TIMEOUT = env.float("TELNYX_READ_TIMEOUT", default=30.0)
TELNYX_MAX_RETRIES = env.int("TELNYX_MAX_RETRIES", default=2)
# Seconds a cached listing counts as fresh; older listings refresh themselves after render.
CACHE_TTL = env.int("CACHE_TTL", default=300)
# Assistants with no canary (none now, none ended or saved lately, none on a page lately) have it
# read once in this many seconds, spread over the sweeps; the others at every sweep (CACHE_TTL).
CANARY_COLD_SECONDS = env.int("CANARY_COLD_SECONDS", default=3600)

if TELNYX_API_KEY and SANDBOX_ENABLED and not DEBUG and not env.bool("SANDBOX_WITH_REAL_KEY", default=False):
    raise ImproperlyConfigured(
        "A real TELNYX_API_KEY is configured and SANDBOX_ENABLED is on. Turn one off, "
        "or set SANDBOX_WITH_REAL_KEY=true if you really want both."
    )

# --- Releases ----------------------------------------------------------------------------
# A promotion or a held rollout step needs a second Admin (per-assistant choice overrides).
RELEASES_TWO_PERSON_APPROVAL = env.bool("RELEASES_TWO_PERSON_APPROVAL", default=False)
# "Try in chat" on a version that is not live routes just that chat's conversation to it with a
# canary rule matching this routing attribute (the sandbox routes on conversation_id; the SDK
# does not list Telnyx's attributes, so each reply is checked). Empty: the button is not offered.
ASSISTANTS_TRIAL_CHAT_ATTRIBUTE = env.str("ASSISTANTS_TRIAL_CHAT_ATTRIBUTE", default="conversation_id")
# Hours an approval request (and an approval not yet used) stays valid.
RELEASES_APPROVAL_TTL_HOURS = env.float("RELEASES_APPROVAL_TTL_HOURS", default=24.0)
# Who gets rollout alerts (comma-separated); empty = every Admin with an email address.
RELEASES_ALERT_EMAILS = env.list("RELEASES_ALERT_EMAILS", default=[])
# Slack-compatible webhooks release alerts are posted to (admin-configured only, as ALERT_WEBHOOK_URLS).
RELEASES_ALERT_WEBHOOK_URLS = env.list("RELEASES_ALERT_WEBHOOK_URLS", default=[])

# --- Sandbox behaviour -------------------------------------------------------------------
# Seconds simulated asynchronous work (test runs, embeddings, clusters, jobs) takes.
SANDBOX_ASYNC_SECONDS = env.float("SANDBOX_ASYNC_SECONDS", default=4.0)
# Global fault injection, e.g. "status=503,rate=0.2" or "latency=300" (see sandbox/faults.py).
SANDBOX_FAULTS = env.str("SANDBOX_FAULTS", default="")
SANDBOX_SEED = env.int("SANDBOX_SEED", default=7)
# No kinder than Telnyx (sandbox/README.md): requests per key per window ("off" for none), an
# optional latency profile "<median ms>/<p95 ms>", and the only URLs webhooks may be sent to.
SANDBOX_RATE_LIMIT = env.str("SANDBOX_RATE_LIMIT", default="20/1")
SANDBOX_LATENCY = env.str("SANDBOX_LATENCY", default="")
SANDBOX_WEBHOOK_ALLOWED_URLS = env.list("SANDBOX_WEBHOOK_ALLOWED_URLS", default=[])
# Pause between streamed reply events (ms), so a demo or a test can watch a reply arrive and stop it.
SANDBOX_STREAM_DELAY_MS = env.int("SANDBOX_STREAM_DELAY_MS", default=0)
# The sandbox account's webhook signing key (a base64 Ed25519 private seed: the emulator's, never
# a real account's). Derived from SECRET_KEY unless set; in sandbox mode the portal trusts its
# public half (portal/telnyx/webhook_keys.py) when TELNYX_PUBLIC_KEY is empty.
SANDBOX_WEBHOOK_SIGNING_KEY = env.str("SANDBOX_WEBHOOK_SIGNING_KEY", default="") or base64.b64encode(
    hashlib.sha256(f"sandbox-webhooks:{SECRET_KEY}".encode()).digest()).decode()

# --- Django ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "portal",
    "core",
    "assistants",
    "testing",
    "knowledge",
    "conversations",
    "inference",
    "mcp_servers",
    "shared_tools",
    "integrations",
    "releases",
    "monitoring",
    "sandbox",
    "console",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.generations.GenerationsPerRequest",  # before anything that reads a generation (permissions)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF's process_view reads a body: too large is a 413 here.
    "portal.request_limits.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before the login check reads the session: what the view asked to read rides on that query.
    "portal.read_ahead.ReadAheadMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "console.preferences.TimeZoneMiddleware",  # dates in the reader's chosen zone (from process_view: after the read-ahead)
    "core.middleware.TelnyxErrorMiddleware",
    "core.waiting.WaitingMiddleware",  # the worker banner shows only on pages that wait on a worker
    # Last, as its documentation asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "core.context_processors.worker",
            ],
            # {% partialdef %} everywhere without a {% load %}, as it is built in from Django 6.
            "builtins": ["template_partials.templatetags.partials",
                         # `|when`: every date in one format, in the reader's zone (UTC on hover).
                         "core.templatetags.when_tags"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The portal calls its own sandbox over HTTP from inside a request: WAL and a busy
    # timeout let those overlapping connections wait instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_PREPARED", default=False):
    # Server-side binding with psycopg's prepared statements: a query run on one connection
    # `prepare_threshold` times is planned once, not on every view. Off by default: pgbouncer in
    # transaction mode (and other poolers that hand a session's statements to another) breaks it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": True,
        "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5),
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "portal.session_engines.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Not cached: a per-process cache would keep serving a session another process ended.
    SESSION_ENGINE = "portal.session_engines.db"

# --- Background work (Celery; portal/celery.py) -------------------------------------------
# The broker carries task messages only: what pages show (progress, outcome, last error)
# is written to our own tables (SyncState, TaskRecord), so no result backend is needed.
# With REDIS_URL the broker is Redis (many hosts); without it, kombu's filesystem transport
# in a local folder: no other service, nothing to install, and no second writer on the
# SQLite file (a database-backed broker would poll it every second). Single host only.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
else:
    # Redis hands an unacknowledged message (its worker died) to another worker after this
    # long: 10 minutes, the same time after which the tasks page calls such a task lost
    # (core.background.ACTIVE_FOR). Longer than any countdown we send (a message waiting
    # for its ETA is unacknowledged too, and would be handed out twice); a sync running
    # longer than this that gets a second copy is safe, the copy finds the lease taken.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it ends, and given back if its worker process dies, so a
# killed worker's task runs again; every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Persist last_run_at after every sent task: a beat restarted right after firing a
# schedule knows it fired and does not fire it again.
CELERY_BEAT_SYNC_EVERY = 1
# Run tasks inline instead of sending them: for unit tests only (set below under pytest).
# Pages never depend on it: in production a worker always runs (bin/serve starts one).
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# Seconds between the beat's sweeps: stale listings, unfinished runs and tasks, abandoned syncs.
BACKGROUND_SWEEP_SECONDS = env.int("BACKGROUND_SWEEP_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "refresh-listings": {"task": "portal.tasks.refresh_listings", "schedule": float(BACKGROUND_SWEEP_SECONDS)},
    "track-unfinished-runs": {"task": "testing.tasks.track_unfinished_runs", "schedule": 15.0},
    "mark-lost-tasks": {"task": "portal.tasks.mark_lost", "schedule": 60.0},
    "prune-task-records": {"task": "portal.tasks.prune_task_records", "schedule": 600.0},
    # Failed logins older than the throttle windows (axes never prunes its failure log by age).
    "prune-login-failures": {"task": "portal.tasks.prune_login_failures", "schedule": 600.0},
    # Rollout plans: apply due steps, judge gates, finish aborts (each advance is idempotent).
    "advance-rollout-plans": {"task": "releases.advance_due_plans", "schedule": 15.0},
    # Production alert rules, judged from the cache (monitoring.tasks).
    "evaluate-alert-rules": {"task": "monitoring.evaluate_alert_rules", "schedule": 60.0},
}
# How long a sync holds its lease without renewing it; a sync whose worker died is taken
# over (resumed from its last stored batch) once it expires.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=120)
# A stepwise sync fetches its next batch from Telnyx while it stores the current one.
SYNC_PREFETCH = env.bool("SYNC_PREFETCH", default=True)

# --- Alerts and events ----------------------------------------------------------------------
# The portal's own address, for links in alerts and the webhook URL shown to paste into Telnyx.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default=f"http://127.0.0.1:{PORT}")
# The only places suite alerts may be posted (Slack-compatible incoming webhooks); set by an admin.
ALERT_WEBHOOK_URLS = env.list("ALERT_WEBHOOK_URLS", default=[])
# An undelivered alert is retried after this many seconds, doubling each time.
ALERT_RETRY_SECONDS = env.int("ALERT_RETRY_SECONDS", default=30)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
# Telnyx signs its webhooks with Ed25519; this is the account's public key (base64, from the
# Mission Control portal). Empty in sandbox mode: the sandbox's own key pair is used.
TELNYX_PUBLIC_KEY = env.str("TELNYX_PUBLIC_KEY", default="")
# A signed webhook older (or newer) than this many seconds is refused as a possible replay.
TELNYX_WEBHOOK_TOLERANCE_SECONDS = 300

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out login before any password is checked.
# The second is ModelBackend with each user's permission set kept in the cache (portal/permission_cache.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "portal.permission_cache.CachedPermissionsBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and DEBUG serve straight from the finders; production serves collected files.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# --- Request size (portal/request_limits.py, and the web server: portal/server.py) -----------
# Any request may send REQUEST_MAX_MB; views marked @accepts_upload (audio transcription) take
# UPLOAD_MAX_MB, and only after login. Larger is refused with 413 before the body is read.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_MB", default=4) * 1024 * 1024
# The form's own limit is 100 MB of audio; one more MB for the multipart wrapping.
UPLOAD_MAX_BYTES = (env.int("UPLOAD_MAX_MB", default=100) + 1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

# --- Login throttling (django-axes) ------------------------------------------------------
# After AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# locked out for AXES_COOLOFF_MINUTES; a lockout is an audit event (core/signals.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.login.login_locked_out"
AXES_VERBOSE = False
# Spraying and distributed guessing (portal/login_throttle.py): failures counted per address,
# per username and in all, over a window, from axes' failure log.
AXES_HANDLER = "portal.login_throttle.ThrottlingHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_THROTTLE_MINUTES = env.int("LOGIN_THROTTLE_MINUTES", default=15)
LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("LOGIN_MAX_FAILURES_PER_ADDRESS", default=20)
LOGIN_MAX_FAILURES_PER_USERNAME = env.int("LOGIN_MAX_FAILURES_PER_USERNAME", default=10)
LOGIN_MAX_FAILURES_GLOBAL = env.int("LOGIN_MAX_FAILURES_GLOBAL", default=100)
# The client address: REMOTE_ADDR, or behind these reverse proxies (their addresses) the
# nearest untrusted hop of CLIENT_IP_HEADER. Empty: no header is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="HTTP_X_FORWARDED_FOR")
AXES_CLIENT_IP_CALLABLE = "portal.login_throttle.client_ip"

# --- Content-Security-Policy (django-csp) ------------------------------------------------
# Nothing inline: scripts and styles come from our static files only (htmx's own inline
# indicator style and eval are switched off in base.html's htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Production hardening: `manage.py check --deploy` passes with DEBUG off ----------------
SECURE_SSL = env.bool("SECURE_SSL", default=False)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_client_errors": {"()": "portal.log_filters.OneLinePerClientError"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # Filters on a logger apply to its own records only: django.request logs its 4xx here.
        "django.request": {"filters": ["one_line_client_errors"]},
        # One line per failed login (a warning); axes' bookkeeping lines are noise.
        "axes": {"level": "WARNING"},
    },
}

PORTAL_VERSION = "0.1.0"

# --- Under pytest ------------------------------------------------------------------------
TESTING = "pytest" in sys.modules
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    STATIC_ROOT = None  # tests serve static files from the finders; nothing is collected
    WHITENOISE_USE_FINDERS = True
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A distinctive key, so the suite can prove it never reaches a page, a log or the audit.
    SANDBOX_API_KEY = "KEYtest_5f1e9c_must_never_be_shown"
    SANDBOX_ASYNC_SECONDS = 0.0
    # The suite calls the sandbox hard; tests/sandbox/test_sb_rate_limit.py turns the limit on.
    SANDBOX_RATE_LIMIT = "off"
    # Unit tests run tasks inline; tests/background/ starts real workers and turns this off.
    CELERY_TASK_ALWAYS_EAGER = True
    ALERT_RETRY_SECONDS = 0
    # Live-server request threads must not keep connections open past a test, or the
    # test database cannot be dropped at the end.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not Django's in-memory default: the live server's request threads then get
        # connections of their own, as in production, instead of sharing one connection
        # whose transactions interleave. One file per run, so parallel runs don't collide.
        import tempfile

        DATABASES["default"]["TEST"] = {"NAME": f"{tempfile.gettempdir()}/portal-test-{os.getpid()}.sqlite3"}
