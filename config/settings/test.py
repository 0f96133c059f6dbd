"""pytest: SQLite in memory unless DATABASE_URL points elsewhere (CI also runs PostgreSQL)."""

from .base import *  # noqa: F403
from .base import database_from_env

SECRET_KEY = "talanoa-test-key"
DEBUG = False
# Fast hashing: tests create many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": database_from_env("sqlite://:memory:")}
