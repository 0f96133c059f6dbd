"""`make bench`: PostgreSQL (a database of its own), mail kept in memory, no debug."""

from .base import *  # noqa: F403
from .base import database_from_env

SECRET_KEY = "talanoa-bench-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": database_from_env("postgres://postgres@127.0.0.1:5432/talanoa_bench")}
REMINDER_SEND_FROM_HOUR = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
