"""*My work* in the order a busy officer reads it: what is late, then what is due soonest.

Each task is in one group, the first that applies: overdue, due today, due this week,
stalled, before the next meeting, later. A date the person must meet comes before a
nudge, so late or imminent work stays under its date even when it is also stalled; stalled
work otherwise rises above work on course for the next meeting and above later work.
Stalled work under a date is marked as stalled there.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from forums.models import Meeting, day_at_venue
from workinggroups.models import Task

SECTIONS = {
    "overdue": _("Overdue"),
    "today": _("Due today"),
    "week": _("Due this week"),
    "stalled": _("Stalled"),
    "next_meeting": _("Before the next meeting"),
    "later": _("Later"),
}


@dataclass
class DueSection:
    key: str
    title: str
    tasks: list[Task] = field(default_factory=list)
    # Stalled tasks kept under their date: the page marks them, so that the home page's
    # "stalled tasks you lead" are found here whichever group they sit in.
    stalled: set[int] = field(default_factory=set)

    @property
    def late(self) -> bool:
        return self.key == "overdue"


def due_sections(tasks: list[Task], *, reader, now: datetime.datetime) -> list[DueSection]:
    """Split open tasks into the sections of *My work*, overdue first; empty ones dropped.

    A due date is a day at the venue of the meeting the task reports to (it ends 23:59
    there), so "today" is the venue's today. Stalled is TaskQuerySet.stalled as `reader`
    knows the work (the updates they may read). "Before the next meeting" is work for the
    forum's next meeting not due within the week; everything else is "later". Three
    queries, whatever the number of tasks.
    """
    ids = [task.pk for task in tasks]
    overdue = set(Task.objects.overdue(now).filter(pk__in=ids).values_list("pk", flat=True))
    stalled = set(Task.objects.filter(pk__in=ids).stalled(reader, now).values_list("pk", flat=True))
    forum_ids = {task.reports_to.forum_id for task in tasks if task.reports_to is not None}
    next_meeting = Meeting.objects.next_per_forum(forum_ids, today=now.date())

    sections = {key: DueSection(key, str(title)) for key, title in SECTIONS.items()}
    for task in tasks:
        key = _section_of(
            task, now=now, overdue=overdue, stalled=stalled, next_meeting=next_meeting
        )
        sections[key].tasks.append(task)
        if task.pk in stalled and key != "stalled":
            sections[key].stalled.add(task.pk)
    return [section for section in sections.values() if section.tasks]


def _section_of(
    task: Task, *, now, overdue: set[int], stalled: set[int], next_meeting: dict[int, int]
) -> str:
    if task.pk in overdue:
        return "overdue"
    meeting = task.reports_to
    if task.due_on is not None:
        venue_today = day_at_venue(now, task.venue_zone)
        if task.due_on == venue_today:
            return "today"
        if task.due_on < venue_today + datetime.timedelta(days=7):
            return "week"
    if task.pk in stalled:
        return "stalled"
    if meeting is not None and next_meeting.get(meeting.forum_id) == meeting.pk:
        return "next_meeting"
    return "later"
