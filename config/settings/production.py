"""Production: every secret and host from the environment, no defaults for them."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # SECRET_KEY or SECRET_KEY_FILE; no default on purpose
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
