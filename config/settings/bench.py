"""`make bench`: PostgreSQL (a database of its own), mail kept in memory, no debug.

Served by gunicorn as production would be, with two differences that the benchmark
needs and says so in its table: no rate limits (eight clients hammering one token would
be throttled), and a header counting each request's queries (bench/middleware.py).
"""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, REST_FRAMEWORK, database_from_env, env

SECRET_KEY = "talanoa-bench-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": database_from_env("postgres://postgres@127.0.0.1:5432/talanoa_bench")}
# Each gunicorn worker keeps its connection, as a production deployment should
# (CONN_MAX_AGE): the floor does too, and a new connection per request costs time.
# Not checked before each request either, as in production (config/settings/production.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
REMINDER_SEND_FROM_HOUR = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
# Outermost, so that it counts the queries of authentication and every middleware too.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
