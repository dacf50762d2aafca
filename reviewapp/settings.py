"""Settings for Risk Report Review, read from the environment.

Every value that differs between a laptop and production comes from an environment
variable; a malformed value stops start-up with a message rather than being guessed.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # full-text search: the search documents' tsvector and GIN indexes
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "pathways",
    "evidence",
    "versions",
    "monitoring",
    "reviewapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reviewapp.middleware.IdleSessionMiddleware",
    "reviewapp.middleware.AccessMiddleware",
    "reviewapp.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reviewapp.middleware.HtmxVaryMiddleware",
    "reviewapp.middleware.RefusalLogMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lock-out into the locked-out page
]

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

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
                "reviewapp.context_processors.access",
            ],
            # {% url %} in every template reverses with reviewapp.links.fast_reverse.
            "builtins": ["reviewapp.templatetags.links"],
        },
    },
]

# PostgreSQL is the only database. Without DATABASE_URL the app runs its own.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from reviewapp.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR)
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL: PostgreSQL is the only supported database")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
# Parameters travel apart from the SQL, and a statement run a second time on a connection is
# prepared: the queries every page makes (session, access, pathway column, bell) are planned
# once per connection rather than on every request. Off (DATABASE_PREPARED_STATEMENTS=0)
# behind a connection pooler in transaction mode that cannot keep prepared statements.
if envbool("DATABASE_PREPARED_STATEMENTS", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pathways.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out account or address goes no further
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people see nothing
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in that holds (django-axes): after SIGNIN_FAILURE_LIMIT failures in a row for one
# username, or from one address, sign-in is refused for SIGNIN_COOLOFF_MINUTES, the right
# password included; each lock-out is logged. A success clears the count.
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reviewapp.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "reviewapp.accounts.client_address"
AXES_VERBOSE = True
# A session ends after SESSION_IDLE_MINUTES without a request, and in any case after
# SESSION_HOURS (reviewapp.middleware.IdleSessionMiddleware).
SESSION_IDLE_SECONDS = 60 * envint("SESSION_IDLE_MINUTES", 60)
SESSION_COOKIE_AGE = 60 * 60 * envint("SESSION_HOURS", 12)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # a reset link works for two hours, once
OTP_TOTP_ISSUER = "Risk Report Review"  # the name authenticator apps show
INVITATION_DAYS = envint("INVITATION_DAYS", 7)  # an invitation's link works this long, once

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Strict CSP: nothing inline, nothing from elsewhere, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

HTTPS_ONLY = envbool("HTTPS_ONLY", not DEBUG)
# Behind a reverse proxy that terminates TLS, sets X-Forwarded-Proto and X-Forwarded-For and
# drops any a client sent: BEHIND_PROXY=1. Without it neither header is believed, since
# anyone can send them (a forged "https" would pass for a secure request, a forged address
# would dodge the sign-in throttle).
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is polled over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL.startswith(("smtp://", "smtp+tls://")):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.hostname or "localhost",
                "port": _email.port or 25,
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_tls": _email.scheme == "smtp+tls",
            },
        }
    }
elif EMAIL_URL == "" and not DEBUG:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off: smtp://user:pass@host:port (invitations and password "
        "resets go by email), or console: for a trial that prints mail instead of sending it"
    )
elif EMAIL_URL in {"", "console:"}:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    raise ImproperlyConfigured(f"EMAIL_URL={EMAIL_URL!r}: use smtp://user:pass@host:port, smtp+tls://… or console:")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "risk-review@localhost")

# Background work. Redis (CELERY_BROKER_URL=redis://…) in production and CI; without it a
# broker in files under var/celery, so `make run` runs a real worker and scheduler with no
# server. Tasks acknowledge late and are handed back when their worker dies, so a killed
# worker's task runs again on the next one; every task is idempotent, which makes that safe.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL:
    _celery_dir = Path(os.environ.get("CELERY_FILESYSTEM_DIR", BASE_DIR / "var" / "celery"))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control"):  # before anything is published, by the web or a command
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message taken by a worker that dies unacknowledged goes back to the queue after this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
else:
    raise ImproperlyConfigured(f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: use redis://host:6379/0 or leave it unset")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # state lives in our own tables (outbox, export jobs)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILE", str(BASE_DIR / "var" / "celerybeat-schedule")
)
# A message published while the broker is down fails fast instead of hanging the web
# request; the outbox sweep below delivers what could not be enqueued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 3

TASK_MAX_RETRIES = envint("TASK_MAX_RETRIES", 5)  # then the row is left failed, for an admin to retry
TASK_RETRY_BASE_SECONDS = float(envint("TASK_RETRY_BASE_SECONDS", 10))  # doubles with each retry
TASK_RETRY_MAX_SECONDS = float(envint("TASK_RETRY_MAX_SECONDS", 600))
OUTBOX_SWEEP_SECONDS = envint("OUTBOX_SWEEP_SECONDS", 60)
EXPORT_STALLED_SECONDS = envint("EXPORT_STALLED_SECONDS", 900)  # an export running longer lost its worker
EXPORT_RETENTION_DAYS = envint("EXPORT_RETENTION_DAYS", 30)  # then finished exports and their files are deleted
# Reminders and escalation run every hour (each is sent once per request and due date, so
# running often only makes the chase prompt); `make run` runs them every minute. Digests go
# out once a day at DIGEST_HOUR.
REMINDER_INTERVAL_SECONDS = envint("REMINDER_INTERVAL_SECONDS", 3600)
DIGEST_HOUR = envint("DIGEST_HOUR", 7)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "reviewapp.tasks.notifications.outbox_sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    "export-sweep": {"task": "reviewapp.tasks.exports.export_jobs_sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    "request-reminders": {
        "task": "reviewapp.tasks.notifications.request_reminders",
        "schedule": REMINDER_INTERVAL_SECONDS,
    },
    "daily-digests": {
        "task": "reviewapp.tasks.notifications.digests_send",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR),
    },
}

# Export files: outside MEDIA_ROOT and any URL; served only through the permission-checked view.
EXPORTS_ROOT = Path(os.environ.get("EXPORTS_ROOT", BASE_DIR / "var" / "exports"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # for links in emails

# Warning signs a monitoring source may report a minute through POST /api/warning-signs/.
WARNING_SIGN_RATE_LIMIT = envint("WARNING_SIGN_RATE_LIMIT", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO; its warnings still show.
    # Axes narrates every sign-in at INFO; its lock-outs (WARNING) still show.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
