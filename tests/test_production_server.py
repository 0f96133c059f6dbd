"""The production processes for real: gunicorn, a Celery worker and beat, as `deploy/run`
starts them (the commands `make prod`, the systemd units and the Compose file run).

One installation for the module: production settings behind a pretend TLS proxy
(PROXY_COUNT=1, X-Forwarded-Proto: https), a SQLite file for the database, Redis database
14 for the broker and the caches (skipped without Redis, failed when CI requires it),
static files collected into a folder of the test's own (the big third-party bundles left
out: only our pages' are fetched). The heartbeat runs every second so that /healthz turns
200 in seconds.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.celery_worker import redis_or_skip
from tests.test_production import ROOT, production_env

REDIS_URL = "redis://127.0.0.1:6379/14"
SITE = "talanoa.example.org"
WAIT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Installation:
    def __init__(self, folder: Path, env: dict[str, str], port: int):
        self.folder, self.env, self.port = folder, env, port
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *command: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            ["deploy/run", *command],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended as one
        )

    def log(self, name: str) -> list[str]:
        return (self.folder / f"{name}.log").read_text(errors="replace").splitlines()

    def web_records(self, request_id: str, access_lines: int) -> list[dict]:
        """Gunicorn's JSON log records, once it has logged `access_lines` for `request_id`.

        It writes an access line after it has sent the response, so that line may come a
        moment after the test has the response in hand.
        """
        deadline = time.monotonic() + WAIT
        while True:
            records = [json.loads(line) for line in self.log("web")]
            logged = sum(
                r.get("request_id") == request_id and r["logger"] == "gunicorn.access"
                for r in records
            )
            if logged >= access_lines or time.monotonic() > deadline:
                return records
            time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def get(self, path: str, **headers) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get_https(self, path: str, **headers):
        """As the TLS proxy in front forwards it."""
        return self.get(path, Host=SITE, **{"X-Forwarded-Proto": "https", **headers})


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    broker = redis_or_skip(REDIS_URL)
    broker.flushdb()
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(
        folder,
        DATABASE_URL=f"sqlite:///{folder / 'talanoa.sqlite3'}",
        REDIS_URL=REDIS_URL,
        EMAIL_URL=None,
        EMAIL_OUTBOX=str(folder / "outbox"),
        ALLOWED_HOSTS=SITE,
        PROXY_COUNT="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        HEALTH_HEARTBEAT_SECONDS="1",
        REMINDER_SWEEP_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    if os.geteuid() == 0:
        # CI runs as root, which Celery warns about before logging is set up, as plain
        # text; an installation runs as a user of its own (deploy/systemd/).
        env["PYTHONWARNINGS"] = "ignore:You're running the worker with superuser privileges"
    manage = [str(ROOT / ".venv" / "bin" / "python"), "manage.py"]
    # What `deploy/run release` does, without the large bundles no test here fetches.
    leave_out = ["--ignore=drf_spectacular_sidecar", "--ignore=rest_framework"]
    for command in (
        [*manage, "migrate", "--no-input", "-v", "0"],
        [*manage, "collectstatic", "--no-input", "-v", "0", *leave_out],
    ):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]

    site = Installation(folder, env, port)
    site.start("web", "web")
    site.start("worker", "worker", "test-worker")
    site.start("beat", "beat")
    try:
        deadline = time.monotonic() + WAIT
        while True:
            with contextlib.suppress(OSError):
                site.get("/healthz")
                break
            dead = [name for name, p in site.processes.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer ({dead or 'timeout'}):\n" + logs(site))
            time.sleep(0.2)
        yield site
    finally:
        site.stop()
        broker.flushdb()


def logs(site: Installation) -> str:
    return "\n".join(f"--- {name}\n" + "\n".join(site.log(name)[-30:]) for name in site.processes)


def test_healthz_turns_ok_once_a_worker_has_run_the_beats_heartbeat(installation):
    deadline = time.monotonic() + WAIT
    while True:
        status, _, body = installation.get("/healthz")
        if status == 200 or time.monotonic() > deadline:
            break
        assert json.loads(body)["checks"]["heartbeat"] in ("no heartbeat yet", "ok")
        time.sleep(0.5)

    assert status == 200, logs(installation)
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "heartbeat": "ok"},
    }
    # Written by the worker into Redis as a plain number (JSON), not a pickle.
    stored = redis.Redis.from_url(REDIS_URL).get("talanoa-health:1:heartbeat")
    assert abs(int(stored) - time.time()) < 10


def test_pages_behind_the_proxy_are_https_only_with_the_security_headers(installation):
    status, headers, body = installation.get_https("/")
    plain_status, plain_headers, _ = installation.get("/", Host=SITE)
    unknown_host_status, _, _ = installation.get("/", Host="10.0.0.7")

    assert status == 200, body[:500]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert (plain_status, plain_headers["Location"]) == (301, f"https://{SITE}/")
    assert unknown_host_status == 400


def test_whitenoise_serves_hashed_static_files_compressed_and_cached_for_ever(installation):
    manifest = json.loads((installation.folder / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["pages/talanoa.css"]
    assert hashed != "pages/talanoa.css"

    status, headers, _ = installation.get_https(f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    unhashed_status, _, _ = installation.get_https("/static/pages/talanoa.css")

    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/css")
    assert unhashed_status == 404  # only the hashed names are kept and served


def test_every_line_gunicorn_and_celery_write_is_json_with_request_ids_on_access(installation):
    installation.get_https("/", **{"X-Request-ID": "trace-e2e-0001"})

    records = {
        "web": installation.web_records("trace-e2e-0001", access_lines=1),
        **{
            name: [json.loads(line) for line in installation.log(name)]
            for name in ("worker", "beat")
        },
    }

    (access,) = [r for r in records["web"] if r.get("request_id") == "trace-e2e-0001"]
    assert access["logger"] == "gunicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/", 200)
    assert access["duration_ms"] >= 0 and access["bytes"] > 0
    assert any(r["logger"] == "gunicorn.error" for r in records["web"])  # "Booting worker…"
    assert any("ready" in r["message"] for r in records["worker"])
    assert any("heartbeat" in r["message"] for r in records["beat"])


def test_a_token_in_a_path_never_reaches_the_logs(installation):
    secret = "Zq4sEcretCalendarT0ken"
    for path in (f"/calendar/{secret}.ics", f"/reminders/unsubscribe/{secret}/"):
        installation.get_https(path, **{"X-Request-ID": "trace-token-0001"})

    records = installation.web_records("trace-token-0001", access_lines=2)
    assert secret not in "\n".join(installation.log("web"))
    paths = [
        record["path"]
        for record in records
        if record.get("request_id") == "trace-token-0001" and record["logger"] == "gunicorn.access"
    ]
    assert paths == ["/calendar/<token>.ics", "/reminders/unsubscribe/<token>/"]
