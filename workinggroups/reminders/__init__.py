"""Who is reminded of what, when, in their own time zone; and sending each reminder once.

The sweep (a Celery beat job, every minute in UTC) does three things, none of which
depends on the broker for correctness:

1. plan: for every person whose calendar day it is, insert the ledger rows (Reminder) of
   what they are due today. The unique constraint on (person, reason, subject, day) makes
   this idempotent: two sweeps at once plan one row. Queries are a fixed handful,
   whatever the number of tasks, plus two and the bulk insert per round of 2,000 people
   (PLAN_PEOPLE_PER_ROUND), so that the ledger rows in memory are one round's.
2. recover: a row claimed by a worker that died (status "sending" for longer than
   REMINDER_CLAIM_TIMEOUT_SECONDS) goes back to "pending".
3. hand out: the ids of pending rows whose time has come, for delivery jobs.

A delivery claims its row with a conditional UPDATE (pending → sending) before it sends
(healthchecks' claim-before-send), then marks it sent. A message sent again after a crash
between "sent" and "marked" carries the same Message-ID.

Dates: a task's due date is a calendar day in the time zone of the meeting it reports to,
ending 23:59 there. "N days before" is counted on the recipient's own calendar: the
deadline instant is turned into the recipient's local date first.
"""

import datetime
import logging
import re
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forums.access import secretariat_people
from forums.models import Chair, Meeting, due_day_end
from outcomes.models import Outcome
from workinggroups.calendar import site_url
from workinggroups.models import (
    Reason,
    Reminder,
    ReminderRule,
    Task,
    TaskUpdate,
    WorkingGroupMembership,
)
from workinggroups.services import reminder_preference_for

log = logging.getLogger(__name__)
UTC = datetime.UTC
ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


# --- time ---------------------------------------------------------------------------------


def zone_of(person) -> ZoneInfo:
    """The person's IANA zone: their own, else their member's, else UTC."""
    profile = getattr(person, "profile", None)
    zone = profile.effective_time_zone if profile is not None else None
    return zone or ZoneInfo("UTC")


def send_time(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    """The recipient's morning on `day`, as an instant."""
    morning = datetime.time(settings.REMINDER_SEND_FROM_HOUR)
    return datetime.datetime.combine(day, morning, tzinfo=zone).astimezone(UTC)


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    days: tuple[int, ...]
    weekday: int
    active: bool = True


def rules_by_forum() -> dict[tuple[int | None, str], Rule]:
    """Each forum's rules, with the defaults under forum None (one query)."""
    rules: dict[tuple[int | None, str], Rule] = {
        (None, reason): Rule(
            days=tuple(
                int(d) for d in ReminderRule.DEFAULT_DAYS[reason].replace(" ", "").split(",") if d
            ),
            weekday=ReminderRule.DEFAULT_WEEKDAY,
        )
        for reason in Reason.values
    }
    for rule in ReminderRule.objects.all():
        rules[(rule.forum_id, rule.reason)] = Rule(rule.days, rule.weekday, rule.active)
    return rules


def rule_for(rules: dict[tuple[int | None, str], Rule], forum_id: int | None, reason: str) -> Rule:
    return rules.get((forum_id, reason)) or rules[(None, reason)]


# --- planning ------------------------------------------------------------------------------


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


# --- the sweep -----------------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None) -> list[int]:
    """Plan, take back dead claims, and return the ids of reminders due now."""
    now = now or timezone.now()
    planned = plan_reminders(now)
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    recovered = Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=stale
    ).update(status=Reminder.Status.PENDING, claimed_at=None)
    due = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:10000]
    )
    log.info("reminder sweep: %d planned, %d recovered, %d due", planned, recovered, len(due))
    return due


# --- delivery ------------------------------------------------------------------------------


def deliver(reminder_id: int, now: datetime.datetime | None = None) -> str:
    """Claim, compose, send and mark one reminder. Safe to call twice or concurrently."""
    now = now or timezone.now()
    claimed = Reminder.objects.filter(
        pk=reminder_id, status=Reminder.Status.PENDING, send_after__lte=now
    ).update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "taken"  # sent, being sent by another worker, or not due
    reminder = Reminder.objects.select_related(
        "person__profile__member", "task", "meeting__forum"
    ).get(pk=reminder_id)
    try:
        message = compose(reminder, now)
    except Exception as error:
        # A bug or bad data, not a mail outage: retrying will not help, so say so in the
        # ledger (visible in the admin) instead of leaving the claim to be retried forever.
        log.exception("reminder %s could not be composed", reminder.pk)
        _finish(reminder, Reminder.Status.FAILED, f"{type(error).__name__}: {error}")
        return "failed"
    if message is None:
        _finish(reminder, Reminder.Status.CANCELLED, "Nothing to say any more.")
        return "cancelled"
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            _finish(reminder, Reminder.Status.FAILED, f"{type(error).__name__}: {error}")
            return "failed"
        # Back off 2, 4, 8 … minutes; a later sweep hands it out again.
        retry_at = now + datetime.timedelta(minutes=2**reminder.attempts)
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.PENDING,
            claimed_at=None,
            send_after=retry_at,
            last_error=f"{type(error).__name__}: {error}",
        )
        return "retry"
    # Tests only (config/settings/test.py, 0 elsewhere): widen the window between hand-off
    # and "marked sent" so that a test can kill the worker inside it.
    time.sleep(getattr(settings, "REMINDER_TEST_DELIVERY_DELAY_SECONDS", 0))
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SENT, sent_at=timezone.now()
    )
    log.info("reminder %s sent to %s: %s", reminder.pk, reminder.person, message.subject)
    return "sent"


def _finish(reminder: Reminder, status: str, error: str) -> None:
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=status, last_error=error
    )


# --- what a message says -------------------------------------------------------------------


def describe_due(task: Task, zone: ZoneInfo) -> dict:
    """“Due 30 June 2027, 23:59 at Apia (Pacific/Apia) — 1 July, 22:59 your time”."""
    if task.due_on is None:
        return {"text": _("no due date yet"), "theirs": "", "yours": ""}
    meeting_zone = task.venue_zone
    deadline = task.deadline
    assert deadline is not None, "a dated task has a deadline"
    theirs = _("%(date)s, 23:59 %(zone)s time") % {
        "date": date_format(deadline, "j F Y"),
        "zone": meeting_zone or "UTC",
    }
    local = deadline.astimezone(zone)
    yours = _("%(date_time)s your time (%(zone)s)") % {
        "date_time": date_format(local, "j F Y, H:i"),
        "zone": zone.key,
    }
    return {"text": f"{theirs} — {yours}", "theirs": theirs, "yours": yours}


def language_of(person) -> str:
    """The language the person reads Talanoa in (their profile), else the site's."""
    profile = getattr(person, "profile", None)
    return profile.language if profile is not None else settings.LANGUAGE_CODE


def compose(reminder: Reminder, now: datetime.datetime) -> EmailMultiAlternatives | None:
    """The message for one ledger row, as the person may read it today; None: nothing to say.

    Written in the recipient's language, whatever language the worker (or the officer
    previewing it) runs in: subject, body, dates and the labels of statuses.
    """
    with translation.override(language_of(reminder.person)):
        return _compose(reminder, now)


def _compose(reminder: Reminder, now: datetime.datetime) -> EmailMultiAlternatives | None:
    person = reminder.person
    # Planning skips closed accounts; one closed after its rows were planned gets nothing.
    if not person.is_active or not person.email:
        return None
    preference = reminder_preference_for(person)
    if not preference.wants(reminder.reason):
        return None
    zone = zone_of(person)
    visible = Task.objects.visible_to(person).select_related(
        "reports_to", "working_group__established_by__forum"
    )
    reason = reminder.reason
    context = {"person": person, "reminder": reminder, "zone": zone.key}
    if reason == Reason.TASK_DUE:
        tasks = list(visible.open().exclude(status=Task.Status.READY).filter(pk=reminder.task_id))
        if not tasks or tasks[0].due_on is None:
            return None  # done, withdrawn, hidden, or no longer dated
        deadline = tasks[0].deadline
        assert deadline is not None, "a dated task has a deadline"
        days = days_until(deadline, reminder, zone)
        if days is None:
            return None  # its date moved since planning, off the rule's days
        subject = ngettext(
            "Due in %(days)d day: %(title)s", "Due in %(days)d days: %(title)s", days
        ) % {"days": days, "title": tasks[0].title}
    elif reason in (Reason.MEETING_DIGEST, Reason.MEETING_BRIEF):
        meeting = reminder.meeting
        days = None
        if meeting is not None and meeting.start_date is not None:
            days = days_until(meeting.opens_at, reminder, zone)
        if days is None:
            return None  # the meeting moved since the reminder was planned
        context["meeting"] = meeting
        reporting = visible.open().filter(reports_to=meeting)
        if reason == Reason.MEETING_DIGEST:
            tasks = list(reporting.of_person(person))
            if not tasks:
                return None
            yours = ngettext(
                "your %(count)d open task", "your %(count)d open tasks", len(tasks)
            ) % {"count": len(tasks)}
            subject = ngettext(
                "%(days)d day to %(meeting)s: %(tasks)s",
                "%(days)d days to %(meeting)s: %(tasks)s",
                days,
            ) % {"days": days, "meeting": meeting, "tasks": yours}
        else:
            tasks = list(reporting)
            overdue = set(
                Task.objects.overdue(now)
                .filter(pk__in=[t.pk for t in tasks])
                .values_list("pk", flat=True)
            )
            sections = {
                "ready": [t for t in tasks if t.status == Task.Status.READY],
                "blocked": [t for t in tasks if t.status == Task.Status.BLOCKED],
                "overdue": [t for t in tasks if t.pk in overdue],
            }
            context.update(sections)
            counts = {name: len(listed) for name, listed in sections.items()}
            subject = ngettext(
                "%(meeting)s in %(days)d day: %(ready)d ready for ratification, "
                "%(blocked)d blocked, %(overdue)d overdue",
                "%(meeting)s in %(days)d days: %(ready)d ready for ratification, "
                "%(blocked)d blocked, %(overdue)d overdue",
                days,
            ) % {"meeting": meeting, "days": days, **counts}
    else:  # the weekly overdue digest
        forum_id = int(reminder.subject.split(":")[1])
        tasks = list(
            visible.filter(pk__in=overdue_unmoved(now).values("pk"))
            .filter(working_group__established_by__forum_id=forum_id)
            .of_person(person)
        )
        if not tasks:
            return None
        subject = ngettext("Overdue: %(count)d task", "Overdue: %(count)d tasks", len(tasks)) % {
            "count": len(tasks)
        }
    codes = _visible_codes(person, tasks)
    context["tasks"] = [
        {
            "task": task,
            "due": describe_due(task, zone),
            "outcomes": codes.get(task.pk, []),
            "url": site_url(reverse("pages:task", args=[task.pk])),
        }
        for task in tasks
    ]
    context["preferences_url"] = site_url(
        reverse("reminders:preferences", args=[preference.unsubscribe_token])
    )
    context["unsubscribe_url"] = site_url(
        reverse("reminders:unsubscribe", args=[preference.unsubscribe_token])
    )
    if tasks:
        forum = tasks[0].working_group.established_by.forum
    else:
        assert reminder.meeting is not None, "only a meeting's reminder comes without tasks"
        forum = reminder.meeting.forum
    context["forum"] = forum
    context["days"] = days if reason != Reason.OVERDUE_DIGEST else None
    message = EmailMultiAlternatives(
        # A title pasted with a line break must not break the header. Only ASCII white
        # space is folded: French puts a no-break space before its colons.
        subject=ASCII_SPACE.sub(" ", f"[{forum.acronym}] {subject}").strip(),
        body=render_to_string("workinggroups/email/reminder.txt", context),
        to=[person.email],
        headers={
            "Message-ID": reminder.message_id,
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("workinggroups/email/reminder.html", context), "text/html"
    )
    return message


def days_until(instant: datetime.datetime, reminder: Reminder, zone: ZoneInfo) -> int | None:
    """Days from the reminder's day to `instant` on the reader's calendar, if a rule day.

    The planned number, or another day of the same rule when the date moved onto one
    (the day's row already exists, so the move must not cost the reader the reminder).
    """
    days = (instant.astimezone(zone).date() - reminder.scheduled_for).days
    if days == reminder.days_before:
        return days
    forum_id = reminder.meeting.forum_id if reminder.meeting is not None else None
    if forum_id is None and reminder.task is not None:
        forum_id = reminder.task.working_group.established_by.forum_id
    rule = rule_for(rules_by_forum(), forum_id, reminder.reason)
    return days if days in rule.days else None


def _visible_codes(person, tasks) -> dict[int, list[str]]:
    """The citation codes of each task's outcomes that the person may read (one query)."""
    through = Task.outcomes.through.objects.filter(
        task_id__in=[t.pk for t in tasks],
        outcome__in=Outcome.objects.visible_to(person).values("pk"),
    ).values_list("task_id", "outcome__citation_code")
    codes: dict[int, list[str]] = defaultdict(list)
    for task_id, code in through:
        codes[task_id].append(code)
    return codes


def preview(person, now: datetime.datetime | None = None) -> list[EmailMultiAlternatives]:
    """What this person would receive today, composed without touching the ledger."""
    now = now or timezone.now()
    with transaction.atomic():
        plan_reminders(now)
        today = now.astimezone(zone_of(person)).date()
        rows = list(
            Reminder.objects.filter(person=person, scheduled_for=today).select_related(
                "person__profile__member", "task", "meeting__forum"
            )
        )
        messages = [m for m in (compose(row, now) for row in rows) if m is not None]
        transaction.set_rollback(True)  # a preview plans nothing for real
    return messages
