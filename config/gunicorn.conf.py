"""gunicorn for Talanoa: `gunicorn -c config/gunicorn.conf.py` (deploy/run web runs exactly that).

Every value can be changed from the environment, so `make prod`, the systemd unit and the
Compose file share this file and differ only in their environment.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def _cores() -> int:
    # The cores this process may run on (a container or a taskset may allow fewer).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Synchronous workers, one request each: our requests wait on PostgreSQL, not on clients
# (a proxy in front buffers slow ones). 2 * cores + 1 keeps the cores busy while some
# wait; capped because each worker holds ~100 MB and a PostgreSQL connection.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores() + 1, 12))
# A request past this is killed and its worker replaced: long work belongs to Celery
# (a chair's report as PDF is queued: POST /api/v1/meetings/{id}/reports/).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (deploy, shutdown) requests in hand get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced now and then, staggered, so that no slow leak grows for ever.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file each worker touches lives in memory, not on a disk that can stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Addresses whose X-Forwarded-Proto / -For gunicorn believes: the local proxy only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: one JSON object a line, access lines to stdout, the rest to stderr (config/logs.py).
logger_class = "config.logs.GunicornLogger"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# gunicorn ≥ 25 opens a control socket under $HOME by default; several gunicorns on one
# machine (or one account) would fight over it, and nothing here uses it.
control_socket_disable = True
proc_name = "talanoa-web"
