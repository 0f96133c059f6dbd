"""The `make run` demo: SQLite under var/, mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="talanoa-local-demo-key-not-for-production")

# The demo's reminders land in var/outbox/ (one .eml per message) unless told otherwise.
if not env.str("EMAIL_URL", default="") and not EMAIL_OUTBOX:  # noqa: F405
    EMAIL_BACKEND = "config.mail.OutboxBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")  # noqa: F405
# The demo sends at any hour, so reminders arrive minutes after `make run`.
REMINDER_SEND_FROM_HOUR = env.int("REMINDER_SEND_FROM_HOUR", default=0)
# The demo's logins have no authenticator: the second factor is offered, not required
# (`make run` says so; production warns in `check --deploy` when it is off).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
