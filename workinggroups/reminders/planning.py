"""What each person is to be reminded of today, written to the ledger once."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import TruncDate

from forums.access import secretariat_people
from forums.models import Chair, Meeting, due_day_end
from workinggroups.models import Reason, Reminder, Task, TaskUpdate, WorkingGroupMembership
from workinggroups.reminders.rules import rule_for, rules_by_forum
from workinggroups.reminders.zones import UTC, send_time


@dataclass
class Plan:
    """Ledger rows to insert, keyed so that one sweep never plans the same row twice.

    A row is kept as its key and a few values, and becomes a Reminder only if the ledger
    does not hold it yet: every sweep of the day plans everyone again, and most of what
    it plans is already there.
    """

    rows: dict[tuple, tuple] = field(default_factory=dict)

    def add(
        self, *, person_id, zone, reason, subject, day, task_id=None, meeting_id=None, days=None
    ):
        key = (person_id, reason, subject, day)
        if key not in self.rows:
            self.rows[key] = (zone, task_id, meeting_id, days)

    def reminders(self, *, except_keys: set[tuple]) -> list[Reminder]:
        return [
            Reminder(
                person_id=person_id,
                reason=reason,
                subject=subject,
                scheduled_for=day,
                send_after=send_time(day, zone),
                task_id=task_id,
                meeting_id=meeting_id,
                days_before=days,
            )
            for (person_id, reason, subject, day), (zone, task_id, meeting_id, days) in (
                self.rows.items()
            )
            if (person_id, reason, subject, day) not in except_keys
        ]


def _zones(ids) -> dict[int, ZoneInfo]:
    """Each active person's zone, as zone_of() gives it, read as values (no models)."""
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .values_list("pk", "profile__time_zone", "profile__member__time_zone")
    )
    return {pk: own or members or ZoneInfo("UTC") for pk, own, members in rows}


def _window(now: datetime.datetime, offsets: set[int]) -> set[datetime.date]:
    """UTC dates that may be `offset` days from some person's today (zones span ±14 h)."""
    today = now.astimezone(UTC).date()
    return {today + datetime.timedelta(days=n + e) for n in offsets for e in (-1, 0, 1, 2)}


# People planned per round: their zones and the ledger rows they already have are read,
# and their new rows built and inserted, one round at a time.
PLAN_PEOPLE_PER_ROUND = 2000
# What a person is to be reminded of: (reason, subject, instant, meeting, task, forum); the
# instant is the meeting's opening or the task's deadline (None: the weekly overdue digest).
Wanted = tuple[str, str, datetime.datetime | None, int | None, int | None, int | None]


def plan_reminders(now: datetime.datetime) -> int:
    """Insert today's ledger rows for everyone (idempotent); returns how many were new."""
    rules = rules_by_forum()
    offsets = {d for rule in rules.values() for d in rule.days}
    # person → what they are to be reminded of: a set, because a digest is wanted once
    # whatever the number of tasks behind it.
    recipients: dict[int, set[Wanted]] = defaultdict(set)

    # Meetings that open within reach of a rule, and the open tasks reporting to them.
    meetings = {
        meeting.pk: meeting
        for meeting in Meeting.objects.filter(start_date__in=_window(now, offsets)).select_related(
            "forum"
        )
    }
    # Who is reminded depends on the task's group and lead only, so the work is read as
    # distinct (group, lead, meeting or forum): a group's hundred tasks are one row here.
    meeting_work = set(
        Task.objects.open()
        .filter(reports_to_id__in=meetings)
        .values_list("working_group_id", "lead_id", "reports_to_id")
        .order_by()
        .distinct()
    )
    # Tasks that fall due within reach of a rule.
    due_tasks = list(
        Task.objects.open()
        .exclude(status=Task.Status.READY)  # done, awaiting the meeting: no deadline to chase
        .filter(due_on__in=_window(now, offsets))
        .values_list(
            "pk",
            "working_group_id",
            "lead_id",
            "due_on",
            "reports_to__time_zone",
            "working_group__established_by__forum_id",
        )
    )
    overdue_work = set(
        overdue_unmoved(now)
        .values_list("working_group_id", "lead_id", "working_group__established_by__forum_id")
        .order_by()
        .distinct()
    )
    groups = {g for g, _l, _m in meeting_work}
    groups |= {t[1] for t in due_tasks} | {g for g, _l, _f in overdue_work}
    seats: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in (
        WorkingGroupMembership.objects.current(now.astimezone(UTC).date())
        .filter(working_group_id__in=groups)
        .values_list("working_group_id", "person_id")
    ):
        seats[group_id].add(person_id)

    def people_of(group_id, lead_id):
        return seats[group_id] | ({lead_id} if lead_id else set())

    # Before a meeting: one digest per person with open work reporting to it.
    for group_id, lead_id, meeting_id in meeting_work:
        meeting = meetings[meeting_id]
        wanted: Wanted = (
            Reason.MEETING_DIGEST,
            f"meeting:{meeting_id}",
            meeting.opens_at,
            meeting_id,
            None,
            meeting.forum_id,
        )
        for person_id in people_of(group_id, lead_id):
            recipients[person_id].add(wanted)
    # Before a task falls due: its lead and its group.
    for task_id, group_id, lead_id, due_on, zone, forum_id in due_tasks:
        deadline = due_day_end(due_on, zone)
        wanted = (Reason.TASK_DUE, f"task:{task_id}", deadline, None, task_id, forum_id)
        for person_id in people_of(group_id, lead_id):
            recipients[person_id].add(wanted)
    # Weekly: overdue work that has not moved since its deadline.
    for group_id, lead_id, forum_id in overdue_work:
        wanted = (Reason.OVERDUE_DIGEST, f"overdue:{forum_id}", None, None, None, forum_id)
        for person_id in people_of(group_id, lead_id):
            recipients[person_id].add(wanted)
    # Before a meeting: the secretariat's and the chair's brief.
    secretariat = set(secretariat_people().values_list("pk", flat=True))
    # The chairs who take work into a meeting: its own, and the outgoing chairs of the
    # meeting before it (Palau chaired from Koror until the next meeting).
    chair_rows = Chair.objects.filter(
        person__isnull=False,
        meeting__forum_id__in={m.forum_id for m in meetings.values()},
        meeting__start_date__isnull=False,
    ).values_list("meeting__forum_id", "meeting__start_date", "person_id")
    chairs: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    for forum_id, start, person_id in chair_rows:
        assert start is not None, "filtered above"
        chairs[(forum_id, start)].add(person_id)
    for meeting in meetings.values():
        before = [d for (f, d) in chairs if f == meeting.forum_id and d < meeting.start_date]
        outgoing = chairs[(meeting.forum_id, max(before))] if before else set()
        own = chairs[(meeting.forum_id, meeting.start_date)]
        wanted = (
            Reason.MEETING_BRIEF,
            f"meeting:{meeting.pk}",
            meeting.opens_at,
            meeting.pk,
            None,
            meeting.forum_id,
        )
        for person_id in secretariat | own | outgoing:
            recipients[person_id].add(wanted)

    everyone = sorted(recipients)
    return sum(
        _plan_round(now, rules, {p: recipients[p] for p in everyone[i : i + PLAN_PEOPLE_PER_ROUND]})
        for i in range(0, len(everyone), PLAN_PEOPLE_PER_ROUND)
    )


def _plan_round(now: datetime.datetime, rules, recipients: dict[int, set[Wanted]]) -> int:
    """Plan and insert the rows of some people, each on their own calendar."""
    plan = Plan()
    zones = _zones(recipients)
    todays: dict[ZoneInfo, datetime.date] = {}  # people share a handful of zones
    for person_id, wanted in recipients.items():
        zone = zones.get(person_id)
        if zone is None:
            continue  # a closed account
        if zone not in todays:
            todays[zone] = now.astimezone(zone).date()
        today = todays[zone]
        for reason, subject, instant, meeting_id, task_id, forum_id in wanted:
            rule = rule_for(rules, forum_id, reason)
            if not rule.active:
                continue
            if instant is None:  # the weekly overdue digest
                if today.weekday() == rule.weekday:
                    plan.add(
                        person_id=person_id, zone=zone, reason=reason, subject=subject, day=today
                    )
                continue
            days = (instant.astimezone(zone).date() - today).days
            if days in rule.days:
                plan.add(
                    person_id=person_id,
                    zone=zone,
                    reason=reason,
                    subject=subject,
                    day=today,
                    task_id=task_id,
                    meeting_id=meeting_id,
                    days=days,
                )
    if not plan.rows:
        return 0
    planned_days = {key[3] for key in plan.rows}
    planned = set(
        Reminder.objects.filter(scheduled_for__in=planned_days, person_id__in=zones).values_list(
            "person_id", "reason", "subject", "scheduled_for"
        )
    )
    new = plan.reminders(except_keys=planned)
    # A concurrent sweep may have inserted some meanwhile: the constraint skips those.
    Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    return len(new)


def overdue_unmoved(now: datetime.datetime):
    """Open tasks past their deadline whose status has not moved since it passed."""
    # The deadline is 23:59 of the due day at the venue; a move on the due day or later
    # (in UTC, whatever zone the caller has active: the admin's preview is the sweep's)
    # "moved" the task. Comparing with the due date (a day early at most) keeps this SQL,
    # and NOT EXISTS lets PostgreSQL probe each task's updates once (over 2,000,000
    # tasks, "the latest move is NULL or earlier" read them twice: 5.2 s).
    moved_since_due = (
        TaskUpdate.objects.filter(task=OuterRef("pk"))
        .exclude(status_from=F("status_to"))
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .filter(day__gte=OuterRef("due_on"))
    )
    return (
        Task.objects.overdue(now).exclude(status=Task.Status.READY).filter(~Exists(moved_since_due))
    )
