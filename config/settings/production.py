"""Production: every secret and host from the environment, no defaults for them.

Required (each also as `NAME_FILE`, a file holding the value): SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL, and EMAIL_URL unless EMAIL_OUTBOX names a folder. Missing one
stops the process at start with Django's ImproperlyConfigured naming it.

HTTPS is assumed (redirect, secure cookies, HSTS). TALANOA_HTTPS=0 turns those off for a
machine with no TLS in front of it (`make prod` on this machine); nothing else does.
"""

from whitenoise.compress import Compressor

from .base import *  # noqa: F403
from .base import EMAIL_OUTBOX, MIDDLEWARE, PROXY_COUNT, database_from_env, env, logging_config

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # SECRET_KEY or SECRET_KEY_FILE; no default on purpose
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Origins allowed to POST forms when a proxy changes the Host header, e.g.
# https://talanoa.example.org (scheme included).
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database_from_env()}
# Reuse a connection across requests: a new PostgreSQL connection costs more than most of
# our requests. Not checked before each request (CONN_HEALTH_CHECKS), which would cost a
# round trip on every one: a connection the server dropped (a restart, a failover) fails
# the first query of the request that next uses it, Django then finds it unusable when
# that request ends and closes it, and the worker's next request opens a new one.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# Celery's broker and the shared caches (config/settings/base.py read it already): the
# filesystem broker of the demo would give each machine a queue of its own.
REDIS_URL = env.str("REDIS_URL")

# The console backend, the default elsewhere, would mark reminders sent that nobody gets.
if not EMAIL_OUTBOX:
    env.str("EMAIL_URL")

# --- HTTPS -------------------------------------------------------------------------------

HTTPS = env.bool("TALANOA_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading asks browsers to ship the domain as HTTPS-only, which is hard to undo; a
# domain that must not be preloaded sets HSTS_PRELOAD=0, and says so to `check --deploy`.
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=True)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not HTTPS else ["security.W021"]
# Behind a proxy (PROXY_COUNT > 0, also where the client's address is read from) the
# app sees plain HTTP; the proxy says the scheme in X-Forwarded-Proto, and must strip any
# such header a client sent. Without a proxy, trusting the header would let anyone say
# "https".
if PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- static files: served by the app itself (WhiteNoise), hashed names, cached forever ------

MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pages name static files through {% static %}, which gives the hashed name: the
# unhashed copies would only be served by mistake, and compressing them doubles the time.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are fetched by developer tools alone: not worth minutes of compression.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- logs: one JSON object a line (config/logs.py) ---------------------------------------

LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="json"), level=env.str("LOG_LEVEL", default="INFO")
)
