"""Django settings, all read from the environment (django-environ).

Defaults give a working development portal on SQLite with no services; production switches
(PostgreSQL, Redis + Celery, SMTP, S3 storage, HTTPS) are environment variables documented in
README.md.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
import sentry_sdk
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key is allowed only while DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105 (development only)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django_prometheus",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "api_schema",  # before drf_spectacular: its templates override the stock ones
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "backend",  # management commands (sweep_files)
    "csp",
    "backend.users",
    "backend.events",
    "grid",
    "connection",
    "workflow",
    "appeals",
    "integration",
    "web",
]

MIDDLEWARE = [
    # First: every log line of the request, and the Celery tasks it queues, carry its id.
    "backend.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns lockouts into its lockout response.
    "axes.middleware.AxesMiddleware",
    # A database that does not answer or a full disk: 503/507 with the error body, not a 500.
    "backend.faults.ServiceFaultMiddleware",
    # POSTs with an Idempotency-Key: replayed, refused or waited for (integration.idempotency).
    "integration.api.idempotency.IdempotencyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and scheduled jobs share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers wait
        # (up to the timeout) instead of failing with "database is locked" halfway through.
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A stopped or unreachable server fails the request within seconds (answered 503) instead of
    # hanging a worker; the health check above reconnects by itself once the server is back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] in (
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.redis.RedisCache",
):
    # django-redis, failing open: with Redis down a cache read is a miss and a write is dropped
    # (logged), so throttling and caching stop counting but every page and API call still answers.
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
            "SOCKET_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
        }
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "backend.cache"

# --- Users and authentication -------------------------------------------------------------
# Trusted reverse proxies in front of the portal, each appending to X-Forwarded-For. 0: the
# connection's address is the client and X-Forwarded-For is ignored (it could be forged).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses an address over its limit before the others are tried; then
    # the account lock (backend.users.login_guard), then the password check.
    "axes.backends.AxesStandaloneBackend",
    "backend.users.login_guard.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:applications"
LOGOUT_REDIRECT_URL = "web:home"

# Failed logins (backend/users/login_guard.py, README "Login limits"): every LOGIN_FAILURE_LIMIT
# failures lock the account's password logins for the cool-off, doubled at each further lock (at
# most a day) except for the owner's trusted browsers; LOGIN_ADDRESS_FAILURE_LIMIT failures from
# one address over any accounts refuse that address for the cool-off (django-axes).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_COOLOFF = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_FAILURE_LIMIT = LOGIN_ADDRESS_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_COOLOFF
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "backend.users.client_address.client_address"
AXES_WHITELIST_CALLABLE = "backend.users.login_guard.is_trusted_attempt"
AXES_USERNAME_FORM_FIELD = "username"
# Not reset on a success: one valid account of an attacker's would clear the address's count.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "backend.users.lockout.lockout_response"
AXES_VERBOSE = False
# Password-reset and registration e-mails: per client address (429 beyond) and per e-mail address
# (silently not sent beyond, so the answer tells nothing about the account), per hour.
ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = env.int("ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR", default=20)
ACCOUNT_EMAILS_PER_ACCOUNT_PER_HOUR = env.int("ACCOUNT_EMAILS_PER_ACCOUNT_PER_HOUR", default=5)

# API tokens: lifetime in days for new tokens when the client does not ask for one (0 = never).
API_TOKEN_DEFAULT_LIFETIME_DAYS = env.int("API_TOKEN_DEFAULT_LIFETIME_DAYS", default=90)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
# Uploaded documents live outside the static root and are served only through views that
# check permission, never by the web server directly.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"

FILE_STORAGE = env.str("FILE_STORAGE", default="local")  # "local" or "s3"
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE == "local":
    _default_storage = {"BACKEND": "backend.storage.LocalStorage"}
else:
    raise ImproperlyConfigured("FILE_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Upload limit for documents, in bytes (checked by the document service, not only the server).
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# Large uploads are spooled here, a folder of the portal's own that `sweep_files` empties of what a
# killed worker left behind (not /tmp, shared with everything else on the host).
FILE_UPLOAD_TEMP_DIR = str(env.path("FILE_UPLOAD_TEMP_DIR", default=str(VAR_DIR / "tmp" / "uploads")))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "backend.storage.SpoolingUploadHandler",
]
# Stored files with no row (a worker killed between writing a file and committing its row) and
# spooled uploads are removed by the sweep once they are older than this.
FILE_SWEEP_GRACE_SECONDS = env.int("FILE_SWEEP_GRACE_SECONDS", default=6 * 3600)

# --- Service area and geography ----------------------------------------------------------
# The area the grid organisation serves: lon_min, lat_min, lon_max, lat_max (WGS84).
SERVICE_AREA_BBOX = tuple(env.list("SERVICE_AREA_BBOX", cast=float, default=[40.8, 43.6, 45.8, 46.3]))
# One metric CRS centred on the service area (not a UTM zone, which the area straddles).
GRID_PROJECTION = env.str(
    "GRID_PROJECTION", default="+proj=aeqd +lat_0=44.95 +lon_0=43.3 +datum=WGS84 +units=m +no_defs"
)
# Outside every territory, the nearest one within this distance still takes the application.
ROUTING_MAX_DISTANCE_M = env.float("ROUTING_MAX_DISTANCE_M", default=5000.0)

# Map tiles of the web UI (Leaflet URL template); empty: no tiles, the points still show.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

# The model the workflow's state machine, history and notifications belong to.
WORKFLOW_APPLICATION_MODEL = "connection.ConnectionRequest"
# How often each process checks the calendar overrides for changes (seconds).
WORKFLOW_CALENDAR_RECHECK_SECONDS = env.int("WORKFLOW_CALENDAR_RECHECK_SECONDS", default=10)

# --- E-mail -------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_FILE_PATH"):
    if _email.get(_key):
        globals()[_key] = _email[_key]
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
# The portal's public address, for links in e-mails sent outside a request (notifications).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A mail server that does not answer fails the send (kept in the outbox) instead of holding it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# Without a broker (development, tests) tasks run in-process, so nothing needs Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "overdue-reports": {
        "task": "appeals.tasks.flag_overdue_reports",
        "schedule": env.int("DEADLINE_JOBS_EVERY_SECONDS", default=3600),
    },
    "deadline-jobs": {
        "task": "workflow.tasks.run_deadline_jobs",
        "schedule": env.int("DEADLINE_JOBS_EVERY_SECONDS", default=3600),
    },
    "outbox": {
        "task": "workflow.outbox.send_pending_emails",
        "schedule": env.int("OUTBOX_SWEEP_EVERY_SECONDS", default=60),
    },
    "file-sweep": {
        "task": "backend.storage.sweep_files_task",
        "schedule": env.int("FILE_SWEEP_EVERY_SECONDS", default=3600),
    },
    "webhooks": {
        "task": "integration.tasks.deliver_webhooks",
        "schedule": env.int("WEBHOOK_SCAN_EVERY_SECONDS", default=30),
    },
    "idempotency-purge": {"task": "integration.tasks.purge_idempotency_records", "schedule": 3600},
}
# Webhooks: seconds to wait for a receiver; whether receivers on private or loopback addresses
# (and plain http) are allowed — only for development and tests, never in production.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# Publishing with the broker down fails fast (the outbox keeps the work) instead of holding the
# request while kombu retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Django's LOGGING (JSON with the request id) applies in the worker too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Pending e-mails younger than this are left to the task queued at commit.
OUTBOX_RETRY_AFTER_SECONDS = env.int("OUTBOX_RETRY_AFTER_SECONDS", default=60)

# --- Django REST framework and OpenAPI ----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Before the personal tokens: `Bearer ik_…` is an integration client's key.
        "integration.api.authentication.ClientKeyAuthentication",
        "backend.users.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON by default; upload endpoints add the multipart parser themselves.
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "backend.api.filters.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "api_schema.openapi.PortalAutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "backend.users.api.throttling.AnonRateThrottle",
        "backend.users.api.throttling.UserRateThrottle",
        "backend.users.api.throttling.ScopedRateThrottle",
        "integration.api.throttling.ClientRateThrottle",
    ],
    # DRF's own reading of the client address agrees with backend.users.client_address.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        "calculator": env.str("THROTTLE_CALCULATOR", default="60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Grid connection portal API",
    "DESCRIPTION": (
        "Online applications for technological connection of power-receiving devices up to "
        "150 kW at up to 20 kV. Authenticate with a token from `POST /api/v1/auth/token/` "
        "(`Authorization: Bearer <token>` or `Token <token>`) or with a browser session. Every "
        '4xx answer has one body: `{"errors": [{"code", "message", "field"}]}`; messages '
        "are in Russian by default and in English with `Accept-Language: en`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RequestKindEnum": "connection.models.requests.RequestKind",
        "AssetKindEnum": "grid.models.assets.AssetKind",
        "NotificationKindEnum": "workflow.models.Notification.Kind",
        "EventKindEnum": "backend.events.models.EventKind",
    },
    "EXTENSIONS_INFO": {},
    "CONTACT": {"name": "Grid connection portal"},
    "LICENSE": {"name": "MIT"},
}

# --- Security: strict whenever DEBUG is off -----------------------------------------------
# Behind a TLS-terminating proxy, the header it sets to say the client used HTTPS. The proxy must
# set it on every request (overwriting what a client sent). Trusted by default only when a proxy is
# declared (NUM_PROXIES > 0): with nothing in front, a client could send it to pass as HTTPS.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if NUM_PROXIES else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and the metrics scraper talk to the web process directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static files,
# no inline code; images also from the map's tile server (and data: URIs, which Leaflet uses).
_tiles = urlsplit(MAP_TILE_URL.replace("{s}.", "*."))  # Leaflet's {s} subdomains: any subdomain
_tile_source = f"{_tiles.scheme or 'https'}://{_tiles.netloc}" if _tiles.netloc else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_tile_source] if _tile_source else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Pages may not be framed (as X-Frame-Options DENY); the inline document view relaxes it.
        "frame-ancestors": [NONE],
    },
}
# Browser features the portal does not use are switched off (django-permissions-policy).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Logging ------------------------------------------------------------------------------
# JSON lines by default (one object per line with time, level, logger, message and the request id);
# LOG_FORMAT=text for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backend.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Metrics and error reporting ---------------------------------------------------------
# /metrics answers a bearer token (METRICS_TOKEN) or the listed addresses (REMOTE_ADDR as the
# proxy hands it over); with neither set it answers 404 to everyone.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_ADDRESSES = env.list("METRICS_ALLOWED_ADDRESSES", default=[])
METRICS_COLLECTORS = ["workflow.metrics.WorkflowCollector", "backend.metrics.CeleryQueueCollector"]
# The Celery queue whose length /metrics reports.
CELERY_TASK_DEFAULT_QUEUE = "celery"

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # applicants' personal data stay out of the reports
    )

# Consumers' reports (appeals): the emergency number shown first for a wire down or sparking, and
# the limits of anonymous reports (per client address and per e-mail address, an hour).
APPEALS_EMERGENCY_PHONE = env.str("APPEALS_EMERGENCY_PHONE", default="112")
APPEALS_ANONYMOUS_REPORTS_PER_ADDRESS_PER_HOUR = env.int(
    "APPEALS_ANONYMOUS_REPORTS_PER_ADDRESS_PER_HOUR", default=10
)
APPEALS_ANONYMOUS_REPORTS_PER_EMAIL_PER_HOUR = env.int(
    "APPEALS_ANONYMOUS_REPORTS_PER_EMAIL_PER_HOUR", default=3
)
APPEALS_MAX_PHOTOS = 3
