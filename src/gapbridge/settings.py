"""GapBridge settings: one typed, environment-driven module.

Environment variables (documented in docs/configuration.md, checked by a test):
GAPBRIDGE_ENV (dev | test | production), GAPBRIDGE_SECRET_KEY, DATABASE_URL, GAPBRIDGE_ALLOWED_HOSTS,
GAPBRIDGE_DATA_DIR, GAPBRIDGE_VAR_DIR, GAPBRIDGE_EMAIL_BACKEND, GAPBRIDGE_LOG_LEVEL.
Outside dev and test, a missing secret or host list stops the process instead of falling back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets admin classes be written ModelAdmin[Model] (generic at type-check time) without a runtime error.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[2]
ENV = os.environ.get("GAPBRIDGE_ENV", "dev")
if ENV not in {"dev", "test", "production"}:
    raise ImproperlyConfigured(f"GAPBRIDGE_ENV must be dev, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
DEBUG = ENV == "dev" and os.environ.get("GAPBRIDGE_DEBUG", "1") == "1"

DATA_DIR = Path(os.environ.get("GAPBRIDGE_DATA_DIR", BASE_DIR / "data"))
VAR_DIR = Path(os.environ.get("GAPBRIDGE_VAR_DIR", BASE_DIR / "var"))

_DEV_SECRET = "dev-only-insecure-secret-key-never-used-in-production-0123456789"  # noqa: S105 (dev only)
SECRET_KEY = os.environ.get("GAPBRIDGE_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "GAPBRIDGE_SECRET_KEY must be set to a random value of 50+ characters in production"
    )

_hosts = os.environ.get("GAPBRIDGE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("GAPBRIDGE_ALLOWED_HOSTS must list the site's host names in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its bundled static files, not a CDN
    "gapbridge.audit",
    "gapbridge.accounts",
    "gapbridge.countries",
    "gapbridge.organizations",
    "gapbridge.projects",
    "gapbridge.offers",
    "gapbridge.needs",
    "gapbridge.matches",
    "gapbridge.events",
    "gapbridge.barriers",
    "gapbridge.pledges",
    "gapbridge.analytics",
    "gapbridge.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gapbridge.web.security.SecurityHeadersMiddleware",
    "gapbridge.api.ratelimit.ApiRateLimitMiddleware",
    "gapbridge.web.unavailable.DatabaseUnavailableMiddleware",
    "gapbridge.api.head.ApiHeadMiddleware",
    "gapbridge.api.auth.BearerReadMiddleware",
    "gapbridge.web.scope.ForbiddenPage",
]

ROOT_URLCONF = "gapbridge.urls"
WSGI_APPLICATION = "gapbridge.wsgi.application"

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
                "gapbridge.web.context_processors.site",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'gapbridge.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    # WAL lets the server read while an import writes; a busy timeout beats "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "gapbridge.accounts.backends.SecretariatBackend",  # the secretariat role's rights in the admin
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")]
LANGUAGES_BIDI = ["ar"]
FORMAT_MODULE_PATH = ["gapbridge.formats"]  # Arabic: thousands grouped, day-month-year date-times
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# In dev and test WhiteNoise serves straight from the apps (finders); only production collects files.
STATIC_ROOT = Path(os.environ.get("GAPBRIDGE_STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Absolute links in e-mails (notifications); empty means links are relative.
SITE_URL = os.environ.get("GAPBRIDGE_SITE_URL", "").rstrip("/")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

EMAIL_BACKEND = os.environ.get(
    "GAPBRIDGE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)

_redis = os.environ.get("GAPBRIDGE_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis}
    if _redis
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gapbridge"}
}

# How many reverse proxies stand in front of the application (0: none, clients connect directly). With N,
# the client's address is the N-th entry from the right of X-Forwarded-For; with 0 that header is ignored
# (web/client.py, docs/deployment.md).
TRUSTED_PROXIES = int(os.environ.get("GAPBRIDGE_TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("GAPBRIDGE_TRUSTED_PROXIES is the number of proxies in front: 0 or more")

# Sign-in throttling (web/auth_views.py): failed sign-ins within LOGIN_LOCKOUT_SECONDS, counted per
# (user name, client address) pair, per client address (one client trying many names) and per user name
# (one name tried from many clients); reaching any limit refuses sign-in with 429 until the window ends.
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("GAPBRIDGE_LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
LOGIN_MAX_FAILURES_PER_USERNAME = int(os.environ.get("GAPBRIDGE_LOGIN_MAX_FAILURES_PER_USERNAME", "50"))
LOGIN_LOCKOUT_SECONDS = 15 * 60
# Password-reset e-mails within PASSWORD_RESET_WINDOW_SECONDS, per e-mail address and per client address;
# past either limit the form answers as usual but sends nothing.
PASSWORD_RESET_MAX_PER_EMAIL = 3
PASSWORD_RESET_MAX_PER_CLIENT = 10
PASSWORD_RESET_WINDOW_SECONDS = 60 * 60

# API rate limits (per client per minute).
API_RATE_LIMIT_ENABLED = True
API_RATE_LIMIT_ANONYMOUS = int(
    os.environ.get("GAPBRIDGE_API_RATE_LIMIT", "600" if ENV != "test" else "100000")
)
API_RATE_LIMIT_TOKEN = int(
    os.environ.get("GAPBRIDGE_API_RATE_LIMIT_TOKEN", "3000" if ENV != "test" else "100000")
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag; keep default behaviour.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest IATI file the upload page accepts (larger bodies are refused before they are read).
IATI_UPLOAD_MAX_BYTES = int(os.environ.get("GAPBRIDGE_MAX_UPLOAD_MB", "200")) * 1024 * 1024
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("GAPBRIDGE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GAPBRIDGE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The Gap Index method's parameters (docs/methodology.md).
GAPINDEX_REFERENCE_YEAR = 2026
GAPINDEX_WINDOW_YEARS = 13
