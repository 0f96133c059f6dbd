"""A person's private iCalendar feed: their meetings (VEVENT) and their tasks' due dates (VTODO).

Everything in it starts from what the person may see (forums/access.py): the tasks of
`Task.objects.visible_to(person)`, the outcomes of `Outcome.objects.visible_to(person)`,
and the meetings of the forums they have standing in or that their visible work reports
to. A calendar program shows the feed to whoever holds the URL, so nothing else goes in.

Times: a meeting is a run of all-day events on the venue's dates (VALUE=DATE): a date
is the same day wherever the reader is, whereas 00:00 in Nuku'alofa is the day before in
Rarotonga, so timed events would move a meeting to days it does not meet. A task falls due
at 23:59 on its due day in the time zone of the meeting it reports to (TZID, with its
VTIMEZONE), as `Task.objects.overdue()` counts it, or in UTC when that meeting has none:
a deadline is an instant, which each reader sees in their own time.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Todo, vDuration

from forums.access import audience_of
from forums.models import Meeting
from outcomes.models import Outcome
from readlog.models import Channel
from readlog.services import record_reads
from workinggroups.models import Task

PRODID = "-//Talanoa//Calendar feed//EN"
# How often calendar programs should fetch again (RFC 7986; X-PUBLISHED-TTL for Outlook).
REFRESH_INTERVAL = datetime.timedelta(hours=1)
# Work ratified or withdrawn this recently still shows, ticked off or struck through.
RECENTLY_CLOSED = datetime.timedelta(days=90)

# VTODO STATUS (RFC 5545 3.8.1.11) for each task status.
TODO_STATUS: dict[str, str] = {
    Task.Status.NOT_STARTED: "NEEDS-ACTION",
    Task.Status.IN_PROGRESS: "IN-PROCESS",
    Task.Status.BLOCKED: "IN-PROCESS",
    Task.Status.READY: "IN-PROCESS",
    Task.Status.RATIFIED: "COMPLETED",
    Task.Status.WITHDRAWN: "CANCELLED",
}


def site_url(path: str) -> str:
    """An address outside any request (feeds, e-mails): SITE_URL and the page's path."""
    return settings.SITE_URL.rstrip("/") + path


def uid_domain() -> str:
    """The right-hand side of every UID: the site's host, stable across fetches."""
    return urlsplit(settings.SITE_URL).hostname or "talanoa"


def feed_tasks(person, *, now: datetime.datetime) -> list[Task]:
    """The person's visible tasks with a due date: open ones, and those closed lately."""
    closed = (Task.Status.RATIFIED, Task.Status.WITHDRAWN)
    outcomes = Outcome.objects.visible_to(person).order_by("citation_code")
    return list(
        Task.objects.visible_to(person)
        .with_changes_seen_by(person)
        .filter(due_on__isnull=False)
        .filter(
            Q(status__in=Task.OPEN_STATUSES)
            | Q(status__in=closed, seen_updated_at__gte=now - RECENTLY_CLOSED)
        )
        .select_related("working_group", "reports_to__forum")
        .prefetch_related(Prefetch("outcomes", queryset=outcomes, to_attr="visible_outcomes"))
        .order_by("due_on", "pk")
    )


def feed_meetings(person, tasks: list[Task]) -> list[Meeting]:
    """Dated meetings of the forums the person has standing in, and those their work is for."""
    audience = audience_of(person)
    reported_to = {task.reports_to_id for task in tasks if task.reports_to_id is not None}
    meetings = Meeting.objects.filter(start_date__isnull=False).select_related("forum")
    if not audience.is_secretariat:
        meetings = meetings.filter(Q(forum_id__in=audience.green_forums) | Q(pk__in=reported_to))
    return list(meetings.order_by("start_date", "pk"))


def meeting_event(meeting: Meeting, *, stamp: datetime.datetime, domain: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{domain}")
    event.add("dtstamp", stamp)
    event.add("summary", str(meeting))
    start = meeting.start_date
    assert start is not None, "feed_meetings lists dated meetings only"
    last_day = meeting.end_date or start
    # The venue's dates, whatever the venue's zone; DTEND is exclusive: the day after.
    event.add("dtstart", start)
    event.add("dtend", last_day + datetime.timedelta(days=1))
    location = ", ".join(part for part in (meeting.venue, str(meeting.country.name)) if part)
    if location:
        event.add("location", location)
    event.add("url", site_url(reverse("pages:meeting", args=[meeting.pk])))
    return event


def task_todo(task: Task, *, stamp: datetime.datetime, domain: str) -> Todo:
    todo = Todo()
    todo.add("uid", f"task-{task.pk}@{domain}")
    todo.add("dtstamp", stamp)
    todo.add("summary", task.title)
    meeting = task.reports_to
    assert task.deadline is not None, "feed_tasks lists dated tasks only"
    todo.add("due", task.deadline)
    todo.add("status", TODO_STATUS[task.status])
    todo.add("percent-complete", task.progress)
    # As the person may know it: an update they may not read does not date the task.
    todo.add("last-modified", task.seen_updated_at.astimezone(datetime.UTC))
    lines = [_("Working group: %(group)s") % {"group": task.working_group.name}]
    if meeting is not None:
        lines.append(_("For the meeting: %(meeting)s") % {"meeting": meeting})
    lines.append(_("Status: %(status)s") % {"status": task.get_status_display()})
    codes = [outcome.citation_code for outcome in task.visible_outcomes]
    if codes:
        lines.append(_("Serves outcomes: %(codes)s") % {"codes": ", ".join(codes)})
    todo.add("description", "\n".join(lines))
    todo.add("url", site_url(reverse("pages:task", args=[task.pk])))
    return todo


def person_name(person) -> str:
    return person.get_full_name() or person.get_username()


def build_feed(person, *, now: datetime.datetime | None = None) -> bytes:
    """The feed of one person, as the bytes of a VCALENDAR."""
    now = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    domain = uid_domain()
    tasks = feed_tasks(person, now=now)
    record_reads(reader=person, channel=Channel.CALENDAR, items=tasks)
    meetings = feed_meetings(person, tasks)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Talanoa — %(name)s") % {"name": person_name(person)})
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp=now, domain=domain))
    for task in tasks:
        calendar.add_component(task_todo(task, stamp=now, domain=domain))
    # One VTIMEZONE per zone named in a TZID, so programs need no zone database of their own.
    calendar.add_missing_timezones()
    return calendar.to_ical()
