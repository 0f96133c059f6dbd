"""`make run`: links follow the port the demo is started on, and Ctrl-C stops every process
it started (web server, Celery worker and its pool, beat) within 10 seconds.

The supervisor (deploy/supervise.py) runs for real, on the local settings `make run` uses,
with a SQLite file of the test's own and Redis database 12 for the broker and the caches
(skipped without Redis, failed when CI requires it), on a free port.
"""

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.celery_worker import group_members, redis_or_skip
from tests.test_production import ROOT
from tests.test_production_server import free_port

REDIS_URL = "redis://127.0.0.1:6379/12"
STARTUP = 120.0  # three Django processes starting on a busy 2-core machine
STOPPED_WITHIN = 10.0

_spec = importlib.util.spec_from_file_location("supervise", ROOT / "deploy" / "supervise.py")
assert _spec is not None and _spec.loader is not None
supervise = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(supervise)


# --- the address links are written with ------------------------------------------------------


def test_make_run_hands_its_host_and_port_to_the_supervisor():
    # Not as a sub-make of `make test`: the outer make's flags stay out of the dry run.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (started,) = [line for line in dry_run.stdout.splitlines() if "deploy/supervise.py" in line]

    assert started.endswith("python deploy/supervise.py --host 127.0.0.1 --port 8123"), started
    assert 'demo_logins --url "http://127.0.0.1:8123"' in dry_run.stdout


@pytest.mark.parametrize(
    ("host", "site_url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("localhost", "http://localhost:8123"),
        ("::1", "http://[::1]:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),  # where it listens is no address to link to
    ],
)
def test_links_follow_the_address_the_server_is_started_on(host, site_url):
    env = supervise.demo_environment({"PATH": "/usr/bin"}, host=host, port=8123)

    assert env["SITE_URL"] == site_url
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert env["PATH"] == "/usr/bin"


def test_a_site_url_the_person_set_is_kept():
    given = {"SITE_URL": "https://talanoa.example.org", "DJANGO_SETTINGS_MODULE": "x"}
    env = supervise.demo_environment(given, host="127.0.0.1", port=8123)

    assert env["SITE_URL"] == "https://talanoa.example.org"
    assert env["DJANGO_SETTINGS_MODULE"] == "x"
    assert supervise.demo_environment({"SITE_URL": ""}, host="127.0.0.1", port=8123)[
        "SITE_URL"
    ] == ("http://127.0.0.1:8123")


# --- starting and stopping for real ----------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is `pid`, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if item)


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds `marker`: all a demo started, wherever they
    were reparented to, and only those (the marker is a path under the test's tmp_path)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError, IndexError):
            state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
    return found


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Demo:
    """deploy/supervise.py in a session of its own, logging to a file."""

    def __init__(self, folder: Path, port: int):
        self.log_path, self.port = folder / "supervise.log", port
        self.database = folder / "demo.sqlite3"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"SITE_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_URL", "DATABASE_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DATABASE_URL=f"sqlite:///{self.database}",
            REDIS_URL=REDIS_URL,
            EMAIL_OUTBOX=str(folder / "outbox"),
            PYTHONUNBUFFERED="1",
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "deploy/supervise.py", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.groups: list[int] = []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def fail(self, why: str):
        pytest.fail(
            f"{why}\n--- supervise.log (last lines)\n" + "\n".join(self.log().splitlines()[-40:])
        )

    def wait_until_up(self) -> list[int]:
        """Web answering, worker ready with its pool, beat started: the three main pids."""
        deadline = time.monotonic() + STARTUP
        while True:
            mains = children_of(self.process.pid)
            self.groups = mains
            pools = sum(len(group_members(pid)) for pid in mains)
            text = self.log()
            if (
                len(mains) == 3
                and pools >= 5  # web, beat, the worker and its two pool processes
                and answers(self.port)
                and " ready." in text
                and "beat: Starting" in text
            ):
                return mains
            if self.process.poll() is not None:
                self.fail(f"the supervisor exited ({self.process.returncode}) while starting")
            if time.monotonic() > deadline:
                self.fail(f"not up after {STARTUP:.0f} s")
            time.sleep(0.2)

    def left(self) -> list[int]:
        """Processes it started that are still alive, the supervisor's own aside."""
        return [pid for pid in processes_with(str(self.database)) if pid != self.process.pid]

    def end(self) -> None:
        for group in [*self.groups, self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        for pid in self.left():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@pytest.fixture
def demo(tmp_path) -> Iterator[Callable[[int], Demo]]:
    broker = redis_or_skip(REDIS_URL)
    broker.flushdb()
    started: list[Demo] = []

    def start(port: int) -> Demo:
        started.append(Demo(tmp_path, port))
        return started[-1]

    yield start
    for one in started:
        one.end()
    broker.flushdb()


def test_ctrl_c_stops_the_web_server_the_worker_its_pool_and_beat_within_ten_seconds(demo):
    port = free_port()
    running = demo(port)
    mains = running.wait_until_up()
    # Every process gets the server's address for its links (the worker writes the e-mails).
    for pid in mains:
        assert environment_of(pid)["SITE_URL"] == f"http://127.0.0.1:{port}"
    everything = running.left()
    assert len(everything) >= 5  # web, beat, the worker and its two pool processes

    started = time.monotonic()
    os.kill(running.process.pid, signal.SIGINT)  # what the terminal's Ctrl-C sends
    try:
        status = running.process.wait(timeout=STOPPED_WITHIN)
    except subprocess.TimeoutExpired:
        running.fail(f"the supervisor was still running {STOPPED_WITHIN:.0f} s after Ctrl-C")
    while (left := running.left()) and time.monotonic() - started < STOPPED_WITHIN:
        time.sleep(0.05)

    assert left == [], f"still running {STOPPED_WITHIN:.0f} s after Ctrl-C: {left} of {everything}"
    assert status == 0, running.log()[-3000:]
    assert not answers(port)


def test_when_one_process_exits_the_others_are_stopped(demo):
    with socket.socket() as taken:  # the web server cannot listen: it exits at once
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        running = demo(taken.getsockname()[1])
        try:
            status = running.process.wait(timeout=STARTUP)
        except subprocess.TimeoutExpired:
            running.fail("the supervisor kept running when the web server had exited")

    assert status == 1
    assert "web exited; the others were stopped." in running.log()
    assert running.left() == []
