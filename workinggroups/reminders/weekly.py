"""The chairs' and secretariat's weekly digest: what moved in a forum since the last one,
what became stalled, and what became ready for ratification, as the person may read it.

Every list starts from what the person may see (`visible_to`): a TLP:RED update not
addressed to them is not there, nor counted. Stalled is TaskQuerySet.stalled asked twice,
now and at the start of the period: the work stalled now that was not then (a quiet period
run out, or a second meeting held) is what *became* stalled; the total says how much is
stalled in all.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max

from workinggroups.models import Reason, Reminder, Task, TaskQuerySet, TaskUpdate

# Without an earlier digest sent, the period is the week before.
FIRST_PERIOD = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Moved:
    """A task with updates in the period: how many, and the newest."""

    task: Task
    updates: int
    latest: TaskUpdate


@dataclass(frozen=True)
class Week:
    since: datetime.datetime
    moved: list[Moved]
    stalled: list[Task]  # stalled now, and not at `since`
    stalled_total: int  # stalled now
    ready: list[Task]  # moved to ready for ratification in the period, and still there

    @property
    def has_news(self) -> bool:
        return bool(self.moved or self.stalled or self.ready)


def period_start(reminder: Reminder, now: datetime.datetime) -> datetime.datetime:
    """Where the last weekly digest of this forum sent to this person ended, else a week ago.

    A sent row's claim is the instant its message was composed at (a failed attempt gives
    its claim back; the one that sent keeps it), so the periods meet with no gap. A week
    with nothing to say sends nothing, and the next period reaches back to the last digest
    sent: nothing that moved in between is skipped.
    """
    last = (
        Reminder.objects.filter(
            person_id=reminder.person_id,
            reason=Reason.WEEKLY_DIGEST,
            subject=reminder.subject,
            status=Reminder.Status.SENT,
            claimed_at__lt=now,
        )
        .exclude(pk=reminder.pk)
        .aggregate(last=Max("claimed_at"))["last"]
    )
    return last or now - FIRST_PERIOD


def week_of(
    person,
    visible: TaskQuerySet,
    *,
    forum_id: int,
    since: datetime.datetime,
    now: datetime.datetime,
) -> Week:
    """What happened in the forum between `since` and `now`, within `visible` (the tasks
    `person` may read) and the updates `person` may read."""
    tasks = visible.filter(working_group__established_by__forum_id=forum_id)
    in_period = TaskUpdate.objects.visible_to(person).filter(
        task__working_group__established_by__forum_id=forum_id,
        created_at__gte=since,
        created_at__lt=now,
    )
    became_ready = in_period.filter(status_to=Task.Status.READY).exclude(
        status_from=Task.Status.READY
    )
    ready = list(
        tasks.filter(status=Task.Status.READY, pk__in=became_ready.values("task_id"))
        .select_related("lead")
        .order_by("working_group__name", "title")
    )
    stalled_now = list(
        tasks.stalled(person, now).select_related("lead").order_by("working_group__name", "title")
    )
    stalled_before = set(tasks.stalled(person, since).values_list("pk", flat=True))
    return Week(
        since=since,
        moved=_moved(in_period, leave_out={task.pk for task in ready}),
        stalled=[task for task in stalled_now if task.pk not in stalled_before],
        stalled_total=len(stalled_now),
        ready=ready,
    )


def _moved(updates, *, leave_out: set[int]) -> list[Moved]:
    """Each task's updates in the period, newest task first; work that became ready is
    listed under its own heading instead."""
    by_task: dict[int, list[TaskUpdate]] = {}
    for update in updates.select_related(
        "author", "task__lead", "task__working_group__established_by__forum", "task__reports_to"
    ).order_by("created_at", "pk"):
        if update.task_id not in leave_out:
            by_task.setdefault(update.task_id, []).append(update)
    moved = [
        Moved(task=rows[-1].task, updates=len(rows), latest=rows[-1]) for rows in by_task.values()
    ]
    return sorted(moved, key=lambda item: item.latest.created_at, reverse=True)
