"""Django settings. Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: ``sqlite:///path`` (default: ``var/meterbill.sqlite3``),
  ``postgres://user@host:port/db`` or ``mysql://user:pass@host:port/db``.
- ``METERBILL_DEBUG``: ``1`` shows Django's debug pages (stack traces with local
  values): for a developer's machine only. Off unless set.
- ``METERBILL_SECRET_KEY``: the signing key; unset, one is generated on first start
  and kept in ``var/secret_key`` (readable by the owner only).
- ``METERBILL_OUT_DIR``: where invoice documents are written (default ``out/``).
- ``METERBILL_CORPUS``: the shared conformance corpus (default ``../shared/corpus``).
- ``CELERY_BROKER_URL``: when set, bill-run chunks run as Celery tasks.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(os.environ.get("METERBILL_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

# Off unless asked for: a debug page shows the request's data and local values.
DEBUG = os.environ.get("METERBILL_DEBUG", "0") == "1"


def _stored_secret_key(path: Path) -> str:
    """The key kept in ``path``, written there (mode 0600) on first use: every
    installation gets its own, and keeps it across restarts (sessions survive).
    Written whole under another name, then linked: a process starting at the same
    time reads either no file or the whole key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(50))
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("METERBILL_SECRET_KEY") or _stored_secret_key(
    VAR_DIR / "secret_key"
)
ALLOWED_HOSTS = os.environ.get("METERBILL_ALLOWED_HOSTS", "localhost,127.0.0.1").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "meterbill.orgs",
    "meterbill.audit",
    "meterbill.premises",
    "meterbill.tariffs",
    "meterbill.metering",
    "meterbill.billing",
    "meterbill.invoicing",
    "django_htmx",
    "axes",
    "meterbill.web",
    "meterbill.portal",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "meterbill.api",
    "meterbill.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session and CSRF ones (CSRF reads the body): a body over the
    # limit of its URL is refused with 413 before a byte of it is read.
    "meterbill.web.body_limit.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: the user's language and the branch's time zone.
    "meterbill.web.middleware.UserPreferencesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Lock a username for an hour after 5 failed logins (django-axes); a success resets.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by username only: many operators share one office IP behind NAT, and an
# IP lock would shut them all out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

# A working day: sessions end 8 hours after login, and when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "meterbill.urls"
WSGI_APPLICATION = "meterbill.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meterbill.web.access.navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'meterbill.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers work during a bill run; the timeout rides out short locks.
        config["OPTIONS"] = {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    elif engine.endswith("mysql"):
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ro", "Română")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [Path(__file__).resolve().parent / "web" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# The REST API (meterbill.api, docs/api.md): token or session, JSON only, every
# endpoint also checks the caller's roles (meterbill.api.permissions).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its "WWW-Authenticate: Token" makes an anonymous call a 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "meterbill.api.pagination.Pagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "meterbill API",
    "DESCRIPTION": "Read access for ERP/CRM integration, and reading submission. "
    "Every call sees only the caller's branch subtree.",
    "VERSION": "1",
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), no
    # CDN. The schema and both pages need a login.
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would send the schema to swagger.io's validator: not ours to call.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind" or a "state": one named enum each.
    "ENUM_NAME_OVERRIDES": {
        "MeterKindEnum": "meterbill.metering.models.Meter.Kind",
        "ReadingKindEnum": "meterbill.metering.models.Reading.Kind",
        "CustomerKindEnum": "meterbill.premises.models.Customer.Kind",
        "InvoiceKindEnum": "meterbill.invoicing.models.Invoice.Kind",
        "PeriodStateEnum": "meterbill.billing.models.Period.State",
        "InvoiceStateEnum": "meterbill.invoicing.models.Invoice.State",
    },
}

OUT_DIR = Path(os.environ.get("METERBILL_OUT_DIR", BASE_DIR / "out")).resolve()
CORPUS_DIR = Path(
    os.environ.get("METERBILL_CORPUS", BASE_DIR.parent / "shared" / "corpus")
).resolve()

# Bill runs: residences per chunk, and the Celery broker that fans chunks out (unset:
# chunks run in-process, one after the other).
BILLRUN_CHUNK_SIZE = int(os.environ.get("METERBILL_CHUNK_SIZE", "50"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

LOG_DIR = VAR_DIR / "log"
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "one_line": {
            "()": "meterbill.logs.OneLine",
            "format": "%(levelname)s %(name)s: %(message)s",
        },
    },
    "handlers": {
        # The terminal gets one line per problem; tracebacks go to the file.
        "console": {"class": "logging.StreamHandler", "formatter": "one_line"},
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "meterbill.log"),
            "maxBytes": 10_000_000,
            "backupCount": 5,
            "formatter": "plain",
        },
    },
    "loggers": {
        "meterbill": {
            "handlers": ["console", "file"],
            "level": os.environ.get("METERBILL_LOG_LEVEL", "WARNING"),
        },
        # factur-x rewrites each WeasyPrint PDF with pypdf, which warns that the
        # object count exceeds the source trailer's /Size; pypdf writes a new
        # trailer and factur-x reads the embedded CII back from the result (tests).
        # Kept in the log file, not repeated once per invoice on the console.
        "pypdf": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a bill run waits for one chunk on the workers before it gives up.
BILLRUN_CHUNK_TIMEOUT = int(os.environ.get("METERBILL_CHUNK_TIMEOUT", "3600"))

# Background jobs (meterbill.jobs): launched in the browser, run by `meterbill worker`
# or, with a broker, by Celery workers of the queue "jobs" (keep them apart from the
# chunk workers: a bill-run job waits for its chunks).
CELERY_TASK_ROUTES = {"meterbill.jobs.tasks.run_job": {"queue": "jobs"}}
JOB_POLL_SECONDS = float(os.environ.get("METERBILL_JOB_POLL_SECONDS", "1"))
# A runner on another host that has not reported for this long is taken for dead
# (on the same host its process id is checked instead).
JOB_STALE_SECONDS = int(os.environ.get("METERBILL_JOB_STALE_SECONDS", "900"))
# Uploaded reading files wait here for their import job.
JOB_UPLOAD_DIR = Path(os.environ.get("METERBILL_UPLOAD_DIR", VAR_DIR / "uploads"))
# The largest reading file the browser may upload (bytes; default 50 MB).
IMPORT_MAX_BYTES = int(os.environ.get("METERBILL_IMPORT_MAX_BYTES", str(50 << 20)))
# The largest provider invoice (EN 16931 XML) the browser may upload (default 10 MB).
PROVIDER_INVOICE_MAX_BYTES = int(
    os.environ.get("METERBILL_PROVIDER_INVOICE_MAX_BYTES", str(10 << 20))
)
