"""Project settings, read from the environment.

DATABASE_URL      optional; without it, an embedded PostgreSQL (see gfmd.lib.embedded_db)
DJANGO_SECRET_KEY required when DJANGO_DEBUG is off
DJANGO_DEBUG      "1"/"true" for development; off by default
DJANGO_ALLOWED_HOSTS comma-separated host names
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from gfmd.lib import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = Path(os.environ.get("GFMD_SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))
# The largest document file accepted for upload (admin and API), in bytes.
SOURCE_MAX_BYTES = int(os.environ.get("GFMD_SOURCE_MAX_BYTES", 10 * 1024 * 1024))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

_INSECURE_KEY = "django-insecure-development-only"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit(
            "DJANGO_SECRET_KEY is not set: set it to a long random value, or set DJANGO_DEBUG=1 "
            "for local development."
        )
    SECRET_KEY = _INSECURE_KEY
elif not DEBUG and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise SystemExit(
        "DJANGO_SECRET_KEY is too weak for production: use at least 32 random characters."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gfmd",
    "roundtables",
    "practices",
    "rcps",
    "gfmd.curation.apps.CurationConfig",
]

MIDDLEWARE = [
    "gfmd.lib.db_router.PinAfterWriteMiddleware",
    # Next: a cached anonymous page is answered here, already carrying every header the
    # middleware below gave it when it was made (gfmd.lib.page_cache).
    "gfmd.lib.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gfmd.lib.health.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language (gfmd.lib.i18n): after the session, before CommonMiddleware.
    "gfmd.lib.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gfmd.urls"
WSGI_APPLICATION = "gfmd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# Without DATABASE_URL, the embedded server in GFMD_PGDATA: named here, started by manage.py, the
# WSGI application and the tests (gfmd.lib.embedded_db.start_configured), never by this import.
if os.environ.get("DATABASE_URL"):
    _primary_url = os.environ["DATABASE_URL"]
    GFMD_EMBEDDED_PGDATA = None
else:
    GFMD_EMBEDDED_PGDATA = embedded_db.default_data_dir(BASE_DIR)
    _primary_url = embedded_db.expected_uri(GFMD_EMBEDDED_PGDATA)

# Whole responses for anonymous visitors, cached under the data version (gfmd.lib.page_cache).
GFMD_PAGE_CACHE = env_bool("GFMD_PAGE_CACHE", default=not DEBUG)

# Django 5.2's psycopg connection pool: on by default in production, off under runserver/tests.
DATABASE_POOL = env_bool("GFMD_DB_POOL", default=not DEBUG)


# While the database is unreachable a request fails fast, with a 503 in about a second: a new
# connection gives up after GFMD_DB_CONNECT_TIMEOUT seconds, and a request waits at most
# GFMD_DB_POOL_TIMEOUT seconds for a pooled one.
DB_CONNECT_TIMEOUT = int(os.environ.get("GFMD_DB_CONNECT_TIMEOUT", "1"))
DB_POOL_TIMEOUT = float(os.environ.get("GFMD_DB_POOL_TIMEOUT", "1"))
# The pool retries a failed connection with growing pauses (1, 2, 4... s) for this long, then gives
# up and lets the next request start afresh: kept short so that, once the database is back, no
# request waits out a pause of several seconds for a 503 (psycopg_pool's reconnect_timeout).
DB_RECONNECT_TIMEOUT = float(os.environ.get("GFMD_DB_RECONNECT_TIMEOUT", "1"))


def _database(url: str) -> dict:
    config = dj_database_url.parse(url)
    config["CONN_HEALTH_CHECKS"] = True
    options = config.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DATABASE_POOL:
        # With CONN_HEALTH_CHECKS, Django has the pool check each connection before use, so a
        # restarted server is survived.
        options["pool"] = {
            "min_size": 1,
            "max_size": 8,
            "timeout": DB_POOL_TIMEOUT,
            "reconnect_timeout": DB_RECONNECT_TIMEOUT,
        }
    return config


DATABASES = {"default": _database(_primary_url)}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GFMD_TEST_DATABASE") or None}
# Read replicas, comma-separated URLs; see gfmd.lib.db_router.
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica{_index}"] = {**_database(_url), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["gfmd.lib.db_router.PrimaryReplicaRouter"]
# A replica further behind than this (seconds) is left out until it catches up; after a write, a
# browser reads from the primary for this long (gfmd.lib.db_router).
GFMD_REPLICA_MAX_LAG = float(os.environ.get("GFMD_REPLICA_MAX_LAG", "5"))
GFMD_PIN_SECONDS = int(os.environ.get("GFMD_PIN_SECONDS", "10"))

# The cache in Redis when REDIS_URL is set, so app servers share it. The site survives Redis
# being away or full (gfmd.lib.resilient_cache: served uncached, /readyz says so). Sessions are in
# the database, with a copy in the cache under an alias of their own: an evicted or lost copy
# is read again from the database, so a full cache never signs a curator out.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "gfmd.lib.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gfmd",
        },
        "sessions": {
            "BACKEND": "gfmd.lib.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gfmd:sessions",
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    # Each process keeps its own. Room for the cached pages, facet counts and id lists of many
    # filter combinations (gfmd.lib.data_version); the oldest third goes when it is full.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 3},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account and address out of the admin after 5 failed logins, for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface speaks the Forum's working languages; the content stays in English. The language
# comes from the cookie the switcher sets, else the browser's Accept-Language (gfmd.lib.i18n).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["gfmd.formats"]
LANGUAGE_COOKIE_AGE = 365 * 86400
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Files the public uploads with a proposal: kept out of the web root, shown to curators only
# (through the admin), never served as static or media files.
MEDIA_ROOT = Path(os.environ.get("GFMD_UPLOADS_DIR", BASE_DIR / "var" / "uploads"))
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

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["gfmd.lib.api.permissions.StaffModelPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "gfmd.lib.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "gfmd.lib.api.errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "gfmd.lib.api.renderers.CSVRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["gfmd.lib.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "gfmd.lib.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "gfmd.lib.api.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "gfmd.lib.api.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["gfmd.lib.api.throttling.AnonCountingThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("GFMD_ANON_RATE", "600/minute")},
    "ORDERING_PARAM": "ordering",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "GFMD Practices API",
    "DESCRIPTION": (
        "Sessions, people, recommendations, good practices and RCP profiles of the Global Forum "
        "on Migration and Development, each with citations to its source documents. Read access "
        "is open; writes need a staff account."
    ),
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "gfmd.models.OrganisationKind",
        "CountryRegionEnum": "gfmd.models.Region",
        "ThemeKindEnum": "practices.models.ThemeKind",
        "MeetingKindEnum": "roundtables.models.MeetingKind",
        "RCPRegionEnum": "rcps.models.RCPRegion",
    },
}

# Security headers. Behind a proxy that terminates TLS, X-Forwarded-Proto tells Django the scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

# Content-Security-Policy: nothing from other origins. Styles allow inline attributes, which the
# admin and ReDoc use; no page runs an inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Serve generated benchmark data to visitors. Only for benchmark servers: off everywhere else,
# so synthetic records never reach the public site, its counts or its exports.
GFMD_SERVE_SYNTHETIC = env_bool("GFMD_SERVE_SYNTHETIC")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Publishing a new record takes a second curator's approval (gfmd.lib.review): on in production,
# off in development unless GFMD_REVIEW_REQUIRED=1.
GFMD_REVIEW_REQUIRED = env_bool("GFMD_REVIEW_REQUIRED", default=not DEBUG)

# Proposals and problem reports from the public (gfmd.curation): how many one address may send.
GFMD_SUBMISSION_RATE = os.environ.get("GFMD_SUBMISSION_RATE", "5/hour")
# E-mail (a curator asking the sender of a proposal or report for more): SMTP when EMAIL_HOST is
# set (docs/deploy.md), else written to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "GFMD Practices <noreply@localhost>"
)
# Where a sender's reply goes.
GFMD_CURATORS_EMAIL = os.environ.get("GFMD_CURATORS_EMAIL", DEFAULT_FROM_EMAIL)

# Addresses of the reverse proxies whose X-Real-IP header names the client, for that limit
# (docs/deploy.md: 127.0.0.1 behind the documented nginx). Unset: the connection's address.
GFMD_TRUSTED_PROXIES = frozenset(
    address.strip()
    for address in os.environ.get("GFMD_TRUSTED_PROXIES", "").split(",")
    if address.strip()
)
