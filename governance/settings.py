"""Settings for the community governance platform, read from the environment.

With no environment set the site runs embedded: SQLite, Celery tasks run eagerly and the
cache is local memory. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
Every variable is listed with its meaning in .env.example.
"""

import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class Env(environ.Env):
    """Reads the environment; an empty variable (`VAR=` in a .env) counts as unset."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        if self.ENVIRON.get(f"{self.prefix}{var}", None) == "" and default is not self.NOTSET:
            return super().get_value(
                f"{var}\0unset", cast=cast, default=default, parse_default=parse_default
            )
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)


env = Env()
# A developer's .env fills in what the real environment does not set.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG_WORDS = {"true": True, "on": True, "yes": True, "1": True}
DEBUG_WORDS.update({"false": False, "off": False, "no": False, "0": False, "": False})
_debug = env.str("DEBUG", default="false").strip().lower()
if _debug not in DEBUG_WORDS:
    # django-environ would read a typo as "off" silently; say so instead.
    raise ImproperlyConfigured(
        f"DEBUG={_debug!r} is neither true nor false: set DEBUG=true or DEBUG=false."
    )
DEBUG = DEBUG_WORDS[_debug]

SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (required when DEBUG is off), or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "branches",
    "meetings",
    "zeroindex",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "governance.middleware.CookieLanguageMiddleware",
    "governance.middleware.RefuseNulBytesMiddleware",  # before anything reads them
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

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
                "meetings.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are PostgreSQL's; on SQLite, the embedded default, the included
# columns are simply left out, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that does not answer must not hang a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "home"

# Chinese first; English through the language switch (a cookie, no URL prefix).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves straight from static/, and
# need not warn that STATIC_ROOT does not exist yet.
WHITENOISE_USE_FINDERS = DEBUG
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery. Without REDIS_URL tasks run in-process (eager); with it, Redis is the broker.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # the database holds outcomes; no result backend
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A broker that is down must not hold up a request: connect fast, do not retry in-request.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
    # Longer than any task runs: a task is handed to another worker only if its worker died.
    "visibility_timeout": 3600,
}
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Appeals (DESIGN.md): deadlines in days, limits, and the hearing rule.
APPEAL_RESPONSE_DAYS = env.int("APPEAL_RESPONSE_DAYS", default=1)
APPEAL_ROUTING_DAYS = env.int("APPEAL_ROUTING_DAYS", default=7)
APPEAL_HANDLING_DAYS = env.int("APPEAL_HANDLING_DAYS", default=15)
APPEAL_RETURN_VISIT_DAYS = env.int("APPEAL_RETURN_VISIT_DAYS", default=3)
APPEAL_UNREACHABLE_ATTEMPTS = env.int("APPEAL_UNREACHABLE_ATTEMPTS", default=3)
APPEAL_REPEAT_WINDOW_DAYS = env.int("APPEAL_REPEAT_WINDOW_DAYS", default=90)
APPEAL_CONTACT_RETENTION_MONTHS = env.int("APPEAL_CONTACT_RETENTION_MONTHS", default=24)
APPEAL_SUBMIT_LIMIT = env.int("APPEAL_SUBMIT_LIMIT", default=5)  # per IP per hour
APPEAL_TRACK_LIMIT = env.int("APPEAL_TRACK_LIMIT", default=30)  # per IP per 10 minutes
# Form retries per IP per hour whose photos are kept for the resident (then: choose again).
APPEAL_KEEP_PHOTOS_LIMIT = env.int("APPEAL_KEEP_PHOTOS_LIMIT", default=30)
APPEAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# A photo of more pixels is refused from its header, before it is decoded (a 50-megapixel
# phone camera's is the largest; decoding costs time and memory by the pixel).
APPEAL_PHOTO_MAX_PIXELS = env.int("APPEAL_PHOTO_MAX_PIXELS", default=50_000_000)
APPEAL_PHOTOS_MAX = 3
# A request larger than this is refused before it is read (three photos and the text fit).
APPEAL_MAX_REQUEST_BYTES = 20 * 1024 * 1024
# Behind a proxy that sets X-Forwarded-For, use it for the rate limits' client address.
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
# Reminders and digests to staff go out in working hours only (Asia/Shanghai).
WORKING_HOURS_START = env.int("WORKING_HOURS_START", default=9)
WORKING_HOURS_END = env.int("WORKING_HOURS_END", default=18)
# Return visit overdue by this many days: escalate to the branch secretary, then to community staff.
APPEAL_ESCALATE_SECRETARY_DAYS = env.int("APPEAL_ESCALATE_SECRETARY_DAYS", default=2)
APPEAL_ESCALATE_STAFF_DAYS = env.int("APPEAL_ESCALATE_STAFF_DAYS", default=4)
# Text messages to residents: the backend class and, for the file backend, where they go.
SMS_BACKEND = env.str("SMS_BACKEND", default="meetings.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox.jsonl"))
# The address of the site in messages (links in texts and e-mails).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Delivery attempts of one e-mail or text message before it is left failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
# Hearing: quorum when present >= QUORUM x eligible; passed when for > MAJORITY x present.
HEARING_QUORUM = env.str("HEARING_QUORUM", default="2/3")
HEARING_MAJORITY = env.str("HEARING_MAJORITY", default="1/2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per task run is noise when tasks run in-process (the embedded default).
    "loggers": {"celery.app.trace": {"level": "WARNING"}},
}
