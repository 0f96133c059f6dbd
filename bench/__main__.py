"""Run the benchmark: `make bench` (PostgreSQL at DATABASE_URL, default talanoa_bench).

Prints figures, asserts none: targets are read off the table (README, "Benchmark").
"""

import datetime
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")


def ensure_database() -> None:
    """Create the benchmark database on the local server if it does not exist."""
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("make bench runs on PostgreSQL: set DATABASE_URL=postgres://…")
    params = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"] or "postgres",
        "dbname": "postgres",
        "autocommit": True,
    }
    if database["PASSWORD"]:
        params["password"] = database["PASSWORD"]
    with psycopg.connect(**params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database["NAME"]}"')


def table(rows: list[tuple], header: tuple) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def bench_sweep(now: datetime.datetime) -> list[tuple]:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workinggroups import reminders
    from workinggroups.models import Reminder

    rows = []
    with CaptureQueriesContext(connection) as planning:
        started = time.perf_counter()
        due = reminders.sweep(now)
        swept = time.perf_counter() - started
    rows.append(("sweep (plan + hand out)", f"{swept:.2f} s", len(planning), f"{len(due)} due"))
    again = time.perf_counter()
    with CaptureQueriesContext(connection) as second:
        reminders.sweep(now)
    rows.append(
        ("second sweep (nothing new)", f"{time.perf_counter() - again:.2f} s", len(second), "")
    )
    sample = due[:2000]
    mail.outbox = []
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as delivering:
        for reminder_id in sample:
            reminders.deliver(reminder_id, now)
    elapsed = time.perf_counter() - started
    sent = Reminder.objects.filter(pk__in=sample, status=Reminder.Status.SENT).count()
    rows.append(
        (
            f"deliver {len(sample)} (compose + send)",
            f"{elapsed:.2f} s",
            f"{len(delivering) / max(1, len(sample)):.1f}/msg",
            f"{sent / elapsed:.0f} reminders/s",
        )
    )
    return rows


def report_data(*, outcomes: int, tasks: int, today: datetime.date):
    """A meeting adopting `outcomes` outcomes, one reaffirming the previous meeting's
    document (so its outcomes and the tasks serving them are the lineage), with `tasks`
    tasks in the groups reporting to it; and its chair, who reads up to TLP:AMBER."""
    from django.contrib.auth import get_user_model

    from bench import data
    from forums.models import Chair, Meeting
    from outcomes.models import OutcomeDocument, OutcomeLink

    made = data.generate(
        forums=1,
        meetings_per_forum=2,
        outcomes=2 * outcomes,  # half adopted at the meeting, half at the one before
        tasks=tasks,
        people=100,
        today=today,
    )
    earlier, meeting = Meeting.objects.order_by("sequence")
    adopted = OutcomeDocument.objects.get(meeting=meeting).outcomes.order_by("position").first()
    OutcomeLink.objects.create(
        source=adopted,
        kind="reaffirms",
        target_document=OutcomeDocument.objects.get(meeting=earlier),
    )
    chair = get_user_model().objects.create(username="bench-chair", password="!")
    member = meeting.forum.memberships.first().member
    Chair.objects.create(meeting=meeting, member=member, person=chair)
    return made, meeting, chair


def bench_report(meeting, chair, as_of: datetime.date) -> list[tuple]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forums.tlp import TLP
    from reports.content import build_report
    from reports.render import FORMATS, render

    rows = []
    with CaptureQueriesContext(connection) as building:
        started = time.perf_counter()
        report = build_report(meeting=meeting, user=chair, level=TLP.AMBER, as_of=as_of)
        built = time.perf_counter() - started
    outcomes = sum(len(document.outcomes) for document in report.documents)
    tasks = sum(len(group.tasks) for group in report.groups)
    rows.append(
        (
            "build (AMBER, as chair)",
            f"{built:.2f} s",
            len(building),
            f"{outcomes} outcomes, {tasks} tasks, {len(report.lineage)} in lineage",
        )
    )
    for fmt in FORMATS:
        with CaptureQueriesContext(connection) as rendering:
            started = time.perf_counter()
            rendered = render(report, fmt)
            elapsed = time.perf_counter() - started
        rows.append(
            (
                f"render {fmt}",
                f"{elapsed:.2f} s",
                len(rendering),
                f"{len(rendered.content) / 1024:,.0f} KB",
            )
        )
    return rows


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench import data

    ensure_database()
    call_command("migrate", verbosity=0)
    sizes = {
        "reminders": {
            "forums": 10,
            "meetings_per_forum": 2,
            "outcomes": 2000,
            "tasks": int(os.environ.get("BENCH_SWEEP_TASKS", 100_000)),
            "people": int(os.environ.get("BENCH_SWEEP_PEOPLE", 10_000)),
        },
    }
    now = datetime.datetime(2027, 3, 1, 0, 30, tzinfo=datetime.UTC)
    print(f"Talanoa benchmark on {settings.DATABASES['default']['NAME']} (PostgreSQL)")
    for name, size in sizes.items():
        data.reset()
        started = time.perf_counter()
        made = data.generate(today=now.date(), **size)
        print(f"\n[{name}] generated {made} in {time.perf_counter() - started:.1f} s")
        print(table(bench_sweep(now), ("step", "time", "queries", "result")))
    # The chair's report: a small meeting, then the large one; the query counts must match.
    report_sizes = [
        (50, 500),
        (
            int(os.environ.get("BENCH_REPORT_OUTCOMES", 500)),
            int(os.environ.get("BENCH_REPORT_TASKS", 5000)),
        ),
    ]
    for outcomes, tasks in report_sizes:
        data.reset()
        started = time.perf_counter()
        made, meeting, chair = report_data(outcomes=outcomes, tasks=tasks, today=now.date())
        print(
            f"\n[chair's report, {outcomes} outcomes, {tasks} tasks] generated {made} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        print(
            table(bench_report(meeting, chair, now.date()), ("step", "time", "queries", "result"))
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
