"""The incremental sweep plans exactly what a full one would, and nothing twice.

Each test sweeps once (the first sweep plans everything), makes one kind of change, and
sweeps again a few minutes later: what that sweep added to the ledger must be exactly
what a full plan adds to the ledger as the first sweep left it.
"""

import datetime
import io
import logging
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from forums.models import Chair
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    ProfileFactory,
    TaskFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import Reason, Reminder, ReminderRule, ReminderSweep, Task
from workinggroups.reminders import plan_reminders, sweep
from workinggroups.reminders.sweep import plan
from workinggroups.services import (
    reminder_preference_for,
    reminder_preferences_update,
    task_update_status,
)

pytestmark = pytest.mark.django_db

APIA, RAROTONGA = "Pacific/Apia", "Pacific/Rarotonga"
# Monday 21 June 2027, 02:00 UTC: 15:00 in Apia (Monday), 16:00 on Sunday in Rarotonga.
# No zone turns to a new day in the next hour: the second sweep is incremental.
T0 = datetime.datetime(2027, 6, 21, 2, 0, tzinfo=datetime.UTC)
T1 = T0 + datetime.timedelta(minutes=5)
S = Task.Status


@pytest.fixture(autouse=True)
def no_overlap(settings):
    """Everything here is written within seconds of the first sweep: with the overlap,
    every task would count as changed. Without it, only what each test changes does."""
    settings.REMINDER_SWEEP_OVERLAP_SECONDS = 0


def day(month: int, d: int) -> datetime.date:
    return datetime.date(2027, month, d)


def person(zone: str):
    return ProfileFactory.create(
        time_zone=ZoneInfo(zone), member=MemberFactory.create(time_zone="Pacific/Fiji")
    ).user


class World:
    """A meeting in Apia 70 days away; two groups reporting to it.

    `quiet`'s task falls due 20 days from Apia's Monday: nothing to remind yet. `busy`'s
    falls due in 14: the first sweep plans Ana's reminder, not Rua's (Sunday in Rarotonga).
    """

    def __init__(self) -> None:
        self.forum = ForumFactory.create()
        self.meeting = MeetingFactory.create(
            forum=self.forum, time_zone=APIA, start_date=day(8, 30), end_date=day(8, 31)
        )
        self.ana, self.rua, self.lead = person(APIA), person(RAROTONGA), person(APIA)
        self.quiet = self.group(self.ana, self.rua)
        self.busy = self.group(self.ana, self.rua)
        self.seat = WorkingGroupMembershipFactory.create(
            working_group=self.quiet, person=self.lead, role="lead"
        )
        self.task = TaskFactory.create(
            working_group=self.quiet, lead=self.lead, due_on=day(7, 11), status=S.IN_PROGRESS
        )
        self.ready = TaskFactory.create(working_group=self.quiet, due_on=day(7, 5), status=S.READY)
        TaskFactory.create(working_group=self.busy, due_on=day(7, 5), status=S.IN_PROGRESS)
        secretary = person(APIA)
        secretary.groups.add(Group.objects.get(name="Secretariat"))

    def group(self, *people):
        group = WorkingGroupFactory.create(
            established_by=MeetingFactory.create(
                forum=self.forum, start_date=day(1, 10), end_date=None
            ),
            reports_to=self.meeting,
        )
        for someone in people:
            WorkingGroupMembershipFactory.create(working_group=group, person=someone)
        return group


def ledger() -> set[tuple]:
    return set(
        Reminder.objects.values_list(
            "person_id",
            "reason",
            "subject",
            "scheduled_for",
            "days_before",
            "send_after",
            "task_id",
            "meeting_id",
        )
    )


def sweep_after(change, world: World, caplog, *, then=T1) -> tuple[set, set]:
    """Sweep, change, sweep again: (what the second sweep added, what a full plan adds)."""
    sweep(T0)
    before = ledger()
    change(world)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="workinggroups.reminders"):
        sweep(then)
    incremental = ledger() - before
    assert plan(then) == 0, "a sweep plans a row once"
    Reminder.objects.exclude(
        pk__in=[
            pk
            for pk, *key in Reminder.objects.values_list(
                "pk",
                "person_id",
                "reason",
                "subject",
                "scheduled_for",
                "days_before",
                "send_after",
                "task_id",
                "meeting_id",
            )
            if tuple(key) in before
        ]
    ).delete()
    plan_reminders(then)
    return incremental, ledger() - before


def was_incremental(caplog) -> bool:
    return not any("full plan" in r.getMessage() for r in caplog.records)


def move_due_date(w: World) -> None:
    w.task.due_on = day(7, 5)
    w.task.save()


def reopen_with_status(w: World) -> None:
    w.ready.status = S.IN_PROGRESS
    w.ready.save()


def post_update(w: World) -> None:
    task_update_status(actor=w.lead, task=w.ready, status=S.IN_PROGRESS, note="More to do.")


def move_meeting(w: World) -> None:
    w.meeting.start_date, w.meeting.end_date = day(7, 21), day(7, 22)  # 30 days away
    w.meeting.save()


def add_seat(w: World) -> None:
    WorkingGroupMembershipFactory.create(working_group=w.busy, person=person(APIA))


def end_seat(w: World) -> None:
    w.seat.left_on = day(6, 1)
    w.seat.save()


def change_time_zone(w: World) -> None:
    profile = w.rua.profile
    profile.time_zone = ZoneInfo(APIA)  # from Sunday in Rarotonga to Monday in Apia
    profile.save()


def change_preferences(w: World) -> None:
    reminder_preferences_update(
        actor=w.ana, preference=reminder_preference_for(w.ana), task_due=False
    )


def add_task(w: World) -> None:
    TaskFactory.create(working_group=w.quiet, due_on=day(7, 5), status=S.NOT_STARTED)


def change_lead(w: World) -> None:
    newcomer = person(APIA)
    WorkingGroupMembershipFactory.create(working_group=w.busy, person=newcomer, role="member")
    w.task.lead, w.task.due_on = w.lead, day(6, 24)  # 3 days away
    w.task.save()


def add_chair(w: World) -> None:
    move_meeting(w)
    Chair.objects.create(meeting=w.meeting, member=MemberFactory.create(), person=person(APIA))


# Each change, and whether it makes something plannable on the same day.
CHANGES = [
    (move_due_date, True),
    (reopen_with_status, True),
    (post_update, True),
    (move_meeting, True),
    (add_seat, True),
    (end_seat, False),
    (change_time_zone, True),
    (change_preferences, False),
    (add_task, True),
    (change_lead, True),
    (add_chair, True),
]


@pytest.mark.parametrize(
    ("change", "plans_something"), CHANGES, ids=lambda c: getattr(c, "__name__", str(c))
)
def test_an_incremental_sweep_plans_what_a_full_one_would(change, plans_something, caplog):
    incremental, full = sweep_after(change, World(), caplog)
    assert was_incremental(caplog)
    assert incremental == full
    assert bool(full) is plans_something


def test_the_clock_passing_a_reminders_day_plans_it():
    """A day later in Rarotonga, `busy`'s task is 14 days away there too."""
    world = World()
    sweep(T0)
    assert not Reminder.objects.filter(person=world.rua).exists()
    later = T0 + datetime.timedelta(hours=12)  # 02:00 Monday in Rarotonga
    sweep(later)
    incremental = ledger()
    assert Reminder.objects.filter(person=world.rua, reason=Reason.TASK_DUE).exists()
    Reminder.objects.all().delete()
    plan_reminders(T0)
    plan_reminders(later)
    assert ledger() == incremental


def test_a_new_rule_is_a_full_plan(caplog):
    def new_rule(w: World) -> None:
        ReminderRule.objects.create(forum=w.forum, reason=Reason.TASK_DUE, days_before="20")

    incremental, full = sweep_after(new_rule, World(), caplog)
    assert not was_incremental(caplog)
    assert incremental == full
    assert full


def test_a_sweep_with_nothing_new_plans_nothing(caplog):
    World()
    assert plan(T0) > 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="workinggroups.reminders"):
        assert plan(T1) == 0
    assert was_incremental(caplog)


def test_a_rule_removed_is_a_full_plan(caplog):
    """Back to the defaults: the task 14 days away is owed again."""
    world = World()
    rule = ReminderRule.objects.create(forum=world.forum, reason=Reason.TASK_DUE, days_before="20")
    incremental, full = sweep_after(lambda w: rule.delete(), world, caplog)
    assert not was_incremental(caplog)
    assert incremental == full
    assert full


def test_the_operator_command_plans_everything_again(caplog):
    World()
    sweep(T0)
    due = Reminder.objects.filter(reason=Reason.TASK_DUE)
    assert due.exists()
    due.delete()  # no change an incremental sweep reads: it does not plan these again
    plan(T1)
    assert not due.exists()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="workinggroups.reminders"):
        call_command("sweep_reminders", "--full", stdout=io.StringIO())
    assert "full plan (asked)" in caplog.text


def test_a_write_dated_before_the_last_sweep_began_is_still_planned(settings, caplog):
    """A transaction open while the last sweep ran commits a task dated before it began."""
    settings.REMINDER_SWEEP_OVERLAP_SECONDS = 600

    def committed_late(w: World) -> None:
        move_due_date(w)
        began = ReminderSweep.objects.get().started_at
        assert began is not None, "the first sweep began"
        Task.objects.filter(pk=w.task.pk).update(updated_at=began - datetime.timedelta(seconds=60))

    incremental, full = sweep_after(committed_late, World(), caplog)
    assert was_incremental(caplog)
    assert incremental == full
    assert full
