"""The `make run` demo: SQLite under var/, mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="talanoa-local-demo-key-not-for-production")
