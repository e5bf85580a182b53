"""Settings for the community governance platform, read from the environment.

With no environment set the site runs embedded: SQLite, Celery tasks run eagerly and the
cache is local memory. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
Every variable is listed with its meaning in .env.example.
"""

import ipaddress
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

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
# Rotating SECRET_KEY (docs/operations.md): the previous keys, comma-separated, still accepted
# for what they signed (staff log-ins, signed cookies) until they are removed; only SECRET_KEY
# signs anything new.
SECRET_KEY_FALLBACKS = [
    key.strip() for key in env.list("SECRET_KEY_FALLBACKS", default=[]) if key.strip()
]

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
    "governance.login_lockouts.LoginLockoutsConfig",  # django-axes
    "branches",
    "meetings",
    "zeroindex",
    "open311",
    "governance",
]

MIDDLEWARE = [
    # Outermost: the request id (for every line logged while the request runs and the tasks
    # it enqueues) and the request's one log line, with its whole duration.
    "governance.middleware.RequestLogMiddleware",
    # First: drops forwarded headers that did not come from TRUSTED_PROXIES, before anything
    # (SecurityMiddleware's is_secure(), the rate limits, axes) reads them.
    "governance.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "governance.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "governance.middleware.CookieLanguageMiddleware",
    "governance.middleware.RefuseNulBytesMiddleware",  # before anything reads them
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known (read from the primary): may this request read the replica?
    "governance.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out log-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
# A form whose CSRF token failed: say how to keep what was typed (and read no database).
CSRF_FAILURE_VIEW = "governance.errors.csrf_failure"
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: a request's transaction takes the write lock when it begins, so
    # two requests writing at once wait for each other (up to `timeout` seconds) instead of
    # the second failing with "database is locked" after it has read (a double-clicked
    # approval answered 500 here). WAL lets reads go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# A PostgreSQL that does not answer a new connection (or a kept one, the health check) within
# this many seconds counts as unreachable, and the page says so (503) instead of waiting until
# gunicorn kills the worker (30 s). psycopg waits at least 2 s.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
# PostgreSQL cancels a statement running longer (milliseconds; 0: never): under gunicorn's
# 30 s, so a runaway query ends in an error page rather than a killed worker, and far above
# the heaviest page and the sweeps' statements. manage.py commands run without it (manage.py).
DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=20000)
_conn_max_age = env.int("CONN_MAX_AGE", default=60)


def _postgresql(database: dict, *, connect_timeout: int) -> None:
    """Django's backend with a health check that gives up after the connect timeout, kept
    connections, and the statement timeout."""
    database["ENGINE"] = "governance.postgresql"
    database["CONN_MAX_AGE"] = _conn_max_age
    database["CONN_HEALTH_CHECKS"] = True
    options = database.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", connect_timeout)
    options["options"] = (
        f"{options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
    ).strip()


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _postgresql(DATABASES["default"], connect_timeout=DATABASE_CONNECT_TIMEOUT)

# A streaming replica of the PostgreSQL primary for the heavy reads (governance/db_router.py):
# the dashboard and its exports, the public scoreboard and reports, Open311's GETs. Every
# other read and every write stays on the primary, and so does every request of a browser
# that wrote in the last REPLICA_STICKY_SECONDS or whose last write the replica has not
# replayed yet. A replica that is down, or lags more than REPLICA_MAX_LAG_SECONDS, is left
# alone (reads go to the primary); its state is checked at most every REPLICA_CHECK_SECONDS
# per process, and a new connection to it gives up after 2 s (psycopg's shortest).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=5)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_CHECK_SECONDS = env.int("REPLICA_CHECK_SECONDS", default=5)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "governance.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: a read replica "
            "is a streaming replica of a PostgreSQL primary. Unset DATABASE_REPLICA_URL."
        )
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL.")
    _postgresql(_replica, connect_timeout=2)
    # Reads only, in autocommit: a request's transaction stays on the primary (a replica in
    # every request's transaction would make each page wait for it). Tests run it as a
    # mirror of the primary's test database, which it follows by streaming.
    _replica["ATOMIC_REQUESTS"] = False
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["governance.db_router.ReplicaRouter"]
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
# Brute-force protection of both log-in pages (django-axes): after LOGIN_FAILURE_LIMIT wrong
# passwords for one username, or from one address, log-in is refused (429) for
# LOGIN_LOCKOUT_MINUTES after the last failure, or until a superuser deletes the lockout in the
# admin. The standalone backend goes first so a locked-out user is refused before the
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: either locks
# The address the rate limits count (TRUSTED_PROXIES decides what X-Forwarded-For is worth).
AXES_CLIENT_IP_CALLABLE = "meetings.ratelimit.client_ip"
AXES_USERNAME_CALLABLE = "governance.login_lockouts.lockout_username"
AXES_LOCKOUT_CALLABLE = "governance.views.login_locked_out"
# Every failure kept (with whether it locked), also after a lockout is deleted.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# A success does not wipe the address's failures: logging in to one's own account between
# guesses must not reset the count of the address.
AXES_RESET_ON_SUCCESS = False

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

# Our reverse proxies (addresses or networks, e.g. 127.0.0.1 for nginx on this machine): only
# from them are X-Forwarded-For (the client's address) and X-Forwarded-Proto (HTTPS) believed;
# from anyone else governance.middleware.TrustedProxyMiddleware drops those headers.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network "
            "(e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8)."
        ) from None
# USE_X_FORWARDED_FOR believed the header from any client; it is gone.
_old_switch = env.ENVIRON.get("USE_X_FORWARDED_FOR", "").strip().lower()
if DEBUG_WORDS.get(_old_switch, True) and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "USE_X_FORWARDED_FOR is no longer read: it let any client choose its address. Set "
        "TRUSTED_PROXIES to the address of your proxy (e.g. TRUSTED_PROXIES=127.0.0.1) and "
        "remove USE_X_FORWARDED_FOR."
    )
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # from a trusted proxy only

# HTTPS: in production plain HTTP is redirected, and browsers are told to come back over
# HTTPS only (HSTS, a year); both off under DEBUG. /healthz stays on plain HTTP for load
# balancers. Preloading is the domain owner's decision (hstspreload.org), so off by default.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # "preload is not set": on purpose, above

# Content-Security-Policy (django-csp): our own origin only, no inline script at all and no
# inline style but a <style> carrying the request's nonce (request.csp_nonce), no plugins,
# never in a frame. data: images are Bootstrap's form controls (its CSS draws them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page uses (the photo field is a file input, which needs none of them).
PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
]

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
# A task taken by a worker that died (acks_late: it was never acknowledged) goes back on the
# queue BROKER_VISIBILITY_TIMEOUT seconds after it was taken; each worker looks for such
# tasks every BROKER_RESTORE_INTERVAL seconds. The timeout must stay longer than any task
# runs (and than any countdown), or a task still running is handed to a second worker. The
# defaults are for production; the topology test shortens both (docs/operations.md).
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=3600)
BROKER_RESTORE_INTERVAL = env.int("BROKER_RESTORE_INTERVAL", default=100)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # kombu's own default is a look every 10 s of which only every 10th scans Redis: the
    # same 100 s, said once.
    "unacked_restore_interval": BROKER_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
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

# Open311 GeoReport v2 (open311/, docs/open311.md). Searches span at most this many days
# (the specification's 90) and return at most OPEN311_MAX_RESULTS, newest first; a search
# by tracking codes takes at most OPEN311_MAX_IDS. Per key and hour: reads and new appeals.
OPEN311_SEARCH_DAYS = env.int("OPEN311_SEARCH_DAYS", default=90)
OPEN311_MAX_RESULTS = env.int("OPEN311_MAX_RESULTS", default=1000)
OPEN311_MAX_IDS = env.int("OPEN311_MAX_IDS", default=50)
OPEN311_KEY_READS = env.int("OPEN311_KEY_READS", default=3600)
OPEN311_KEY_WRITES = env.int("OPEN311_KEY_WRITES", default=600)
# A new request given lat and long goes to the nearest building (or estate) within this many
# metres; farther than that it is refused.
OPEN311_NEAREST_METRES = env.int("OPEN311_NEAREST_METRES", default=300)
# Discovery's contact and where to ask for a key; the defaults are shown in the request's
# language (their Chinese is in the catalogue), a value set here as it is written.
OPEN311_CONTACT = env.str(
    "OPEN311_CONTACT", default=gettext_noop("Huangxing Town party committee office")
)
OPEN311_KEY_SERVICE = env.str(
    "OPEN311_KEY_SERVICE", default=gettext_noop("Ask the county's system administrator for a key.")
)
# Form retries per IP per hour whose photos are kept for the resident (then: choose again).
APPEAL_KEEP_PHOTOS_LIMIT = env.int("APPEAL_KEEP_PHOTOS_LIMIT", default=30)
APPEAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# A photo of more pixels is refused from its header, before it is decoded (a 50-megapixel
# phone camera's is the largest; decoding costs time and memory by the pixel).
APPEAL_PHOTO_MAX_PIXELS = env.int("APPEAL_PHOTO_MAX_PIXELS", default=50_000_000)
APPEAL_PHOTOS_MAX = 3
# A request larger than this is refused before it is read (three photos and the text fit).
APPEAL_MAX_REQUEST_BYTES = 20 * 1024 * 1024
# Reminders and digests to staff go out in working hours only (Asia/Shanghai).
WORKING_HOURS_START = env.int("WORKING_HOURS_START", default=9)
WORKING_HOURS_END = env.int("WORKING_HOURS_END", default=18)
# Return visit overdue by this many days: escalate to the branch secretary, then to community staff.
APPEAL_ESCALATE_SECRETARY_DAYS = env.int("APPEAL_ESCALATE_SECRETARY_DAYS", default=2)
APPEAL_ESCALATE_STAFF_DAYS = env.int("APPEAL_ESCALATE_STAFF_DAYS", default=4)
# A survey task's owner is reminded this many days before its due date, at 09:00 local time.
SURVEY_TASK_REMINDER_DAYS = env.int("SURVEY_TASK_REMINDER_DAYS", default=3)
# A group commitment's leader and branch secretary are reminded this many days before its
# due date, at 09:00 local time (governance/commitment_reminders.py).
COMMITMENT_REMINDER_DAYS = env.int("COMMITMENT_REMINDER_DAYS", default=7)
# Text messages to residents: the backend class and, for the file backend, where they go.
SMS_BACKEND = env.str("SMS_BACKEND", default="meetings.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox.jsonl"))
# A provider's SMS API (SMS_BACKEND meetings.sms_providers.AlibabaBackend or TencentBackend;
# docs/sms.md): the key (Alibaba's AccessKey ID and secret, Tencent's SecretId and
# SecretKey), Tencent's SdkAppId, the approved sign name, the region and endpoint (empty: the
# SDK's own; a URL such as http://127.0.0.1:8080 for a stub), and seconds before giving up.
SMS_PROVIDER_KEY_ID = env.str("SMS_PROVIDER_KEY_ID", default="")
SMS_PROVIDER_KEY_SECRET = env.str("SMS_PROVIDER_KEY_SECRET", default="")
SMS_PROVIDER_APP_ID = env.str("SMS_PROVIDER_APP_ID", default="")
SMS_PROVIDER_SIGN_NAME = env.str("SMS_PROVIDER_SIGN_NAME", default="")
SMS_PROVIDER_REGION = env.str("SMS_PROVIDER_REGION", default="")
SMS_PROVIDER_ENDPOINT = env.str("SMS_PROVIDER_ENDPOINT", default="")
SMS_PROVIDER_CONNECT_TIMEOUT = env.float("SMS_PROVIDER_CONNECT_TIMEOUT", default=3.0)
SMS_PROVIDER_READ_TIMEOUT = env.float("SMS_PROVIDER_READ_TIMEOUT", default=5.0)
# Per kind of text message, the provider's approved template and its parameters in order:
# "<template code>:<parameter>,<parameter>" (parameters named as in the text's template).
SMS_PROVIDER_TEMPLATES = {
    "sms_submitted": env.str("SMS_PROVIDER_TEMPLATE_SUBMITTED", default=""),
    "sms_acknowledged": env.str("SMS_PROVIDER_TEMPLATE_ACKNOWLEDGED", default=""),
    "sms_resolved": env.str("SMS_PROVIDER_TEMPLATE_RESOLVED", default=""),
    "sms_closed": env.str("SMS_PROVIDER_TEMPLATE_CLOSED", default=""),
    "commitment_reminder": env.str("SMS_PROVIDER_TEMPLATE_COMMITMENT_REMINDER", default=""),
}
# The address of the site in messages (links in texts and e-mails).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Delivery attempts of one e-mail or text message before it is left failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
# Seconds a worker holds its claim on a message while sending it: a message whose worker
# died mid-send is sent again by the sweep once the claim runs out. Longer than any send
# (EMAIL_TIMEOUT, SMS_PROVIDER_*_TIMEOUT) lasts, or a slow send is overtaken by a second.
NOTIFICATION_CLAIM_SECONDS = env.int("NOTIFICATION_CLAIM_SECONDS", default=300)
# Seconds between runs of the periodic sweeps (reminders, digests, messages to retry,
# pending evaluations): five minutes. The topology test runs beat every few seconds.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=300)
# Hearing: quorum when present >= QUORUM x eligible; passed when for > MAJORITY x present.
HEARING_QUORUM = env.str("HEARING_QUORUM", default="2/3")
HEARING_MAJORITY = env.str("HEARING_MAJORITY", default="1/2")
# The year end's department evaluation: score = REVIEW_WEIGHT x mean review score +
# APPEAL_WEIGHT x referred-appeal result (decimals); grade excellent at >= EXCELLENT,
# qualified at >= QUALIFIED, unqualified below.
EVALUATION_REVIEW_WEIGHT = env.str("EVALUATION_REVIEW_WEIGHT", default="0.6")
EVALUATION_APPEAL_WEIGHT = env.str("EVALUATION_APPEAL_WEIGHT", default="0.4")
EVALUATION_EXCELLENT = env.str("EVALUATION_EXCELLENT", default="90")
EVALUATION_QUALIFIED = env.str("EVALUATION_QUALIFIED", default="60")
# The year-end run: started by the schedule on YEAR_END_MONTH/DAY at YEAR_END_HOUR:00
# (Asia/Shanghai) for the year just ended; departments are drafted YEAR_END_CHUNK per task.
YEAR_END_MONTH = env.int("YEAR_END_MONTH", default=1)
YEAR_END_DAY = env.int("YEAR_END_DAY", default=5)
YEAR_END_HOUR = env.int("YEAR_END_HOUR", default=2)
YEAR_END_CHUNK = env.int("YEAR_END_CHUNK", default=50)
# The committee's dashboard (/dashboard/): whether "basically satisfied" counts as satisfied
# in the satisfaction rate; a place with fewer appeals received in the period is shown but not
# ranked.
DASHBOARD_BASICALLY_SATISFIED_COUNTS = env.bool(
    "DASHBOARD_BASICALLY_SATISFIED_COUNTS", default=True
)
DASHBOARD_MIN_CASES = env.int("DASHBOARD_MIN_CASES", default=10)
# Three Brightness rankings (branches.rankings): a building group or a branch with fewer
# active members than this is shown but not ranked.
RANKING_MIN_MEMBERS = env.int("RANKING_MIN_MEMBERS", default=3)
# The dashboard's tables and the appeals export: an XLSX holds at most this many rows
# (beyond it the page offers the CSV, which streams any number). openpyxl writes some
# 6,000-9,000 rows a second on a small server, so the largest takes 11-17 s: inside
# gunicorn's 30 s (scripts/bench_export.py).
DASHBOARD_XLSX_MAX_ROWS = env.int("DASHBOARD_XLSX_MAX_ROWS", default=100_000)
# An export's statements may run this long on PostgreSQL (milliseconds) instead of
# DATABASE_STATEMENT_TIMEOUT: its first fetch sorts every row of the unit and period before
# the first is sent (some 10-20 s for 750,000 appeals). Serve /dashboard/exports/ with a
# worker timeout at least as long.
EXPORT_STATEMENT_TIMEOUT = env.int("EXPORT_STATEMENT_TIMEOUT", default=120_000)
# /healthz and the health page: the periodic jobs count as stale when none has completed for
# this many minutes (the frequent ones run every five), or, on the page, when one is this
# much later than its schedule.
HEALTH_SWEEP_STALE_MINUTES = env.int("HEALTH_SWEEP_STALE_MINUTES", default=15)

# Logs (docs/operations.md, "Logs"): one JSON line per record in production, where the
# journal or a log shipper reads them; human-readable lines under DEBUG (make run).
# LOG_FORMAT=json or text overrides either default.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is neither json nor text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "governance.logs.JsonFormatter"},
        "text": {"()": "governance.logs.TextFormatter"},
        "runserver": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # The safety net on every handler: a mobile number or a tracking code that reached a
    # message is written as "[redacted]".
    "filters": {
        "redact": {"()": "governance.logs.RedactFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
        "runserver": {
            "class": "logging.StreamHandler",
            "formatter": "runserver" if LOG_FORMAT == "text" else "json",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Celery's own line per task run holds its arguments and return value; ours
        # (governance.tasks.runs) holds the name, id, state and duration. WeasyPrint logs each
        # step of each PDF (the evaluations) at INFO.
        "celery.app.trace": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # One line per request (governance.middleware.RequestLogMiddleware) in JSON; under
        # text, runserver's or gunicorn's access log says the same.
        "governance.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # Django logs a 4xx or 5xx, and runserver each request, with its raw path, which may
        # hold a tracking code: the path is redacted on the logger, before any handler (or
        # the test suite's check) sees it.
        "django.request": {"filters": ["redact"]},
        # Django's security lines (a logger per kind) may quote what the client sent: a
        # field name in the admin's URL, a header.
        **{
            f"django.security.{kind}": {"filters": ["redact"]}
            for kind in (
                "DisallowedHost",
                "DisallowedModelAdminLookup",
                "DisallowedModelAdminToField",
                "DisallowedRedirect",
                "InvalidSessionKey",
                "RequestDataTooBig",
                "SuspiciousFileOperation",
                "SuspiciousMultipartForm",
                "SuspiciousOperation",
                "SuspiciousSession",
                "TooManyFieldsSent",
                "TooManyFilesSent",
                "csrf",
            )
        },
        "django.server": {
            "handlers": ["runserver"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact"],
        },
    },
}
