"""Rank & File settings: one file, driven by environment variables.

Development defaults are safe and need no other server (SQLite, local-memory
cache, e-mail to the console). ``RANKFILE_MODE=production`` turns on the
secure settings and refuses to start without ``SECRET_KEY``; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


MODE = os.environ.get("RANKFILE_MODE", "development")
if MODE not in ("development", "production"):
    raise ImproperlyConfigured("RANKFILE_MODE must be 'development' or 'production'")
PRODUCTION = MODE == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random string of at least 50 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

DEBUG = envbool("DEBUG", "false" if PRODUCTION else "true")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(",")
    if h.strip()
]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Production has no default: links in e-mails must not point at 127.0.0.1 (rankfile.E003).
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Rank & File")

INSTALLED_APPS = [
    # Django's admin on our site class: entered through roles and the site's login.
    "rankfile.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "rankfile.core",
    "rankfile.outbox",
    "rankfile.accounts",
    "rankfile.branches",
    "rankfile.membership",
    "rankfile.discussion",
    "rankfile.vetting",
    "rankfile.meetings",
    "rankfile.mailings",
    "rankfile.privacy",
    "rankfile.elections",
    "rankfile.selections",
    "rankfile.api",
    "rankfile.front",
    "rankfile.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL characters and oversized bodies answer 400/413 before anything reads them.
    "rankfile.core.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy on every answer; Cache-Control: no-store for the logged in.
    "rankfile.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Rate limits on the login, sign-up and password reset forms (allauth's views).
    "rankfile.core.middleware.EdgeRateLimitMiddleware",
    # Officers reach their pages and the admin only after two-factor authentication.
    "rankfile.accounts.two_factor.OfficerTwoFactorMiddleware",
]

ROOT_URLCONF = "rankfile.urls"
WSGI_APPLICATION = "rankfile.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rankfile" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rankfile.core.context_processors.site",
                "rankfile.front.navigation.navigation",
            ],
        },
    }
]

# Databases: SQLite by default (no other server); DATABASE_URL selects another,
# e.g. postgres://user@127.0.0.1:5432/rankfile.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'rankfile.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
        "DATABASE_PREPARED_STATEMENTS", "true"):
    # Bind parameters on the server and let psycopg prepare a statement once it
    # has run five times on a connection: PostgreSQL then skips parsing and
    # planning the INSERTs every sign-up repeats. Turn off behind a pooler in
    # transaction mode (PgBouncer < 1.21), which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5})
SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper()
if SQLITE_SYNCHRONOUS not in ("FULL", "NORMAL"):
    raise ImproperlyConfigured("SQLITE_SYNCHRONOUS must be FULL or NORMAL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if not PRODUCTION else 600
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
        # on the busy timeout instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # synchronous=FULL syncs the write-ahead log at every commit, so an
        # acknowledged sign-up survives a power cut, as PostgreSQL's default
        # does; NORMAL is faster but can lose the last commits on a crash.
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use an in-memory database unless TEST_DATABASE_NAME names a file.
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: e-mail login, no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_ADAPTER = "rankfile.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "rankfile.accounts.forms.LoginForm",
    # The reset form queues a job for any address and the job mails only an account's
    # owner: the answer does not tell who has an account (nor does a mail to others).
    "reset_password": "rankfile.accounts.forms.PasswordResetForm",
    "change_password": "rankfile.accounts.forms.ChangePasswordForm",
}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Officers' two-factor authentication (accounts/two_factor.py): an authenticator app
# (TOTP) with recovery codes, shown again on request.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = ORGANISATION_NAME
MFA_RECOVERY_CODE_COUNT = 10
LOGIN_REDIRECT_URL = "/me/"
LOGIN_URL = "/accounts/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "media/"

# Cache: local memory by default; REDIS_URL shares it between processes
# (rate limits and the live counters are then exact across workers).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Production refuses SQLite, a per-process cache and a missing REDIS_URL (rate limits
# and counters would count per process: `rankfile check --deploy`) unless this says the
# site runs as one process on purpose.
SINGLE_PROCESS = envbool("RANKFILE_SINGLE_PROCESS", "false")

# Background jobs: Django's Tasks API with the database backend, run by
# `rankfile worker` (rankfile/core/worker.py). A running job holds a lease its
# worker renews; a job whose worker died runs again once the lease expires,
# and is marked failed after taking down JOB_MAX_ATTEMPTS workers.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
JOB_LEASE_SECONDS = envint("JOB_LEASE_SECONDS", 60)
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 5)

# How a sign-up writes its rows: "fast" through core.db.insert_together (the
# INSERTs built once per model, one statement on PostgreSQL), "orm" through
# save() and enqueue(). Only for measuring one against the other
# (bench/signup_surge/run --path); see bench/RESULTS.md.
JOIN_WRITE_PATH = os.environ.get("RANKFILE_JOIN_PATH", "fast").strip().lower()
if JOIN_WRITE_PATH not in ("fast", "orm"):
    raise ImproperlyConfigured("RANKFILE_JOIN_PATH must be fast or orm.")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "membership@rankfile.invalid")
# Where people write to the membership office (pages and e-mails name it).
MEMBERSHIP_OFFICE_EMAIL = os.environ.get("MEMBERSHIP_OFFICE_EMAIL", DEFAULT_FROM_EMAIL)
# Every e-mail goes through the outbox (rankfile/outbox/): queued with the change
# that causes it, sent by the worker. OUTBOX_RATE caps the messages a second each
# worker sends (0: no cap); OUTBOX_BATCH is how many a delivery job sends over one
# connection; a message the server refuses for now is tried OUTBOX_MAX_ATTEMPTS
# times, waiting longer each time, before it is marked failed.
OUTBOX_RATE = envint("OUTBOX_RATE", 0)
OUTBOX_BATCH = envint("OUTBOX_BATCH", 200)
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_MESSAGE_ID_DOMAIN = os.environ.get("OUTBOX_MESSAGE_ID_DOMAIN", "")  # default: SITE_URL's host

# Rate limits on public forms. Addresses listed here are exempt: the surge
# benchmark sets RATELIMIT_EXEMPT_IPS=127.0.0.1 for its own loopback client.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "true")
RATELIMIT_EXEMPT_IPS = [
    ip.strip() for ip in os.environ.get("RATELIMIT_EXEMPT_IPS", "").split(",") if ip.strip()
]
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# The bank account joiners pay to by transfer, shown on the joining page, in the
# confirmation e-mail and in the API's payment instructions. Left empty, they say
# to ask the membership office for it (rankfile check refuses half of one).
PAYMENT_BANK_ACCOUNT_NAME = os.environ.get("PAYMENT_BANK_ACCOUNT_NAME", "").strip()
PAYMENT_BANK_SORT_CODE = os.environ.get("PAYMENT_BANK_SORT_CODE", "").strip()
PAYMENT_BANK_ACCOUNT_NUMBER = os.environ.get("PAYMENT_BANK_ACCOUNT_NUMBER", "").strip()

# Membership rules that operators tune.
UNPAID_APPLICATION_EXPIRY_HOURS = envint("UNPAID_APPLICATION_EXPIRY_HOURS", 14 * 24)
STATS_CACHE_SECONDS = envint("STATS_CACHE_SECONDS", 5)
# Recurring dues (docs/dues.md): days a member's oldest unpaid period may be
# overdue before they are in arrears, then lapsed; and how many days before
# each step the reminder goes.
DUES_ARREARS_AFTER_DAYS = envint("DUES_ARREARS_AFTER_DAYS", 60)
DUES_LAPSE_AFTER_DAYS = envint("DUES_LAPSE_AFTER_DAYS", 240)
DUES_NOTICE_DAYS = envint("DUES_NOTICE_DAYS", 14)
# A lapsed member may rejoin by paying their arrears for this many months after
# lapsing, and so keep their membership continuous (membership/services/rejoin.py).
REJOIN_ARREARS_MONTHS = envint("REJOIN_ARREARS_MONTHS", 12)
# Data protection: months after its last change that a rejected application is
# anonymised by the daily `rankfile privacy_daily` job.
RETENTION_REJECTED_MONTHS = envint("RETENTION_REJECTED_MONTHS", 6)

# Vetting: how many days a rejected applicant has to appeal (once).
VETTING_APPEAL_DAYS = envint("VETTING_APPEAL_DAYS", 28)

# Stripe, for cards and Bacs Direct Debit (docs/payments.md). Offered to payers
# only when both keys are set; `rankfile check --deploy` says what is missing.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "").strip()
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
STRIPE_PAYMENT_METHODS = [
    m.strip() for m in os.environ.get("STRIPE_PAYMENT_METHODS", "card,bacs_debit").split(",")
    if m.strip()
]
# How old (seconds) a signed webhook may be before it is refused as a replay.
STRIPE_WEBHOOK_TOLERANCE = envint("STRIPE_WEBHOOK_TOLERANCE", 300)
PRIVACY_NOTICE_VERSION = "2026-11"

# Bodies larger than this answer 413 (the API in its JSON shape); uploaded files
# are not counted. Form fields and JSON need far less.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# Content security policy (django-csp 4): scripts and styles from our own static
# files only, no inline code; a page that needs a computed style uses the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", csp_constants.NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}
# Elections: voting codes are stored only as HMAC-SHA256 under this secret (at least
# 32 characters; issuing codes refuses without it in production). Changing it voids
# every code issued.
ELECTIONS_CREDENTIAL_KEY = os.environ.get(
    "ELECTIONS_CREDENTIAL_KEY",
    "" if PRODUCTION else "dev-only-election-credential-key-do-not-use-in-production")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A form refused by the CSRF check is shown again with what was typed, where it can be.
CSRF_FAILURE_VIEW = "rankfile.core.errorpages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
