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
# Tests only: a pause after each reminder is handed to the mail backend and before it is
# marked sent, so that a test can kill a worker inside that window
# (workinggroups/reminders/delivery.py).
REMINDER_TEST_DELIVERY_DELAY_SECONDS = env.float(
    "REMINDER_TEST_DELIVERY_DELAY_SECONDS", default=0.0
)
DATABASES = {"default": database_from_env("sqlite://:memory:")}
# In memory, whatever REDIS_URL says (the real-worker tests set it for their broker); the
# health tests point "health" at a real Redis themselves (tests/test_production.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "health": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "health"},
}
