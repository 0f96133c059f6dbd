"""What a reminder says, in the recipient's language and time zone, as they may read it."""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forums.dates import format_date
from forums.models import Forum
from outcomes.models import Outcome
from workinggroups.calendar import site_url
from workinggroups.models import Reason, Reminder, Task, TaskQuerySet
from workinggroups.reminders import weekly
from workinggroups.reminders.planning import overdue_unmoved, plan_reminders
from workinggroups.reminders.rules import rule_for, rules_by_forum
from workinggroups.reminders.zones import zone_of
from workinggroups.services import reminder_preference_for

ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def describe_due(task: Task, zone: ZoneInfo) -> dict:
    """“Due 30 June 2027, 23:59 at Apia (Pacific/Apia) — 1 July, 22:59 your time”."""
    if task.due_on is None:
        return {"text": _("no due date yet"), "theirs": "", "yours": ""}
    meeting_zone = task.venue_zone
    deadline = task.deadline
    assert deadline is not None, "a dated task has a deadline"
    theirs = _("%(date)s, 23:59 %(zone)s time") % {
        "date": format_date(deadline, "long"),
        "zone": meeting_zone or "UTC",
    }
    local = deadline.astimezone(zone)
    yours = _("%(date_time)s your time (%(zone)s)") % {
        "date_time": format_date(local, "long_time"),
        "zone": zone.key,
    }
    return {"text": f"{theirs} — {yours}", "theirs": theirs, "yours": yours}


def language_of(person) -> str:
    """The language the person reads Talanoa in (their profile), else the site's."""
    profile = getattr(person, "profile", None)
    return profile.language if profile is not None else settings.LANGUAGE_CODE


class ReminderMessage(EmailMultiAlternatives):
    """A reminder's e-mail, knowing the tasks it lists: sending it is reading them."""

    tasks_listed: list[Task]


def compose(reminder: Reminder, now: datetime.datetime) -> ReminderMessage | None:
    """The message for one ledger row, as the person may read it today; None: nothing to say.

    Written in the recipient's language, whatever language the worker (or the officer
    previewing it) runs in: subject, body, dates and the labels of statuses.
    """
    with translation.override(language_of(reminder.person)):
        return _compose(reminder, now)


@dataclass(frozen=True)
class Reader:
    """The person a reminder is for: their zone, and the tasks they may read."""

    person: Any
    zone: ZoneInfo
    visible: TaskQuerySet


@dataclass
class Said:
    """What one reminder says: its subject line, the tasks it lists, and its own context."""

    subject: str
    tasks: list[Task]
    days: int | None  # days to the meeting or deadline; None: a weekly digest
    context: dict[str, Any] = field(default_factory=dict)
    forum: Forum | None = None  # when neither a task nor the meeting names it
    template: str = "reminder"  # workinggroups/email/<template>.txt and .html


def _compose(reminder: Reminder, now: datetime.datetime) -> ReminderMessage | None:
    person = reminder.person
    # Planning skips closed accounts; one closed after its rows were planned gets nothing.
    if not person.is_active or not person.email:
        return None
    preference = reminder_preference_for(person)
    if not preference.wants(reminder.reason):
        return None
    reader = Reader(
        person=person,
        zone=zone_of(person),
        visible=Task.objects.visible_to(person).select_related(
            "reports_to", "working_group__established_by__forum"
        ),
    )
    said = BUILDERS[reminder.reason](reminder, reader, now)
    if said is None:
        return None
    return _message(reminder, reader, said, preference.unsubscribe_token)


def _task_due(reminder: Reminder, reader: Reader, now: datetime.datetime) -> Said | None:
    tasks = list(
        reader.visible.open().exclude(status=Task.Status.READY).filter(pk=reminder.task_id)
    )
    if not tasks or tasks[0].due_on is None:
        return None  # done, withdrawn, hidden, or no longer dated
    deadline = tasks[0].deadline
    assert deadline is not None, "a dated task has a deadline"
    days = days_until(deadline, reminder, reader.zone)
    if days is None:
        return None  # its date moved since planning, off the rule's days
    subject = ngettext(
        "Due in %(days)d day: %(title)s", "Due in %(days)d days: %(title)s", days
    ) % {"days": days, "title": tasks[0].title}
    return Said(subject, tasks, days)


def _days_to_meeting(reminder: Reminder, zone: ZoneInfo) -> int | None:
    """Days to the reminder's meeting on the reader's calendar; None: undated, or moved off
    the rule's days since the reminder was planned."""
    meeting = reminder.meeting
    if meeting is None or meeting.start_date is None:
        return None
    return days_until(meeting.opens_at, reminder, zone)


def _meeting_digest(reminder: Reminder, reader: Reader, now: datetime.datetime) -> Said | None:
    days = _days_to_meeting(reminder, reader.zone)
    if days is None:
        return None  # the meeting moved since the reminder was planned
    meeting = reminder.meeting
    tasks = list(reader.visible.open().filter(reports_to=meeting).of_person(reader.person))
    if not tasks:
        return None
    yours = ngettext("your %(count)d open task", "your %(count)d open tasks", len(tasks)) % {
        "count": len(tasks)
    }
    subject = ngettext(
        "%(days)d day to %(meeting)s: %(tasks)s",
        "%(days)d days to %(meeting)s: %(tasks)s",
        days,
    ) % {"days": days, "meeting": meeting, "tasks": yours}
    return Said(subject, tasks, days, {"meeting": meeting})


def _meeting_brief(reminder: Reminder, reader: Reader, now: datetime.datetime) -> Said | None:
    days = _days_to_meeting(reminder, reader.zone)
    if days is None:
        return None  # the meeting moved since the reminder was planned
    meeting = reminder.meeting
    tasks = list(reader.visible.open().filter(reports_to=meeting))
    overdue = set(
        Task.objects.overdue(now).filter(pk__in=[t.pk for t in tasks]).values_list("pk", flat=True)
    )
    sections = {
        "ready": [t for t in tasks if t.status == Task.Status.READY],
        "blocked": [t for t in tasks if t.status == Task.Status.BLOCKED],
        "overdue": [t for t in tasks if t.pk in overdue],
    }
    counts = {name: len(listed) for name, listed in sections.items()}
    subject = ngettext(
        "%(meeting)s in %(days)d day: %(ready)d ready for ratification, "
        "%(blocked)d blocked, %(overdue)d overdue",
        "%(meeting)s in %(days)d days: %(ready)d ready for ratification, "
        "%(blocked)d blocked, %(overdue)d overdue",
        days,
    ) % {"meeting": meeting, "days": days, **counts}
    return Said(subject, tasks, days, {"meeting": meeting, **sections})


def _overdue_digest(reminder: Reminder, reader: Reader, now: datetime.datetime) -> Said | None:
    forum_id = int(reminder.subject.split(":")[1])
    tasks = list(
        reader.visible.filter(pk__in=overdue_unmoved(now).values("pk"))
        .filter(working_group__established_by__forum_id=forum_id)
        .of_person(reader.person)
    )
    if not tasks:
        return None
    subject = ngettext("Overdue: %(count)d task", "Overdue: %(count)d tasks", len(tasks)) % {
        "count": len(tasks)
    }
    return Said(subject, tasks, None)


def _weekly_digest(reminder: Reminder, reader: Reader, now: datetime.datetime) -> Said | None:
    forum_id = int(reminder.subject.split(":")[1])
    since = weekly.period_start(reminder, now)
    week = weekly.week_of(reader.person, reader.visible, forum_id=forum_id, since=since, now=now)
    if not week.has_news:
        return None  # a quiet week: nothing moved, stalled or became ready
    first = week.moved[0].task if week.moved else (week.ready or week.stalled)[0]
    subject = _(
        "Week to %(date)s: %(moved)d moved, %(stalled)d newly stalled, "
        "%(ready)d ready for ratification"
    ) % {
        "date": format_date(reminder.scheduled_for, "long"),
        "moved": len(week.moved),
        "stalled": len(week.stalled),
        "ready": len(week.ready),
    }
    context = {
        "since": _("%(date_time)s your time (%(zone)s)")
        % {
            "date_time": format_date(since.astimezone(reader.zone), "long_time"),
            "zone": reader.zone.key,
        },
        "moved": [_weekly_item(m.task, reader.zone, moved=m) for m in week.moved],
        "stalled": [_weekly_item(task, reader.zone) for task in week.stalled],
        "stalled_total": week.stalled_total,
        "ready": [_weekly_item(task, reader.zone) for task in week.ready],
    }
    forum = first.working_group.established_by.forum
    return Said(subject, [], None, context, forum=forum, template="weekly_digest")


def _weekly_item(task: Task, zone: ZoneInfo, moved: weekly.Moved | None = None) -> dict[str, Any]:
    """A line of the weekly digest: the task, who leads it, a link, and what moved."""
    item: dict[str, Any] = {
        "task": task,
        "lead": _person_name(task.lead) if task.lead else _("no lead named"),
        "url": site_url(reverse("pages:task", args=[task.pk])),
    }
    if moved is not None:
        latest = moved.latest
        item.update(
            updates=moved.updates,
            when=format_date(latest.created_at.astimezone(zone), "long"),
            author=_person_name(latest.author) if latest.author else "Talanoa",
            moved_to=latest.get_status_to_display() if latest.changes_status else "",
            note=Truncator(latest.note).chars(WEEKLY_NOTE_CHARS),
        )
    return item


def _person_name(person) -> str:
    return person.get_full_name() or person.username


# A note is quoted in a weekly digest up to this length: the link leads to the rest.
WEEKLY_NOTE_CHARS = 200


# Each reason's builder: what its message says, or None when nothing is left to say.
BUILDERS: dict[str, Callable[[Reminder, Reader, datetime.datetime], Said | None]] = {
    Reason.TASK_DUE: _task_due,
    Reason.MEETING_DIGEST: _meeting_digest,
    Reason.MEETING_BRIEF: _meeting_brief,
    Reason.OVERDUE_DIGEST: _overdue_digest,
    Reason.WEEKLY_DIGEST: _weekly_digest,
}


def _message(reminder: Reminder, reader: Reader, said: Said, token: str) -> ReminderMessage:
    """The envelope every reminder shares: task lines, links, headers and the HTML part."""
    person = reader.person
    codes = _visible_codes(person, said.tasks)
    unsubscribe_url = site_url(reverse("reminders:unsubscribe", args=[token]))
    if said.forum is not None:
        forum = said.forum
    elif said.tasks:
        forum = said.tasks[0].working_group.established_by.forum
    else:
        assert reminder.meeting is not None, "only a meeting's reminder comes without tasks"
        forum = reminder.meeting.forum
    context = {
        "person": person,
        "reminder": reminder,
        "zone": reader.zone.key,
        **said.context,
        "tasks": [
            {
                "task": task,
                "due": describe_due(task, reader.zone),
                "outcomes": codes.get(task.pk, []),
                "url": site_url(reverse("pages:task", args=[task.pk])),
            }
            for task in said.tasks
        ],
        "preferences_url": site_url(reverse("reminders:preferences", args=[token])),
        "unsubscribe_url": unsubscribe_url,
        "forum": forum,
        "days": said.days,
    }
    message = ReminderMessage(
        # A title pasted with a line break must not break the header. Only ASCII white
        # space is folded: French puts a no-break space before its colons.
        subject=ASCII_SPACE.sub(" ", f"[{forum.acronym}] {said.subject}").strip(),
        body=render_to_string(f"workinggroups/email/{said.template}.txt", context),
        to=[person.email],
        headers={
            "Message-ID": reminder.message_id,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"workinggroups/email/{said.template}.html", context), "text/html"
    )
    message.tasks_listed = said.tasks
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


def preview(person, now: datetime.datetime | None = None) -> list[ReminderMessage]:
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
