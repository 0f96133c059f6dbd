"""Settings shared by every environment; each value comes from the environment.

`local`, `test` and `production` import this module and override what differs. Secrets
can be given directly (`SECRET_KEY=…`) or as a file (`SECRET_KEY_FILE=/run/secrets/…`),
which is how container and systemd secret stores hand them over.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from environ.fileaware_mapping import FileAwareMapping

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


class SecretFiles(FileAwareMapping):
    """`NAME_FILE` read as FileAwareEnv reads it, without the newline most files end with.

    `echo "$key" > secret_key` and most secret stores write one; a DATABASE_URL or
    REDIS_URL read with it would name a database or host that does not exist.
    """

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return value.rstrip("\r\n") if self.env.get(f"{key}_FILE") else value


class SettingsEnv(environ.FileAwareEnv):
    ENVIRON = SecretFiles()


env = SettingsEnv()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "forums.admin_site.TalanoaAdminConfig",  # django.contrib.admin, on our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "simple_history",
    "forums",
    "readlog",
    "outcomes",
    "workinggroups",
    "reports",
    "pages",
    "secretariat",
    "fixtures",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request's id (config/logs.py).
    "config.logs.RequestIdMiddleware",
    # Before the host check and the HTTPS redirect: load balancers probe by address.
    "config.health.HealthCheckMiddleware",
    # Around everything else: the TLP:RED reads of a request are written as one INSERT.
    "readlog.middleware.ReadLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session, CSRF and authentication, so that it sees the cookies they set
    # and the reader they found; inside WhiteNoise (production), so static files pass.
    "config.security.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the person verified when their session holds a confirmed second factor.
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a signed-in person reads in their own language and time zone.
    "forums.middleware.PersonalSettingsMiddleware",
    # Before any page, admin or session API answer: the second code, or enrolment, for
    # those who need it (pages/middleware.py), in their own language.
    "pages.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Unknown paths under /api/ answer JSON even with DEBUG on (config/api_not_found.py).
    "config.api_not_found.ApiNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Puts request.user on every history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: answers locked-out sign-ins (config.api_auth).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before its password is tried.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env(default: str = environ.Env.NOTSET) -> dict:
    """DATABASE_URL as Django's DATABASES entry; required when no default is given."""
    database = env.db_url("DATABASE_URL", default=default)
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite ignores SELECT … FOR UPDATE; taking the write lock when a transaction
        # begins gives the services' lock-then-check the same meaning as on PostgreSQL.
        database.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Without JIT: a page's query counts the work under each of its rows, and its
        # estimate passes the JIT's threshold; compiling it would cost far more than
        # running it, on every request. A random read priced as on solid-state storage
        # (PostgreSQL's default prices a spinning disk's): a list's few hundred tasks then
        # reach their working groups by key rather than by hashing every group.
        options = database.setdefault("OPTIONS", {})
        options["options"] = "-c jit=off -c random_page_cost=1.1"
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            # Parameters sent apart from the SQL, so that a statement's text is the same
            # on every request, and prepared once it has run five times on a connection:
            # PostgreSQL then skips parsing and planning a page's long query, as much time
            # as running it. Off for a pooler that cannot keep prepared statements (a
            # transaction-mode PgBouncer before 1.22).
            options["server_side_binding"] = True
            options["prepare_threshold"] = 5
    return database


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'talanoa.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# Caches: DRF's request counts for throttling ("default") and the workers' heartbeat
# (config/health.py, "health") must be the same for every process on every machine: Redis
# when there is one, its values JSON (Django's Redis cache pickles by default; the
# conventions allow no pickle). Without Redis (`make run`): the counts per process, the
# heartbeat in a folder under var/ that the demo's worker and web server share, as JSON
# (config/json_file_cache.py: Django's own file cache would pickle it).
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"serializer": "django.core.signing.JSONSerializer"},
    }
    CACHES = {
        "default": {**_redis_cache, "KEY_PREFIX": "talanoa"},
        "health": {**_redis_cache, "KEY_PREFIX": "talanoa-health"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "health": {
            "BACKEND": "config.json_file_cache.JSONFileCache",
            "LOCATION": VAR_DIR / "cache" / "health",
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "UTC"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

LOGIN_URL = "login"
# Home: a person's forums, their role in each, and what needs them (My work one link away).
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:home"

STATIC_URL = "static/"
# Where `collectstatic` gathers the static files (served by WhiteNoise in production).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# Request bodies. An uploaded statement is bounded while it arrives, at 5 MB
# (outcomes.importing.uploads.BoundedUploadHandler); otherwise Django's defaults hold: form fields
# (a pasted statement, the import's review form) up to DATA_UPLOAD_MAX_MEMORY_SIZE
# (2.5 MB), and a file over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) spooled to a temporary
# file instead of memory. The review form posts each outcome and link of a document as
# fields: a 300-item action plan is about 2,500, over the default 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Every request's files are bounded while they arrive, not only the forms that expect
# one: Django parses a multipart body wherever a view reads request.POST (the sign-in
# page too), spooling files to disk whatever their size. The bound is the largest upload
# any form accepts (a statement, 5 MB); a form with a smaller one (the CSV import, 1 MB)
# checks its own.
FILE_UPLOAD_HANDLERS = [
    "outcomes.importing.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- response headers (production adds the HTTPS ones: config/settings/production.py) ------

# Django's defaults, written out because the security baseline rests on them.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Calendar feeds and unsubscribe links carry secrets in their paths: never sent to
# another site as a Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page uses these browser features; a script injected despite the CSP gets none.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Content Security Policy (django-csp) in every environment, so that the tests and the
# demo break where production would. Our pages load scripts and styles from our own
# static files only, with no inline script or style (tests/test_production.py reads
# every template). Swagger UI's inline start-up script and style (/api/v1/docs/) get a
# per-response nonce (config/templates/drf_spectacular/swagger_ui.html); DRF's browsable
# API loses two style attributes, and works. The chair's HTML report, a self-contained
# file, sends its own stricter policy (reports/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}

# Sessions are signed JSON in the database: no pickle anywhere (CONVENTIONS.md).
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
# The database store, refusing malformed keys before the query (config/sessions.py).
SESSION_ENGINE = "config.sessions"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# EMAIL_OUTBOX=/some/folder: write each message there once, as <Message-ID>.eml.
EMAIL_OUTBOX = env.str("EMAIL_OUTBOX", default="")
if EMAIL_OUTBOX:
    EMAIL_BACKEND = "config.mail.OutboxBackend"
    EMAIL_FILE_PATH = EMAIL_OUTBOX
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Talanoa <talanoa@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Reverting from history would bypass the services' validation and transition map.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- the REST API (/api/v1/) ------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: a script without credentials is told 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forums.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Last: an Authorization header nothing above understood is refused (401), not
        # read as an anonymous request that would quietly see only public rows.
        "forums.api.authentication.UnknownSchemeRefused",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["forums.api.permissions.ReadsForAll"],
    "DEFAULT_PARSER_CLASSES": ["forums.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "forums.api.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "forums.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "forums.api.base.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="300/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The anonymous rate's address: the same X-Forwarded-For entry as django-axes reads.
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
}

# API tokens (forums.ApiToken, on django-rest-knox): sent as `Authorization: Token <key>`,
# stored as a digest, each ending API_TOKEN_TTL_DAYS after it was issued.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be a whole number of days, 1 or more.")
KNOX_TOKEN_MODEL = "forums.ApiToken"
# knox's own migrations would create its AuthToken table, which forums.ApiToken replaces:
# an unused table holding a key to auth_user (and blocking a flush on PostgreSQL).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Talanoa API",
    "DESCRIPTION": (
        "Follow up what security forums decide: meetings, outcomes with citation codes, "
        "working groups, tasks and their progress updates. Every outcome, task and update "
        "carries a TLP label and is shown only to those it allows. Scripts get a token from "
        "POST /api/v1/auth/token/ and send `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "workinggroups.models.Task.Status",
        "OutcomeStatusEnum": "outcomes.models.Outcome.Status",
        "HostingStatusEnum": "forums.models.Hosting.Status",
        "OutcomeKindEnum": "outcomes.models.Outcome.Kind",
        "DocumentKindEnum": "outcomes.models.OutcomeDocument.Kind",
        "LinkKindEnum": "outcomes.models.OutcomeLink.Kind",
        "MemberKindEnum": "forums.models.Member.Kind",
        # TLP labels on the wire (forums.api.base.TLPField), and the levels a chair's report
        # is written for (reports/api.py): TLP without RED. Two sets named "tlp": both named.
        "TlpEnum": ["clear", "green", "amber", "red"],
        "ReportLevelEnum": ["clear", "green", "amber"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "forums.api.schema.add_error_responses",
        "forums.api.schema.declare_limits",
    ],
    # The schemes a client can use; UnknownSchemeRefused only refuses the others.
    "AUTHENTICATION_WHITELIST": [
        "forums.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

# --- Celery: reminders and long reports (config/celery_app.py) ---------------------------

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _queue = VAR_DIR / "celery" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge a job when it has finished, and give it back if its worker dies: jobs are
# idempotent (they claim rows), so running one again is safe and losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process left bigger than this by a job is replaced by a fresh one once the job
# is done: Python keeps what it freed, and a long PDF takes gigabytes (docs/benchmark.md).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_MAX_MEMORY_PER_CHILD_MB", default=1024) * 1024
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TIME_LIMIT", default=300)
# The chair's report job alone may run longer: a PDF of the benchmark's 500-outcome meeting
# takes minutes (docs/benchmark.md), too close to the jobs' limit above. Soft limit a
# minute earlier.
# Keep it under Redis's visibility timeout (one hour): an unacknowledged job older than
# that is delivered again.
REPORT_JOB_TIME_LIMIT = env.int("REPORT_JOB_TIME_LIMIT", default=1800)
# On a cold shutdown (SIGQUIT, or a second Ctrl-C), let the jobs in hand finish for this
# long before giving them back. A warm one (TERM, the first Ctrl-C) waits for them.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_SOFT_SHUTDOWN_SECONDS", default=30.0)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The in-memory scheduler: beat keeps no shelve (pickle) file; the sweep is idempotent, so
# a restarted beat that forgot when it last ran loses nothing.
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"
# Jobs outside the apps' jobs.py modules (autodiscovered): the health heartbeat.
CELERY_IMPORTS = ["config.health"]
HEALTH_HEARTBEAT_SECONDS = env.float("HEALTH_HEARTBEAT_SECONDS", default=30.0)
# /healthz fails when the last heartbeat is older than this (4 missed beats).
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.float("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=120.0)
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {
        "task": "workinggroups.jobs.sweep_reminders",
        "schedule": env.float("REMINDER_SWEEP_SECONDS", default=60.0),
    },
    "health-heartbeat": {
        "task": "config.health.heartbeat",
        "schedule": HEALTH_HEARTBEAT_SECONDS,
        # A heartbeat that waited in the queue longer than its interval proves nothing:
        # dropped, so that a worker back after an outage does not run a backlog of them.
        "options": {"expires": HEALTH_HEARTBEAT_SECONDS},
    },
}

# --- the chair's report (reports/services.py) --------------------------------------------

# The longest PDF or DOCX made within a web request, in table rows (outcomes and task
# lines): one part of the PDF's layout (reports.pdf.ROWS_PER_PART), a few seconds. A
# longer one is queued for a worker.
REPORT_NOW_MAX_ROWS = env.int("REPORT_NOW_MAX_ROWS", default=2000)

# --- reminders (workinggroups/reminders/) ------------------------------------------------

# A reminder is sent from this hour of the recipient's morning, on its day.
REMINDER_SEND_FROM_HOUR = env.int("REMINDER_SEND_FROM_HOUR", default=8)
# A claimed reminder not marked sent after this long is taken back by a later sweep.
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=600)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# How many reminders one delivery job takes.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=50)
# Plan every open task at each sweep, not only what changed since the last one.
REMINDER_SWEEP_FULL = env.bool("REMINDER_SWEEP_FULL", default=False)
# A sweep reads the tasks changed since the last one began, less this: a write still
# uncommitted then is dated earlier than it becomes visible.
REMINDER_SWEEP_OVERLAP_SECONDS = env.int("REMINDER_SWEEP_OVERLAP_SECONDS", default=600)

# Reverse proxies in front of the app, each appending to X-Forwarded-For the address it
# received the request from: the client's address is read from there (config/client_address.py).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Failed sign-ins (API token, admin, pages): see config/lockout.py for the arithmetic.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Failures from one address, whatever the accounts, before that address is locked.
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=4 * AXES_FAILURE_LIMIT)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=3))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "config.lockout.AccountAndAddressLockout"
AXES_RESET_ON_SUCCESS = True
# A sign-in tried during a lock is refused without being counted: the lock ends when it
# said it would, even for the right password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "config.api_auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"

# The second factor (forums/second_factor.py): required of the secretariat and of anyone
# named on a TLP:RED item. Off for the demo only (config/settings/local.py); with it off,
# `manage.py check --deploy` warns.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "Talanoa"

# One console handler; each line carries its request's id (config/logs.py). Production
# writes JSON (one object a line); elsewhere text, unless LOG_FORMAT=json.
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="text"), level=env.str("LOG_LEVEL", default="INFO")
)
