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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
