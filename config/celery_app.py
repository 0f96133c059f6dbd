"""The Celery app: JSON only, jobs acknowledged after they finish, one at a time per worker.

The broker is Redis in production (REDIS_URL). With no Redis (the `make run` demo) it is
kombu's filesystem transport under var/celery/: a real broker that needs no server, so
the demo's worker and scheduler are the same processes production runs.
Exactly-once delivery never rests on the broker: jobs claim rows in the database.
"""

from celery import Celery

# Connects Celery's logging to Django's (JSON in production) and carries request ids.
from config import logs  # noqa: F401

# DJANGO_SETTINGS_MODULE comes from the caller (manage.py, wsgi.py, the Makefile, the
# deployment), never from here: this module is imported whenever `config` is.
app = Celery("talanoa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
