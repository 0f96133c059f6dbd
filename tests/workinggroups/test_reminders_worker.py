"""Reminders through a real Redis and real Celery worker processes, on PostgreSQL.

Nothing here runs eagerly: the jobs go through Redis to `celery -A config worker`
processes started by the tests, which share the test database (so it must be PostgreSQL:
an in-memory SQLite database cannot be reached from another process) and write their mail
into a folder (config/mail.py: one <Message-ID>.eml per message). Each test plants people
with a meeting seven days ahead on their own calendar, so that every one of them is owed
one digest now, then checks what reached the ledger, the outbox and the worker's log.

Waits poll with a deadline, never sleep-and-hope; every process a test starts runs in its
own process group, which is ended (and checked gone) when the test ends.
"""

import ast
import datetime
import email
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery import Celery
from django.contrib.auth.models import Group
from django.utils import timezone

from forums.access import SECRETARIAT_GROUP
from forums.models import Chair
from tests.celery_worker import QUEUE, WAIT, Service, queue_empty, wait_for, wait_ready
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import Reason, Reminder, ReminderRule, Task, TaskUpdate

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP = "workinggroups.jobs.sweep_reminders"
CLAIM_TIMEOUT = 3  # seconds before a sweep takes back a claim that never finished
BATCH = 20  # reminders per delivery job: 120 reminders make six jobs
# Recipients' zones, across the date line: Apia and Kiritimati are a day ahead of Rarotonga.
ZONES = [
    "Pacific/Apia",
    "Pacific/Rarotonga",
    "Pacific/Kiritimati",
    "Pacific/Port_Moresby",
    "UTC",
    "Pacific/Noumea",
    "Pacific/Honolulu",
]


@pytest.fixture
def worker_env() -> dict[str, str]:
    return {
        "REMINDER_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
        # Everyone's "morning" has begun: a reminder is due from local midnight.
        "REMINDER_SEND_FROM_HOUR": "0",
        "REMINDER_BATCH_SIZE": str(BATCH),
    }


def slow_mail(pause: float) -> dict[str, str]:
    """A worker's mail that pauses `pause` seconds after writing each message, before the
    worker marks it sent: a window to stop or kill the worker in (tests/slow_mail.py)."""
    return {
        "TALANOA_TEST_EMAIL_BACKEND": "tests.slow_mail.SlowOutboxBackend",
        "TALANOA_TEST_MAIL_PAUSE_SECONDS": str(pause),
    }


def sweep_now(app: Celery) -> None:
    app.send_task(SWEEP, queue=QUEUE)


# --- data and witnesses -------------------------------------------------------------------


def plant(people: int) -> int:
    """People owed one meeting digest each right now; returns how many.

    Four zones (skipping any within 15 minutes of its midnight, so that the worker's "today"
    is the test's), each with its own meeting opening seven days ahead on that zone's
    calendar, a working group reporting to it with one open task, and its share of people.
    """
    now = timezone.now()
    zones = [z for z in ZONES if now.astimezone(ZoneInfo(z)).time() < datetime.time(23, 45)][:4]
    forum = ForumFactory.create()
    established_by = MeetingFactory.create(
        forum=forum, start_date=datetime.date(2020, 3, 2), end_date=datetime.date(2020, 3, 3)
    )
    for index, zone in enumerate(zones):
        opens = now.astimezone(ZoneInfo(zone)).date() + datetime.timedelta(days=7)
        meeting = MeetingFactory.create(
            forum=forum,
            start_date=opens,
            end_date=opens + datetime.timedelta(days=1),
            time_zone=zone,
        )
        group = WorkingGroupFactory.create(established_by=established_by, reports_to=meeting)
        TaskFactory.create(working_group=group)
        share = people // len(zones) + (1 if index < people % len(zones) else 0)
        for _ in range(share):
            person = UserFactory.create()
            ProfileFactory.create(user=person, member=None, time_zone=zone)
            WorkingGroupMembershipFactory.create(working_group=group, person=person)
    return people


def statuses() -> dict[int, str]:
    return dict(Reminder.objects.values_list("pk", "status"))


def all_sent(expected: int) -> bool:
    rows = statuses()
    return len(rows) == expected and set(rows.values()) == {Reminder.Status.SENT}


def outbox_file(outbox: Path, reminder: Reminder) -> Path:
    # config/mail.py's file name for a Message-ID.
    return outbox / (re.sub(r"[^A-Za-z0-9@._-]", "", reminder.message_id) + ".eml")


def messages_in(outbox: Path) -> list[Path]:
    # Not a worker's half-written `*.tmp`, left where it was killed before the rename.
    return list(outbox.glob("*.eml"))


def assert_outbox_matches_ledger(outbox: Path, expected: int) -> None:
    """Every ledger row sent, exactly one message file for each, and nothing else."""
    rows = list(Reminder.objects.select_related("person"))
    assert len(rows) == expected
    assert {row.status for row in rows} == {Reminder.Status.SENT}
    assert {row.reason for row in rows} == {Reason.MEETING_DIGEST}
    files = sorted(p.name for p in messages_in(outbox))
    assert len(files) == expected, f"{len(files)} files in the outbox for {expected} reminders"
    assert set(files) == {outbox_file(outbox, row).name for row in rows}
    for row in rows:
        message = email.message_from_bytes(outbox_file(outbox, row).read_bytes())
        assert message["Message-ID"] == row.message_id
        assert message["To"] == row.person.email
        assert "7 days to" in message["Subject"]


def delivery_outcomes(service: Service) -> dict[str, int]:
    """What the worker's delivery jobs returned, added up (Celery logs each job's result)."""
    totals: dict[str, int] = {}
    for match in re.finditer(
        r"deliver_reminders\[[^\]]+\] succeeded in [\d.]+s: (\{[^}]*\})", service.text()
    ):
        for outcome, count in ast.literal_eval(match.group(1)).items():
            totals[outcome] = totals.get(outcome, 0) + count
    return totals


# --- the tests ----------------------------------------------------------------------------


def test_two_sweeps_at_once_send_every_reminder_once(services, sender, broker):
    expected = plant(people=120)
    # Both sweeps wait in Redis before the worker starts, so its two pool processes take one
    # each and run them side by side: both plan, both hand out every due reminder.
    sweep_now(sender)
    sweep_now(sender)
    worker = services("worker")

    wait_for(lambda: all_sent(expected), f"{expected} reminders sent", worker)
    wait_for(lambda: queue_empty(broker), "every job taken from the queue", worker)
    worker.stop()  # the jobs in hand finish first: after this, nothing more can be sent

    assert_outbox_matches_ledger(services.outbox, expected)
    log = worker.text()
    sweeps = re.findall(r"reminder sweep: (\d+) planned, \d+ recovered, (\d+) due", log)
    assert len(sweeps) == 2, worker.tail()
    # Between them the two sweeps handed out every reminder at least once...
    assert sum(int(due) for _planned, due in sweeps) >= expected
    # ...and exactly `expected` deliveries ended in "sent", i.e. called the mail backend:
    # every other hand-out found its row already claimed ("taken").
    outcomes = delivery_outcomes(worker)
    assert outcomes.get("sent") == expected, outcomes
    assert set(outcomes) <= {"sent", "taken"}, outcomes


def test_warm_shutdown_finishes_the_jobs_in_hand_and_leaves_no_claim(services, sender, broker):
    expected = plant(people=2 * BATCH)
    # Two delivery jobs of 20, one in each pool process, each about 4 s long.
    worker = services("worker", **slow_mail(0.2))
    sweep_now(sender)
    wait_for(
        lambda: (
            Reminder.objects.filter(status=Reminder.Status.SENT).count() >= 2
            and Reminder.objects.filter(status=Reminder.Status.SENDING).exists()
        ),
        "the worker in the middle of its delivery jobs",
        worker,
    )
    worker.stop()  # as systemd stops it (deploy/systemd: KillMode=mixed)

    rows = statuses()
    assert len(rows) == expected
    # Each job in hand ran to its end: no row is left claimed for a sweep to take back and
    # send a second time, and every row a job sent is in the outbox and in its logged result.
    assert Reminder.Status.SENDING not in rows.values(), rows
    sent = [pk for pk, status in rows.items() if status == Reminder.Status.SENT]
    assert len(sent) % BATCH == 0 and sent, rows
    assert len(messages_in(services.outbox)) == len(sent)
    assert delivery_outcomes(worker) == {"sent": len(sent)}
    assert "Warm shutdown" in worker.text(), worker.tail()


def test_worker_killed_mid_batch_then_restarted_sends_each_reminder_once(services, sender, broker):
    expected = plant(people=120)
    # The first worker's mail backend pauses 1 s after writing each message, before the
    # worker marks its row sent, so that it can be killed inside that window.
    first = services("worker", **slow_mail(1))
    sweep_now(sender)

    def handed_off_unmarked() -> list[Reminder]:
        """Rows claimed whose message is already in the outbox but not yet marked sent."""
        claimed = Reminder.objects.filter(status=Reminder.Status.SENDING)
        return [row for row in claimed if outbox_file(services.outbox, row).exists()]

    wait_for(
        lambda: (
            Reminder.objects.filter(status=Reminder.Status.SENT).count() >= 4
            and len(handed_off_unmarked()) >= 2
        ),
        "the first worker in the middle of a batch, two messages handed off and unmarked",
        first,
    )
    first.kill()  # SIGKILL to the main process and its pool at once: no goodbye, no ack

    at_kill = {row.pk: row for row in Reminder.objects.all()}
    counts = {s: sum(r.status == s for r in at_kill.values()) for s in Reminder.Status.values}
    # Killed mid-batch: some rows sent, some claimed, the rest (of this and later batches)
    # still pending.
    assert counts[Reminder.Status.SENT] >= 4, counts
    assert counts[Reminder.Status.SENDING] >= 1, counts
    assert counts[Reminder.Status.PENDING] >= 1, counts
    assert len(at_kill) == expected
    sent_before = {pk: r.sent_at for pk, r in at_kill.items() if r.status == Reminder.Status.SENT}
    claimed_at_kill = {pk for pk, r in at_kill.items() if r.status == Reminder.Status.SENDING}
    in_window = {r.pk for r in handed_off_unmarked()}
    assert in_window, "no message was caught between hand-off and being marked sent"

    # A new worker; sweeps every second take back the dead claims once they are older than
    # the claim timeout and hand out what is pending. The dead worker's own jobs sit unacked
    # in Redis until the visibility timeout, and would find their rows "taken".
    second = services("worker")
    wait_ready(second)
    deadline = time.monotonic() + WAIT
    while not all_sent(expected):
        if time.monotonic() > deadline or not second.running():
            pytest.fail(f"not all sent: {statuses()}\n{second.tail()}")
        sweep_now(sender)
        wait_for(lambda: queue_empty(broker), "the queue drained", second)
        time.sleep(1)
    second.stop()

    # Each reminder was sent once: the ledger shows every row sent, and the outbox one
    # message per row, no more.
    #
    # The rows in `in_window` had been handed to the mail backend when the worker died, and
    # their claims were taken back and sent again: they are the one place a message can go
    # out twice. Each is the same message with the same Message-ID (Reminder.message_id is
    # per row), and the outbox keeps one file per Message-ID, so it shows one message, as a
    # mail server or client that drops duplicate Message-IDs would. With real SMTP the relay
    # has no such duty, so the recipient may see that message twice (a client that threads
    # by Message-ID shows it as one). No sender can close that window, between the server's
    # "250 OK" and its own commit: after a crash there it must send again (at least once,
    # the choice here) or never (at most once). The claim keeps it to the rows in flight at
    # the crash, at most one per pool process, never a batch or a sweep.
    assert_outbox_matches_ledger(services.outbox, expected)
    final = {row.pk: row for row in Reminder.objects.all()}
    # What was sent before the crash was never sent again.
    assert {pk: final[pk].sent_at for pk in sent_before} == sent_before
    assert {final[pk].attempts for pk in sent_before} == {1}
    # What was claimed at the crash was taken back and claimed once more, and only that.
    assert {final[pk].attempts for pk in claimed_at_kill} == {2}
    others = set(final) - set(sent_before) - claimed_at_kill
    assert {final[pk].attempts for pk in others} == {1}
    # The new worker's deliveries called the mail backend once for each row not sent before
    # the crash (the rows caught in the window included: the price named above).
    assert delivery_outcomes(second).get("sent") == expected - len(sent_before)


def test_beat_schedules_sweeps_that_the_worker_delivers(services, broker):
    expected = plant(people=12)
    worker = services("worker")
    beat = services("beat", REMINDER_SWEEP_SECONDS="1")

    wait_for(lambda: all_sent(expected), f"{expected} reminders sent", worker, beat)
    beat.stop()
    wait_for(lambda: queue_empty(broker), "every job taken from the queue", worker)
    worker.stop()

    assert "Scheduler: Sending due task reminder-sweep" in beat.text(), beat.tail()
    assert "reminder sweep:" in worker.text()
    assert_outbox_matches_ledger(services.outbox, expected)
    assert delivery_outcomes(worker).get("sent") == expected


def plant_weekly(people: int) -> int:
    """A forum whose latest meeting's co-chairs and the secretariat (half each) are owed
    its weekly digest now: a rule for today's weekday in their zone, and a task moved."""
    now = timezone.now()
    zone = next(z for z in ZONES if now.astimezone(ZoneInfo(z)).time() < datetime.time(23, 45))
    forum = ForumFactory.create()
    held = MeetingFactory.create(
        forum=forum, sequence=1, start_date=datetime.date(2020, 3, 2), end_date=None
    )
    upcoming = MeetingFactory.create(
        forum=forum, sequence=2, start_date=now.date() + datetime.timedelta(days=90), end_date=None
    )
    group = WorkingGroupFactory.create(established_by=held, reports_to=upcoming)
    task = TaskFactory.create(working_group=group, status=Task.Status.IN_PROGRESS)
    TaskUpdate.objects.create(
        task=task, status_from="in_progress", status_to="in_progress", progress=20, note="On."
    )
    ReminderRule.objects.create(
        forum=forum, reason=Reason.WEEKLY_DIGEST, weekday=now.astimezone(ZoneInfo(zone)).weekday()
    )
    # Flushed with the rest by the transactional test before this one.
    secretariat, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    for n in range(people):
        person = UserFactory.create()
        ProfileFactory.create(user=person, member=None, time_zone=zone)
        if n % 2:
            person.groups.add(secretariat)
        else:
            Chair.objects.create(
                meeting=held, member=MemberFactory.create(), person=person, role="co_chair"
            )
    return people


def test_the_weekly_digest_goes_once_to_each_chair_and_secretary_through_the_worker(
    services, sender, broker
):
    expected = plant_weekly(people=24)
    sweep_now(sender)
    sweep_now(sender)
    worker = services("worker")

    wait_for(lambda: all_sent(expected), f"{expected} weekly digests sent", worker)
    wait_for(lambda: queue_empty(broker), "every job taken from the queue", worker)
    worker.stop()

    rows = list(Reminder.objects.select_related("person"))
    assert {row.reason for row in rows} == {Reason.WEEKLY_DIGEST}
    assert len({row.person_id for row in rows}) == expected
    files = {p.name for p in messages_in(services.outbox)}
    assert files == {outbox_file(services.outbox, row).name for row in rows}
    for row in rows:
        message = email.message_from_bytes(outbox_file(services.outbox, row).read_bytes())
        assert message["To"] == row.person.email
        subject = " ".join(message["Subject"].split())  # unfolded
        assert subject.endswith(": 1 moved, 0 newly stalled, 0 ready for ratification")
    outcomes = delivery_outcomes(worker)
    assert outcomes.get("sent") == expected, outcomes
    assert set(outcomes) <= {"sent", "taken"}, outcomes
