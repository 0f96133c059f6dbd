"""Run the benchmark: `make bench` (PostgreSQL at DATABASE_URL, default talanoa_bench).

BENCH_SIZE=small (default), large, smoke (CI), or several: BENCH_SIZE=small,large.
BENCH_ONLY=sweep: only the reminder sweep, on each size's data set (made if missing);
BENCH_ONLY=singles: only the details' and the update's table (no lists, sweep or report);
BENCH_ONLY=http: the lists' table and that one (no sweep or report).
Prints figures, asserts none: targets are read off the tables (README, "Benchmark").

    python -m bench            the whole run, one size after another
    python -m bench sweep      the reminder sweep alone (a child process: its own memory)
    python -m bench report     the chair's report alone (likewise)
"""

import contextlib
import datetime
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
# One part of the run alone (the module's docstring says which).
ONLY = os.environ.get("BENCH_ONLY", "")
ONLY_SINGLES = ONLY == "singles"
CLIENTS = [1, 8]
REQUESTS = {"smoke": 40, "tiny": 16}  # per endpoint and concurrency; else BENCH_REQUESTS
WARMUP = 16
DEEP_PAGE = 1000
PAGE_SIZE = 50


def ensure_database() -> None:
    """Create the benchmark database on the local server if it does not exist."""
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("make bench runs on PostgreSQL: set DATABASE_URL=postgres://…")
    with psycopg.connect(**{**dsn_params(), "dbname": "postgres"}, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database["NAME"]}"')


def dsn_params() -> dict:
    from django.conf import settings

    database = settings.DATABASES["default"]
    params = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"] or "postgres",
        "dbname": database["NAME"],
    }
    if database["PASSWORD"]:
        params["password"] = database["PASSWORD"]
    return params


def table(rows: list[tuple], header: tuple) -> str:
    """A Markdown table, aligned so that it also reads as plain text."""
    cells = [tuple(str(c) for c in r) for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r):
        return "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *map(line, cells[1:])])


def read(path: str) -> str:
    with open(path) as file:
        return file.read()


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in read("/proc/meminfo").splitlines()
        if line.startswith("MemTotal")
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory / 1024**2:.0f} GiB RAM, PostgreSQL {version}, "
        f"Python {platform.python_version()}; load average {load} at "
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
    )


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, from /proc."""
    values = {}
    for line in read(f"/proc/{pid}/status").splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            values[key] = int(value.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


# --- the HTTP run ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    from psycopg.conninfo import make_conninfo

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "BENCH_FLOOR_DSN": make_conninfo(**dsn_params()),
    }
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            # Not the production configuration: the worker count and class are fixed here.
            "--config",
            os.path.join(os.path.dirname(__file__), "gunicorn.conf.py"),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "bench.wsgi:application",
        ],
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not answer within a minute")


def worker_pids(master: int) -> list[int]:
    children = read(f"/proc/{master}/task/{master}/children").split()
    return [int(pid) for pid in children]


def reader():
    """The person whose lists are measured: a working-group member (not a lead), in a
    member's delegation: sees CLEAR, GREEN in a third of the forums, AMBER of 3 groups."""
    from django.contrib.auth import get_user_model

    from forums.access import audience_of
    from forums.services import api_token_issue
    from workinggroups.models import WorkingGroup

    groups = WorkingGroup.objects.count()
    user = get_user_model().objects.get(pk=groups + 7)
    _token, key = api_token_issue(actor=user, user=user, name="benchmark")
    audience = audience_of(user)
    return user, key, audience


def deep_cursor(token: str, page: int) -> str | None:
    """The API cursor of the page `page` of /api/v1/tasks/ (ordering `due`), or None."""
    from django.db import connection

    from bench import floor

    sql = (
        f"WITH {floor.AUDIENCE} SELECT coalesce(t.due_on, DATE '9999-12-31'), t.id "
        "FROM workinggroups_task AS t CROSS JOIN aud "
        "JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id "
        "JOIN forums_meeting AS em ON em.id = g.established_by_id "
        f"WHERE {floor.TASK_VISIBLE} ORDER BY 1, 2 OFFSET %(offset)s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"token": token, "offset": (page - 1) * PAGE_SIZE - 1})
        row = cursor.fetchone()
    return floor.cursor_for(list(row)) if row else None


def visible_tasks(token: str) -> int:
    from django.db import connection

    from bench import floor

    sql = (
        f"WITH {floor.AUDIENCE} SELECT count(*) FROM workinggroups_task AS t CROSS JOIN aud "
        "JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id "
        "JOIN forums_meeting AS em ON em.id = g.established_by_id "
        f"WHERE {floor.TASK_VISIBLE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"token": token})
        return cursor.fetchone()[0]


def endpoints(user, token: str, audience) -> list[tuple[str, str]]:
    from bench import data

    group = min(audience.groups)
    pages = max(2, min(DEEP_PAGE, visible_tasks(token) // PAGE_SIZE - 1))
    cursor = deep_cursor(token, pages)
    return [
        ("tasks mine", "tasks/?mine=true"),
        ("tasks by working group", f"tasks/?working_group={group}"),
        ("tasks overdue", "tasks/?overdue=true"),
        ("outcomes by document", f"outcomes/?document={data.report_meeting_id()}"),
        ("tasks, page 1", "tasks/"),
        (f"tasks, page {pages:,}", f"tasks/?cursor={cursor}"),
    ]


def details(user, audience) -> list[tuple[str, str]]:
    """A task the reader may update (the first of update_targets) and an outcome of the
    report's meeting they may see: the details measured."""
    from bench import data
    from outcomes.models import Outcome

    task = update_targets(user, audience)[0]
    outcome = (
        Outcome.objects.visible_to(user)
        .filter(document__meeting_id=data.report_meeting_id())
        .order_by("position")
        .values_list("pk", flat=True)
        .first()
    )
    return [("task detail", f"tasks/{task}/"), ("outcome detail", f"outcomes/{outcome}/")]


def update_targets(user, audience) -> list[int]:
    """Tasks the reader may post progress to, one a client: open, not done, in their
    groups (policy.may_post_update), labelled so that they see them (not TLP:RED)."""
    from workinggroups.models import Task

    clients = max(*CLIENTS, WORKERS)
    tasks = list(
        Task.objects.visible_to(user)
        .filter(
            working_group_id__in=audience.groups,
            status__in=["not_started", "in_progress", "blocked"],
            tlp__lt=3,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:clients]
    )
    assert len(tasks) == clients, "every generated group has open work"
    return tasks


def measure(port: int, name: str, api, floor, token: str, requests: int, expect=200) -> list:
    """The API and its floor, warmed up, then at each concurrency: the table's rows."""
    from bench import client

    for target in (api, floor):
        client.load(port, target, token, clients=WORKERS, requests=WARMUP, expect=expect)
    rows = []
    for clients in CLIENTS:
        a = client.load(port, api, token, clients=clients, requests=requests, expect=expect)
        f = client.load(port, floor, token, clients=clients, requests=requests, expect=expect)
        rows.append(
            (
                name,
                clients,
                f"{a['rps']:.0f}",
                f"{a['p50']:.1f}",
                f"{a['p95']:.1f}",
                "/".join(map(str, a["queries"])),
                f"{f['rps']:.0f}",
                f"{f['p50']:.1f}",
                f"{f['p95']:.1f}",
                f"{f['rps'] / a['rps']:.1f}x",
                f"{a['p50'] / f['p50']:.1f}x",
                f"{a['p95'] / f['p95']:.1f}x",
                f"{a['bytes'] / 1024:.0f}/{f['bytes'] / 1024:.0f}",
            )
        )
        print(" ", *rows[-1], file=sys.stderr, flush=True)  # progress
    return rows


def bench_http(size: str, user, token: str, audience) -> tuple[list, list, list]:
    """The lists, then the details and posting a progress update, each beside its floor."""
    requests = int(os.environ.get("BENCH_REQUESTS", REQUESTS.get(size, 200)))
    port = free_port()
    server = start_gunicorn(port)
    rows, singles = [], []
    try:
        for name, path in [] if ONLY_SINGLES else endpoints(user, token, audience):
            rows += measure(port, name, f"/api/v1/{path}", f"/floor/{path}", token, requests)
        for name, path in details(user, audience):
            singles += measure(port, name, f"/api/v1/{path}", f"/floor/{path}", token, requests)
        # Each client posts to a task of its own, with the ETag the last answer gave.
        tasks = update_targets(user, audience)
        api = [(f"/api/v1/tasks/{pk}/", f"/api/v1/tasks/{pk}/updates/") for pk in tasks]
        floor = [(f"/floor/tasks/{pk}/", f"/floor/tasks/{pk}/updates/") for pk in tasks]
        singles += measure(port, "post a task update", api, floor, token, requests, expect=201)
        memory = [rss_mb(pid) for pid in worker_pids(server.pid)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    workers = [
        (
            f"gunicorn worker {i + 1} (sync)",
            f"{now:.0f} MB",
            f"{peak:.0f} MB",
            "after the run above",
        )
        for i, (now, peak) in enumerate(memory)
    ]
    return rows, singles, workers


# --- the sweep and the report, each in a process of its own --------------------------------


def child(step: str) -> dict:
    """Run `python -m bench <step>` and read its JSON line: its own peak memory."""
    output = subprocess.run(
        [sys.executable, "-m", "bench", step], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_sweep() -> dict:
    """The reminder sweep as the Celery beat job runs it, on an empty ledger."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import data
    from workinggroups import reminders
    from workinggroups.models import Reminder, Task

    held = data.current()
    assert held is not None, "bench_size() made the data set first"
    now = datetime.datetime.combine(
        datetime.date.fromisoformat(held["today"]), datetime.time(0, 30), tzinfo=datetime.UTC
    )
    with connection.cursor() as cursor:
        # The first sweep ever: no ledger, no watermark, no inputs recorded.
        cursor.execute(
            "TRUNCATE workinggroups_reminder, workinggroups_remindersweep,"
            " workinggroups_remindersweepinput"
        )
    result: dict[str, Any] = {"tasks": Task.objects.count(), "open": Task.objects.open().count()}
    with CaptureQueriesContext(connection) as first:
        started = time.perf_counter()
        due = reminders.sweep(now, full=True)  # an empty ledger: plan every open task
        result["sweep"] = time.perf_counter() - started
    result["sweep_queries"] = len(first)
    result["planned"] = Reminder.objects.count()
    result["due"] = len(due)
    with CaptureQueriesContext(connection) as second:
        started = time.perf_counter()
        reminders.sweep(now)  # from what changed since the first: nothing
        result["again"] = time.perf_counter() - started
    result["again_queries"] = len(second)
    held_size = held["size"]
    wanted = int(os.environ.get("BENCH_DELIVER", 50 if held_size == "smoke" else 200))
    # Spread over everything due, so the sample has the mix of reasons the sweep planned
    # (a digest costs more queries than a task's deadline).
    sample = due[:: max(1, len(due) // wanted)][:wanted]
    result["mix"] = dict(
        Counter(Reminder.objects.filter(pk__in=sample).values_list("reason", flat=True).order_by())
    )
    mail.outbox = []
    with CaptureQueriesContext(connection) as delivering:
        started = time.perf_counter()
        for reminder_id in sample:
            reminders.deliver(reminder_id, now)
        result["deliver"] = time.perf_counter() - started
    result["delivered"] = len(sample)
    result["deliver_queries"] = len(delivering) / max(1, len(sample))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_report() -> dict:
    """The chair's report of the report meeting (see bench.data), as its chair reads it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import data
    from forums.models import Chair, Meeting
    from forums.tlp import TLP
    from reports.content import build_report

    meeting = Meeting.objects.get(pk=data.report_meeting_id())
    seat = Chair.objects.filter(meeting=meeting).select_related("person").first()
    held = data.current()
    assert seat is not None and held is not None, "every generated meeting has a chair"
    as_of = datetime.date.fromisoformat(held["today"])
    result: dict[str, Any] = {}
    with CaptureQueriesContext(connection) as building:
        started = time.perf_counter()
        report = build_report(meeting=meeting, user=seat.person, level=TLP.AMBER, as_of=as_of)
        result["build"] = time.perf_counter() - started
    result["build_queries"] = len(building)
    result["outcomes"] = sum(len(document.outcomes) for document in report.documents)
    result["tasks"] = sum(len(group.tasks) for group in report.groups)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["render"] = render_formats(report)
    return result


def render_formats(report) -> dict[str, tuple[float, int, float, float]]:
    """Each format: seconds, bytes, and the peak RSS (MB) of this process and of the
    largest child (the PDF's layout runs in children, reports/pdf.py) once it is made."""
    from reports.render import FORMATS, render

    formats = os.environ.get("BENCH_REPORT_FORMATS", ",".join(FORMATS)).split(",")
    made = {}
    for fmt in formats:
        with ChildrenPeak() as children:
            started = time.perf_counter()
            rendered = render(report, fmt)
            seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        made[fmt] = (seconds, len(rendered.content), peak, children.peak_mb)
    return made


class ChildrenPeak:
    """The largest peak RSS of this process's children while in the block, read from
    /proc every 20 ms (`VmHWM`: a child's own, from its exec; getrusage would count the
    parent's pages it was forked with)."""

    def __enter__(self):
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        # The kernel's list of this thread's children: nothing else is read each time.
        children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
        while not self._done.wait(0.02):
            for pid in children.read_text().split():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    status = Path(f"/proc/{pid}/status").read_text()
                    kb = int(status.split("VmHWM:")[1].split()[0])
                    self.peak_mb = max(self.peak_mb, kb / 1024)


def run_jhops_report() -> dict:
    """The chair's report of a meeting of JHoPS's size (the 5th, Koror: 10 outcomes, 5
    tasks), in a SQLite database of its own: the demo's data, as its chair reads it."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from fixtures.jhops import FORUM_ACRONYM, load_jhops
    from forums.models import Meeting
    from forums.tlp import TLP
    from reports.content import build_report, report_today

    call_command("migrate", verbosity=0)
    load_jhops(demo_users=True)
    meeting = Meeting.objects.get(forum__acronym=FORUM_ACRONYM, sequence=5)
    chair = get_user_model().objects.get(username="chair")
    started = time.perf_counter()
    report = build_report(meeting=meeting, user=chair, level=TLP.GREEN, as_of=report_today())
    return {"build": time.perf_counter() - started, "render": render_formats(report)}


# --- putting it together ------------------------------------------------------------------


HTTP_HEADER = (
    "list (50 a page)",
    "clients",
    "API req/s",
    "API p50 ms",
    "API p95 ms",
    "API queries",
    "floor req/s",
    "floor p50 ms",
    "floor p95 ms",
    "req/s floor/API",
    "p50 API/floor",
    "p95 API/floor",
    "KB API/floor",
)
STEP_HEADER = ("step", "time", "queries", "result", "peak RSS")
MEMORY_HEADER = ("process", "RSS", "peak RSS", "")


def bench_size(size: str) -> None:
    from bench import data

    held = data.ensure(size, datetime.date.today())
    if ONLY == "sweep":
        print(table(step_rows(sweep=child("sweep"), report=None)[:3], STEP_HEADER))
        return
    user, token, audience = reader()
    print_heading(size, held, user, token, audience)
    rows, singles, memory = bench_http(size, user, token, audience)
    print()
    print(table(rows, HTTP_HEADER))
    print()
    print(table(singles, ("detail or write", *HTTP_HEADER[1:])))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad average at the end of the HTTP run: {load}.")
    if ONLY in ("singles", "http"):
        return
    sweep = child("sweep")
    report = child("report")
    steps = step_rows(sweep=sweep, report=report)
    print()
    print(table(steps, STEP_HEADER))
    print()
    print(table(memory, MEMORY_HEADER))


def print_heading(size: str, held: dict, user, token: str, audience) -> None:
    """What the data set holds, and whose lists are read."""
    from bench import data

    print(
        f"\n## BENCH_SIZE={size}: {held['counts']['forums']:,} forums, "
        f"{held['counts']['forums'] * data.MEETINGS_PER_FORUM:,} meetings, "
        f"{held['counts']['outcomes']:,} outcomes, {held['counts']['tasks']:,} tasks, "
        f"{held['counts']['people']:,} people, "
        f"{held['derived']['workinggroups_taskupdate']:,} progress updates "
        f"(generated {held['today']} in {held['seconds']:.0f} s)\n"
    )
    print(
        f"Reader: {user.username}, member of {len(audience.groups)} working groups, "
        f"delegate in {len(audience.green_forums)} forums; sees "
        f"{visible_tasks(token):,} tasks. {WORKERS} gunicorn sync workers.\n",
        flush=True,
    )


def step_rows(*, sweep: dict, report: dict | None) -> list[tuple]:
    """The table's rows for the reminder sweep and the chair's report (`child` results)."""
    rows = [
        (
            f"reminder sweep over {sweep['tasks']:,} tasks ({sweep['open']:,} open)",
            f"{sweep['sweep']:.1f} s",
            sweep["sweep_queries"],
            f"{sweep['planned']:,} reminders planned, {sweep['due']:,} due now",
            f"{sweep['peak_mb']:.0f} MB",
        ),
        (
            "second sweep (nothing new)",
            f"{sweep['again']:.1f} s",
            sweep["again_queries"],
            "",
            "",
        ),
        (
            f"deliver {sweep['delivered']} (compose + send to memory)",
            f"{sweep['deliver']:.1f} s",
            f"{sweep['deliver_queries']:.1f} each",
            f"{sweep['delivered'] / max(sweep['deliver'], 1e-9):.0f} reminders/s ("
            + ", ".join(f"{n} {reason}" for reason, n in sorted(sweep["mix"].items()))
            + ")",
            "",
        ),
    ]
    if report is None:
        return rows
    return [
        *rows,
        (
            "chair's report: build (AMBER, as chair)",
            f"{report['build']:.2f} s",
            report["build_queries"],
            f"{report['outcomes']} outcomes, {report['tasks']:,} tasks",
            f"{report['peak_mb']:.0f} MB",
        ),
        *render_rows(report, "chair's report"),
    ]


def render_rows(report: dict, name: str) -> list[tuple]:
    """A row per format; the PDF's peak is the Python process's plus its layout's."""
    return [
        (
            f"{name}: render {fmt}",
            f"{seconds:.2f} s",
            "",
            f"{length / 1024:,.0f} KB",
            f"{peak:.0f} + {layout:.0f} MB (layout)" if fmt == "pdf" else f"{peak:.0f} MB",
        )
        for fmt, (seconds, length, peak, layout) in report["render"].items()
    ]


def bench_jhops() -> None:
    """The report of a JHoPS-size meeting, in a child on a SQLite file of its own."""
    with tempfile.TemporaryDirectory() as directory:
        database = f"sqlite:///{directory}/jhops.sqlite3"
        output = subprocess.run(
            [sys.executable, "-m", "bench", "jhops"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "DATABASE_URL": database},
        ).stdout
    report = json.loads(output.strip().splitlines()[-1])
    rows = [
        ("chair's report, JHoPS size: build", f"{report['build']:.2f} s", "", "", ""),
        *render_rows(report, "chair's report, JHoPS size"),
    ]
    print()
    print(table(rows, STEP_HEADER))


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    step = sys.argv[1] if len(sys.argv) > 1 else None
    steps = {"sweep": run_sweep, "report": run_report, "jhops": run_jhops_report}
    if step in steps:
        print(json.dumps(steps[step]()))
        return
    ensure_database()
    call_command("migrate", verbosity=0)
    sizes = os.environ.get("BENCH_SIZE", "small").split(",")
    print(f"# Talanoa benchmark on {settings.DATABASES['default']['NAME']}\n")
    print(machine())
    for size in sizes:
        bench_size(size.strip())
    if not ONLY_SINGLES:
        bench_jhops()


if __name__ == "__main__":
    main()
