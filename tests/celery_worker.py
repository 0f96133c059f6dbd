"""Real Celery worker and beat processes for tests, on Redis and the test database.

Nothing here runs eagerly: jobs go through Redis to `celery -A config worker` processes
started by the tests, which share the test database (so it must be PostgreSQL: an
in-memory SQLite database cannot be reached from another process) and write their mail
into a folder (config/mail.py: one <Message-ID>.eml per message). A test module gives its
workers more settings by overriding the `worker_env` fixture. The fixtures are a pytest
plugin, loaded by the root conftest.py.

Waits poll with a deadline, never sleep-and-hope; every process a test starts runs in its
own process group, which is ended (and checked gone) when the test ends.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

# A Redis database of their own, emptied when each test starts and ends.
REDIS_URL = os.environ.get("TALANOA_WORKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUE = "celery"
WAIT = 60.0  # the longest any single wait may take, in seconds
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture
def worker_db(transactional_db):
    """The test database, committed and reachable by other processes; skip if it cannot be."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL and a real worker: CI runs it with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
        )
    return connection.settings_dict


def redis_or_skip(url: str) -> redis.Redis:
    """A client of the Redis at `url`; skip when none answers (fail when CI requires one)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"needs a Redis server at {url} ({error})"
        if os.environ.get("TALANOA_REQUIRE_WORKER_TESTS") == "1":
            pytest.fail(f"{reason}; TALANOA_REQUIRE_WORKER_TESTS=1 forbids skipping")
        pytest.skip(reason)
    return client


@pytest.fixture
def broker(worker_db):
    """Our Redis database, flushed; skip when no Redis answers (fail when CI requires one)."""
    client = redis_or_skip(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def sender(broker):
    """A Celery client in the test process that only publishes to the workers' Redis."""
    app = Celery("talanoa-worker-tests", broker=REDIS_URL, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=False,
    )
    yield app
    app.close()


@dataclass
class Service:
    """A celery worker or beat in a process group of its own, logging to a file."""

    name: str
    process: subprocess.Popen
    log: Path
    stopped: bool = field(default=False)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return f"--- last lines of {self.name} ({self.log}) ---\n" + "\n".join(
            self.text().splitlines()[-lines:]
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group at once (main process and pool children): a crash."""
        self._signal(signal.SIGKILL)
        self._reap(WAIT)

    def stop(self) -> None:
        """Warm shutdown (the job in hand finishes, reserved ones go back), then SIGKILL.

        TERM goes to the main process alone, as systemd's KillMode=mixed sends it
        (deploy/systemd): Celery resets TERM to its default action in pool children, so a
        child signalled directly dies at once, mid-job, before it logs what the job did.
        """
        with contextlib.suppress(ProcessLookupError):  # already gone
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
        self._reap(WAIT)

    def _signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, number)

    def _reap(self, timeout: float) -> None:
        self.process.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while (left := group_members(self.process.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.stopped = True
        assert not left, f"{self.name}: processes {left} outlived their group"


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.fixture
def worker_env() -> dict[str, str]:
    """What a test module's workers need in their environment (override it there)."""
    return {}


@pytest.fixture
def services(worker_db, broker, worker_env, tmp_path):
    """Start worker and beat processes on the test database; all are ended after the test.

    `services.outbox` is the folder their mail goes to.
    """
    started: list[Service] = []
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    db = worker_db
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    database_url = (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )

    def start(kind: str, **overrides) -> Service:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "EMAIL_OUTBOX": str(outbox),
            "CELERY_SOFT_SHUTDOWN_SECONDS": "2",
            **worker_env,
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in overrides.items()},
        }
        name = f"{kind}-{len(started) + 1}"
        if kind == "worker":
            command = [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                QUEUE,
                f"--hostname={name}-{os.getpid()}@%h",
            ]
        else:
            command = [str(CELERY), "-A", "config", "beat", "--loglevel=INFO"]
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as one
            )
        service = Service(name, process, log)
        started.append(service)
        return service

    start.outbox = outbox
    start.started = started
    yield start
    for service in reversed(started):
        if not service.stopped:
            service.stop()


def wait_for(predicate, what: str, *watched: Service, timeout: float = WAIT):
    """Poll until `predicate()` is truthy; fail with the logs at the deadline or if one dies."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        dead = [s for s in watched if not s.running()]
        if dead or time.monotonic() > deadline:
            why = f"{dead[0].name} exited" if dead else f"timed out after {timeout:.0f} s"
            pytest.fail(f"{why} waiting for {what}\n" + "\n".join(s.tail() for s in watched))
        time.sleep(0.05)


def wait_ready(worker: Service) -> None:
    wait_for(lambda: re.search(r"@\S+ ready\.", worker.text()), f"{worker.name} ready", worker)


def queue_empty(broker) -> bool:
    return broker.llen(QUEUE) == 0
