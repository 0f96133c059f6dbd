"""`/healthz` for load balancers and orchestrators, and the heartbeat it reads.

Three checks, each cheap and each answered in at most a couple of seconds:

- database: one trivial ORM query on the default connection;
- broker: a fresh connection to the Celery broker (Redis answers a ping), short timeouts;
- heartbeat: beat queues `config.health.heartbeat` every HEALTH_HEARTBEAT_SECONDS; a
  worker runs it and writes the time into the "health" cache (Redis in production, so
  every web process on every machine reads the same value). A fresh time shows that the
  scheduler and at least one worker are alive and the queue moves.

200 `{"status": "ok", "checks": {…}}` when all pass, else 503 naming what failed, with
nothing an outsider could use (no host names, no versions, no error text).
`/healthz?checks=database,broker` runs only those: what a load balancer should route by,
since a missing heartbeat is the workers' trouble, which no web machine's removal mends.

Served by a middleware placed before SecurityMiddleware and CommonMiddleware: a load
balancer probes each machine by its address, over plain HTTP, so the answer must not
depend on ALLOWED_HOSTS or the HTTPS redirect. Sessions, CSRF, CSP, locale and
django-axes never see these requests.
"""

import logging
import time
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.http import JsonResponse

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
HEARTBEAT_KEY = "heartbeat"
BROKER_TIMEOUT_SECONDS = 2.0


@shared_task(name="config.health.heartbeat", ignore_result=True)
def heartbeat() -> None:
    # An int: the cache serializes it as a plain number (no pickle, see settings.CACHES).
    caches["health"].set(HEARTBEAT_KEY, int(time.time()), timeout=None)


def _check_database() -> str:
    ContentType.objects.exists()  # a tiny table every install has; no app data read
    return "ok"


def _check_broker() -> str:
    with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    return "ok"


def _check_heartbeat() -> str:
    beat = caches["health"].get(HEARTBEAT_KEY)
    if beat is None:
        return "no heartbeat yet"
    age = time.time() - beat
    if age > settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS:
        return f"last heartbeat {int(age)} s ago"
    return "ok"


CHECKS = {"database": _check_database, "broker": _check_broker, "heartbeat": _check_heartbeat}


def run_checks(names: Iterable[str]) -> dict[str, str]:
    results = {}
    for name in names:
        check = CHECKS[name]
        try:
            results[name] = check()
        except Exception as error:
            # The detail goes to the log, never to the (unauthenticated) caller. No
            # traceback: a probe every few seconds through an outage would repeat it.
            logger.warning("health check %s failed: %r", name, error)
            results[name] = "unreachable"
    return results


def health_response(names: Iterable[str] = tuple(CHECKS)) -> JsonResponse:
    checks = run_checks(names)
    healthy = all(result == "ok" for result in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") == HEALTH_PATH and request.method in ("GET", "HEAD"):
            asked = [name for name in request.GET.get("checks", "").split(",") if name in CHECKS]
            return health_response(asked or tuple(CHECKS))
        return self.get_response(request)
