"""pytest: SQLite in memory unless DATABASE_URL points elsewhere (CI also runs PostgreSQL)."""

from .base import *  # noqa: F403
from .base import EMAIL_OUTBOX, database_from_env, env

SECRET_KEY = "talanoa-test-key"
DEBUG = False
# Fast hashing: tests create many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory (mail.outbox), unless EMAIL_OUTBOX names a folder: the real-worker tests
# (tests/workinggroups/test_reminders_worker.py) give their worker process one to witness.
if not EMAIL_OUTBOX:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real-worker test may give its worker a backend of its own: tests/slow_mail.py pauses
# after writing each message, so that the test can kill the worker before it is marked sent.
EMAIL_BACKEND = env.str("TALANOA_TEST_EMAIL_BACKEND", default=EMAIL_BACKEND)
DATABASES = {"default": database_from_env("sqlite://:memory:")}
# In memory, whatever REDIS_URL says (the real-worker tests set it for their broker); the
# health tests point "health" at a real Redis themselves (tests/test_production.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "health": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "health"},
}
