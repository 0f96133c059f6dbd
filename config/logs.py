"""Logs that a machine can read: one JSON object a line, each carrying its request's id.

A request's id comes from the `X-Request-ID` header when the load balancer or proxy sent
a well-formed one (so one id follows the request through every tier), else it is made
here. It is echoed in the response's `X-Request-ID`, put on every log line written while
the request is served, on gunicorn's access line, and carried to the Celery jobs the
request queues, whose log lines carry it too: searching the logs of every machine for one
id finds all that one request did.
"""

import contextvars
import logging
import re
import uuid

from celery import signals as celery_signals
from celery._state import get_current_task
from gunicorn import glogging
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy usually sends (a UUID, hex, base64url, a trace id with dots or colons),
# and nothing that could forge a second header or a second log field.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{8,128}")

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Paths that carry a secret: a person's calendar feed and their reminder links
# (workinggroups/urls.py, calendar_urls.py). Whoever reads the logs must not be able to
# subscribe to someone's calendar or change their reminders.
SECRET_IN_PATH = re.compile(
    r"^(/calendar/|/reminders/(?:preferences|unsubscribe)/)[^/]+?(\.ics)?(/|$)"
)


def redact_path(path: str) -> str:
    """The path as logs may show it: a token in it replaced by `<token>`."""
    return SECRET_IN_PATH.sub(r"\1<token>\2\3", path)


def request_id_from(header: str | None) -> str:
    """The caller's id if it is well formed, else a new one."""
    if header and WELL_FORMED_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every later middleware's log lines carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the request's id (and, in a worker, the job's) on every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx answer ("Not Found: /x") after the middleware has returned;
        # that record carries the request itself.
        current = request_id.get() or getattr(getattr(record, "request", None), "request_id", None)
        if current and not hasattr(record, "request_id"):
            record.request_id = current
        if record.name == "django.request" and record.args:
            # "Not Found: %s" and the like, with the request's path as an argument.
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        task = get_current_task()
        if task is not None and task.request.id and not hasattr(record, "task_id"):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


class JsonFormatter(BaseJsonFormatter):
    """`{"time", "level", "logger", "message", …extra fields}`, UTC times, UTF-8 text."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            # Django puts the request object on its request log records: not a field.
            reserved_attrs=[*RESERVED_ATTRS, "request"],
            json_ensure_ascii=False,
        )


def logging_config(*, log_format: str, level: str) -> dict:
    """settings.LOGGING: everything through one console handler, as text or JSON."""
    if log_format not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    handler = {"class": "logging.StreamHandler", "filters": ["request_id"]}
    if log_format == "json":
        handler["formatter"] = "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
    }


# --- Celery: jobs log like the web, and carry the id of the request that queued them ------


@celery_signals.setup_logging.connect
def use_django_logging(loglevel=None, **kwargs):
    """Celery logs through settings.LOGGING (JSON in production), not its own formatters.

    Answering this signal stops Celery configuring logging itself; `--loglevel` still
    sets the level.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    logging.captureWarnings(True)  # as Django does: warnings are log lines too
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@celery_signals.before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault("request_id", current)


@celery_signals.task_prerun.connect
def adopt_request_id(task=None, **kwargs):
    request_id.set(getattr(task.request, "request_id", None) if task is not None else None)


@celery_signals.task_postrun.connect
def forget_request_id(**kwargs):
    request_id.set(None)


# --- gunicorn ------------------------------------------------------------------------------


class GunicornLogger(glogging.Logger):
    """gunicorn's own lines as JSON too; one access line per request with its fields."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        path = redact_path(atoms["U"])
        fields = {
            "method": atoms["m"],
            "path": path,
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": atoms["h"],
            "user_agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o"),
        }
        self.access_log.info("%s %s %s", atoms["m"], path, atoms["s"], extra=fields)
