"""Who is reminded of what, and when: plain unit tests over the rules, with explicit clocks.

Every function under test takes `now`, so each test says exactly what time it is where.
Mail goes to Django's locmem backend (test settings); `mail.outbox` is what was sent.
"""

import datetime
import math
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forums.models import Chair
from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups import reminders
from workinggroups.models import Reason, Reminder, ReminderRule, Task, TaskUpdate
from workinggroups.reminders import deliver, overdue_unmoved, plan_reminders, sweep
from workinggroups.reminders import planning as planning_module
from workinggroups.services import reminder_preference_for

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
APIA, RAROTONGA, KIRITIMATI = "Pacific/Apia", "Pacific/Rarotonga", "Pacific/Kiritimati"
HOUR = datetime.timedelta(hours=1)
S = Task.Status
R = Reminder.Status


def at(zone: str, year: int, month: int, day: int, hour=0, minute=0, second=0) -> datetime.datetime:
    """An instant given as a wall-clock time in `zone`: at(APIA, 2027, 6, 27, 8)."""
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone))


def utc(year: int, month: int, day: int, hour=0, minute=0, second=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def day(month: int, d: int) -> datetime.date:
    return datetime.date(2027, month, d)


def person(username: str | None, zone: str | None = None, *, member_zone: str = "Pacific/Fiji"):
    """A person whose own zone is `zone` (None: their member's, `member_zone`)."""
    names = {"user__username": username} if username else {}
    profile = ProfileFactory.create(
        time_zone=zone, member=MemberFactory.create(time_zone=member_zone), **names
    )
    return profile.user


def meeting_at(zone: str, start: datetime.date, forum=None):
    return MeetingFactory.create(
        forum=forum or ForumFactory.create(),
        time_zone=zone,
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
    )


def group_for(meeting, *people, lead=None, tlp=TLP.GREEN):
    """A working group of the meeting's forum that reports to it, with these seats."""
    group = WorkingGroupFactory.create(
        established_by=MeetingFactory.create(
            forum=meeting.forum, start_date=day(1, 10), end_date=None
        ),
        reports_to=meeting,
        tlp=tlp,
    )
    if lead is not None:
        WorkingGroupMembershipFactory.create(working_group=group, person=lead, role="lead")
    for someone in people:
        WorkingGroupMembershipFactory.create(working_group=group, person=someone)
    return group


def plan_hourly(start: datetime.datetime, end: datetime.datetime) -> None:
    """What beat does, an hour at a time (every zone here is a whole number of hours)."""
    now = start
    while now <= end:
        plan_reminders(now)
        now += HOUR


def rows(who, reason: str) -> list[tuple]:
    return sorted(
        Reminder.objects.filter(person=who, reason=reason).values_list(
            "scheduled_for", "days_before", "send_after"
        )
    )


def move(task: Task, status: str, when: datetime.datetime, note: str = "Moved.") -> None:
    """A status move recorded at `when` (auto_now_add would stamp today's real date)."""
    update = TaskUpdate.objects.create(
        task=task, status_from=task.status, status_to=status, progress=task.progress, note=note
    )
    TaskUpdate.objects.filter(pk=update.pk).update(created_at=when)
    Task.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()


# --- the same deadline on each person's own calendar ---------------------------------------

# A task due 30 June 2027 at a meeting in `venue`; with the default rule (14 and 3 days),
# each recipient's reminders: (their calendar day, days before, 08:00 there in UTC).
DUE_30_JUNE = {
    # Apia venue: the deadline is 30 June 23:59 +13 = 30 June 10:59 UTC.
    (APIA, APIA): [(day(6, 16), 14, utc(2027, 6, 15, 19)), (day(6, 27), 3, utc(2027, 6, 26, 19))],
    # … 30 June 00:59 in Rarotonga: the same calendar day, 23 hours later in real time.
    (APIA, RAROTONGA): [
        (day(6, 16), 14, utc(2027, 6, 16, 18)),
        (day(6, 27), 3, utc(2027, 6, 27, 18)),
    ],
    # … 1 July 00:59 in Kiritimati: a day later on their calendar.
    (APIA, KIRITIMATI): [
        (day(6, 17), 14, utc(2027, 6, 16, 18)),
        (day(6, 28), 3, utc(2027, 6, 27, 18)),
    ],
    # Rarotonga venue: 30 June 23:59 at UTC-10 = 1 July 09:59 UTC = 1 July 22:59 in Apia.
    (RAROTONGA, APIA): [
        (day(6, 17), 14, utc(2027, 6, 16, 19)),
        (day(6, 28), 3, utc(2027, 6, 27, 19)),
    ],
    (RAROTONGA, RAROTONGA): [
        (day(6, 16), 14, utc(2027, 6, 16, 18)),
        (day(6, 27), 3, utc(2027, 6, 27, 18)),
    ],
    (RAROTONGA, KIRITIMATI): [
        (day(6, 17), 14, utc(2027, 6, 16, 18)),
        (day(6, 28), 3, utc(2027, 6, 27, 18)),
    ],
    # Kiritimati venue: 30 June 23:59 +14 = 30 June 09:59 UTC = 29 June 23:59 in Rarotonga.
    (KIRITIMATI, RAROTONGA): [
        (day(6, 15), 14, utc(2027, 6, 15, 18)),
        (day(6, 26), 3, utc(2027, 6, 26, 18)),
    ],
    (KIRITIMATI, APIA): [
        (day(6, 16), 14, utc(2027, 6, 15, 19)),
        (day(6, 27), 3, utc(2027, 6, 26, 19)),
    ],
    (KIRITIMATI, KIRITIMATI): [
        (day(6, 16), 14, utc(2027, 6, 15, 18)),
        (day(6, 27), 3, utc(2027, 6, 26, 18)),
    ],
}


DUE_30_JUNE_ZONES = (APIA, RAROTONGA, KIRITIMATI)


@pytest.mark.parametrize("venue", DUE_30_JUNE_ZONES)
def test_a_deadline_is_counted_on_each_recipients_own_calendar(venue):
    people = {zone: person(f"in-{zone.split('/')[1].lower()}", zone) for zone in DUE_30_JUNE_ZONES}
    meeting = meeting_at(venue, day(9, 30))  # far off: only the task's own reminders
    task = TaskFactory.create(working_group=group_for(meeting, *people.values()), due_on=day(6, 30))
    assert task.reports_to == meeting

    plan_hourly(utc(2027, 6, 13), utc(2027, 7, 2))

    for zone, who in people.items():
        expected = DUE_30_JUNE[(venue, zone)]
        assert rows(who, Reason.TASK_DUE) == expected, (venue, zone)
        for scheduled_for, _days, send_after in expected:
            local = send_after.astimezone(ZoneInfo(zone))
            assert (local.date(), local.time()) == (scheduled_for, datetime.time(8, 0))


def test_apia_and_rarotonga_get_the_same_deadline_each_at_eight_in_their_morning():
    apia, rarotonga = person("apia", APIA), person("rarotonga", RAROTONGA)
    kiritimati = person("kiritimati", KIRITIMATI)
    meeting = meeting_at(APIA, day(9, 30))
    TaskFactory.create(
        working_group=group_for(meeting, apia, rarotonga, kiritimati),
        title="Draft the regional threat assessment",
        due_on=day(6, 30),
    )
    plan_reminders(at(APIA, 2027, 6, 27, 0, 30))  # Apia's 27 June, Rarotonga's 26 June
    plan_reminders(at(RAROTONGA, 2027, 6, 27, 0, 30))  # Rarotonga's 27th, Kiritimati's 28th
    three_days = {
        r.person: r
        for r in Reminder.objects.filter(reason=Reason.TASK_DUE, days_before=3).select_related(
            "person"
        )
    }
    assert set(three_days) == {apia, rarotonga, kiritimati}

    # Apia's 08:00 comes first; nobody else's reminder goes with it.
    assert sweep(at(APIA, 2027, 6, 27, 7, 59)) == []
    assert sweep(at(APIA, 2027, 6, 27, 8, 0)) == [three_days[apia].pk]
    assert deliver(three_days[apia].pk, at(APIA, 2027, 6, 27, 8, 0)) == "sent"
    # Rarotonga's 07:59 on the 27th is Kiritimati's 07:59 on the 28th: not yet for either.
    assert sweep(at(RAROTONGA, 2027, 6, 27, 7, 59)) == []
    # Too early, delivery itself refuses as well (a job queued early sends nothing).
    assert deliver(three_days[rarotonga].pk, at(RAROTONGA, 2027, 6, 27, 7, 59)) == "taken"
    now = at(RAROTONGA, 2027, 6, 27, 8, 0)
    assert now == at(KIRITIMATI, 2027, 6, 28, 8, 0)
    assert sorted(sweep(now)) == sorted([three_days[rarotonga].pk, three_days[kiritimati].pk])
    for who in (rarotonga, kiritimati):
        assert deliver(three_days[who].pk, now) == "sent"

    assert [m.to for m in mail.outbox] == [[apia.email], [rarotonga.email], [kiritimati.email]]
    assert all(
        "Due in 3 days: Draft the regional threat assessment" in m.subject for m in mail.outbox
    )
    assert sweep(now + HOUR) == []


def test_without_a_zone_of_their_own_a_person_uses_their_members_then_utc():
    from_member = person("from-member", None, member_zone=APIA)
    no_member = ProfileFactory.create(user__username="no-member", member=None, time_zone=None).user
    no_profile = UserFactory.create(username="no-profile")
    own_zone = person("own-zone", RAROTONGA, member_zone=APIA)  # their own zone wins
    meeting = meeting_at(APIA, day(9, 30))
    TaskFactory.create(
        working_group=group_for(meeting, from_member, no_member, no_profile, own_zone),
        due_on=day(6, 30),
    )

    plan_hourly(utc(2027, 6, 25), utc(2027, 6, 29))

    assert rows(from_member, Reason.TASK_DUE) == [(day(6, 27), 3, utc(2027, 6, 26, 19))]
    # The deadline is 30 June 10:59 UTC; 3 days before on a UTC calendar, at 08:00 UTC.
    assert rows(no_member, Reason.TASK_DUE) == [(day(6, 27), 3, utc(2027, 6, 27, 8))]
    assert rows(no_profile, Reason.TASK_DUE) == [(day(6, 27), 3, utc(2027, 6, 27, 8))]
    assert rows(own_zone, Reason.TASK_DUE) == [(day(6, 27), 3, utc(2027, 6, 27, 18))]


@override_settings(REMINDER_SEND_FROM_HOUR=9)
def test_the_morning_hour_comes_from_the_setting():
    who = person("late-riser", RAROTONGA)
    TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), who), due_on=day(6, 30)
    )
    plan_reminders(at(RAROTONGA, 2027, 6, 27, 0, 5))
    assert rows(who, Reason.TASK_DUE) == [(day(6, 27), 3, at(RAROTONGA, 2027, 6, 27, 9))]
    assert sweep(at(RAROTONGA, 2027, 6, 27, 8, 59)) == []
    assert len(sweep(at(RAROTONGA, 2027, 6, 27, 9))) == 1


# --- things change between planning and sending ------------------------------------------


def test_a_meeting_moved_after_planning_cancels_the_old_reminder_and_plans_the_new_day():
    member = person("member", APIA)
    meeting = meeting_at(APIA, day(7, 20))
    TaskFactory.create(working_group=group_for(meeting, member), due_on=day(7, 1))
    plan_reminders(at(APIA, 2027, 7, 13, 0, 30))  # 7 days before the 20th
    planned = Reminder.objects.get(person=member, reason=Reason.MEETING_DIGEST)
    assert (planned.scheduled_for, planned.days_before) == (day(7, 13), 7)

    # Before it goes out, the meeting moves three days later: 10 days, not a rule day.
    meeting.start_date, meeting.end_date = day(7, 23), day(7, 24)
    meeting.save()

    now = at(APIA, 2027, 7, 13, 8)
    assert sweep(now) == [planned.pk]
    assert deliver(planned.pk, now) == "cancelled"
    planned.refresh_from_db()
    assert planned.status == R.CANCELLED
    assert mail.outbox == []

    plan_hourly(at(APIA, 2027, 7, 14), at(APIA, 2027, 7, 21))
    assert rows(member, Reason.MEETING_DIGEST) == [
        (day(7, 13), 7, utc(2027, 7, 12, 19)),  # the cancelled one stays, as a record
        (day(7, 16), 7, utc(2027, 7, 15, 19)),
    ]
    again = Reminder.objects.get(
        person=member, reason=Reason.MEETING_DIGEST, scheduled_for=day(7, 16)
    )
    assert deliver(again.pk, at(APIA, 2027, 7, 16, 8)) == "sent"
    assert len(mail.outbox) == 1
    assert "7 days to" in mail.outbox[0].subject


def test_a_task_whose_deadline_moved_after_planning_is_not_reminded_on_the_old_day():
    member = person("member", APIA)
    task = TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member), due_on=day(6, 30)
    )
    plan_reminders(at(APIA, 2027, 6, 27, 0, 30))
    planned = Reminder.objects.get(person=member, reason=Reason.TASK_DUE)
    Task.objects.filter(pk=task.pk).update(due_on=day(7, 15))

    assert deliver(planned.pk, at(APIA, 2027, 6, 27, 8)) == "cancelled"
    assert mail.outbox == []
    plan_hourly(at(APIA, 2027, 7, 11), at(APIA, 2027, 7, 13))
    assert rows(member, Reason.TASK_DUE) == [
        (day(6, 27), 3, utc(2027, 6, 26, 19)),
        (day(7, 12), 3, utc(2027, 7, 11, 19)),
    ]


@pytest.mark.parametrize("status", [S.RATIFIED, S.WITHDRAWN])
def test_a_task_finished_the_day_before_its_reminder_sends_nothing(status):
    member = person("member", RAROTONGA)
    task = TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member),
        due_on=day(6, 30),
        status=S.READY if status == S.RATIFIED else S.IN_PROGRESS,
        progress=100 if status == S.RATIFIED else 50,
    )
    move(task, status, at(RAROTONGA, 2027, 6, 26, 15))  # the day before the 3-day reminder

    plan_hourly(at(RAROTONGA, 2027, 6, 26, 16), at(RAROTONGA, 2027, 6, 28))
    assert rows(member, Reason.TASK_DUE) == []
    assert sweep(at(RAROTONGA, 2027, 6, 27, 8)) == []
    assert mail.outbox == []


@pytest.mark.parametrize("finished", [S.READY, S.WITHDRAWN])
def test_a_task_finished_after_its_reminder_was_planned_cancels_it(finished):
    member = person("member", RAROTONGA)
    task = TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member),
        due_on=day(6, 30),
        status=S.IN_PROGRESS,
        progress=50,
    )
    plan_reminders(at(RAROTONGA, 2027, 6, 27, 0, 5))
    planned = Reminder.objects.get(person=member, reason=Reason.TASK_DUE)
    move(task, finished, at(RAROTONGA, 2027, 6, 27, 7))

    assert deliver(planned.pk, at(RAROTONGA, 2027, 6, 27, 8)) == "cancelled"
    planned.refresh_from_db()
    assert (planned.status, planned.sent_at) == (R.CANCELLED, None)
    assert mail.outbox == []


def test_a_person_whose_account_is_closed_after_planning_gets_nothing():
    member = person("leaving", APIA)
    TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member), due_on=day(6, 30)
    )
    plan_reminders(at(APIA, 2027, 6, 27, 0, 5))
    planned = Reminder.objects.get(person=member, reason=Reason.TASK_DUE)
    member.is_active = False
    member.save()

    assert deliver(planned.pk, at(APIA, 2027, 6, 27, 8)) == "cancelled"
    assert mail.outbox == []
    plan_reminders(at(APIA, 2027, 6, 27, 9))
    assert Reminder.objects.filter(person=member).count() == 1


def test_a_closed_account_is_planned_nothing_as_seat_or_lead_while_its_group_is():
    closed, colleague = person("closed", APIA), person("colleague", APIA)
    closed.is_active = False
    closed.save()
    group = group_for(meeting_at(APIA, day(9, 30)), closed, colleague)
    TaskFactory.create(working_group=group, lead=closed, due_on=day(6, 30))

    plan_reminders(at(APIA, 2027, 6, 27, 0, 5))

    assert not Reminder.objects.filter(person=closed).exists()
    assert rows(colleague, Reason.TASK_DUE) == [(day(6, 27), 3, at(APIA, 2027, 6, 27, 8))]


# --- who gets what ------------------------------------------------------------------------


def test_each_member_gets_one_digest_of_all_their_open_tasks_for_the_next_meeting():
    member, colleague = person("member", APIA), person("colleague", KIRITIMATI)
    outsider = person("outsider", APIA)
    meeting = meeting_at(APIA, day(7, 20))
    first = group_for(meeting, member, colleague)
    second = group_for(meeting, member)
    group_for(meeting_at(APIA, day(7, 20)), outsider)  # another forum's meeting, no tasks
    titles = ["Map the data-sharing agreements", "Survey member capacities", "Draft the report"]
    for title in titles:
        TaskFactory.create(working_group=first, title=title, due_on=day(7, 1))
    TaskFactory.create(working_group=second, title="Consult the agencies", due_on=day(7, 1))
    TaskFactory.create(
        working_group=first, title="Ratified already", status=S.RATIFIED, due_on=day(7, 1)
    )
    # Another meeting of the same forum, later: not part of this digest.
    later = MeetingFactory.create(
        forum=meeting.forum, start_date=day(12, 1), end_date=None, time_zone=APIA
    )
    TaskFactory.create(working_group=first, title="For the meeting after", reports_to=later)

    plan_hourly(at(APIA, 2027, 7, 12, 20), at(APIA, 2027, 7, 14))

    assert rows(member, Reason.MEETING_DIGEST) == [(day(7, 13), 7, utc(2027, 7, 12, 19))]
    assert rows(colleague, Reason.MEETING_DIGEST) == [(day(7, 13), 7, utc(2027, 7, 12, 18))]
    assert rows(outsider, Reason.MEETING_DIGEST) == []

    digest = Reminder.objects.get(person=member, reason=Reason.MEETING_DIGEST)
    assert deliver(digest.pk, at(APIA, 2027, 7, 13, 8)) == "sent"
    (message,) = mail.outbox
    assert "your 4 open tasks" in message.subject
    for title in [*titles, "Consult the agencies"]:
        assert title in message.body
    assert "Ratified already" not in message.body
    assert "For the meeting after" not in message.body


def test_task_due_reminders_go_to_the_lead_and_the_current_members_only():
    lead, member = person("lead", APIA), person("member", APIA)
    former, stranger = person("former", APIA), person("stranger", APIA)
    group = group_for(meeting_at(APIA, day(9, 30)), member, former, lead=lead)
    group.memberships.filter(person=former).update(left_on=day(5, 1))
    TaskFactory.create(working_group=group, lead=lead, due_on=day(6, 30))

    plan_reminders(at(APIA, 2027, 6, 27, 0, 30))

    assert set(
        Reminder.objects.filter(reason=Reason.TASK_DUE).values_list("person__username", flat=True)
    ) == {"lead", "member"}
    assert not Reminder.objects.filter(person__in=[former, stranger]).exists()


def overdue_world(weekday_rule: int | None = None):
    """A task due Wednesday 30 June 2027 at Apia, never moved; members in two zones."""
    rarotonga, kiritimati = person("rarotonga", RAROTONGA), person("kiritimati", KIRITIMATI)
    meeting = meeting_at(APIA, day(9, 30))
    task = TaskFactory.create(
        working_group=group_for(meeting, rarotonga, kiritimati),
        title="Overdue inventory",
        due_on=day(6, 30),
    )
    if weekday_rule is not None:
        ReminderRule.objects.create(
            forum=meeting.forum, reason=Reason.OVERDUE_DIGEST, weekday=weekday_rule
        )
    return task, rarotonga, kiritimati


def test_the_overdue_digest_goes_out_weekly_on_the_recipients_monday():
    task, rarotonga, kiritimati = overdue_world()
    assert day(7, 5).weekday() == 0  # Monday

    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 14))

    assert rows(rarotonga, Reason.OVERDUE_DIGEST) == [
        (day(7, 5), None, utc(2027, 7, 5, 18)),
        (day(7, 12), None, utc(2027, 7, 12, 18)),
    ]
    # Kiritimati's Monday 08:00 is Sunday 18:00 UTC.
    assert rows(kiritimati, Reason.OVERDUE_DIGEST) == [
        (day(7, 5), None, utc(2027, 7, 4, 18)),
        (day(7, 12), None, utc(2027, 7, 11, 18)),
    ]
    row = Reminder.objects.get(person=rarotonga, scheduled_for=day(7, 5))
    assert row.subject == f"overdue:{task.working_group.established_by.forum_id}"
    assert deliver(row.pk, utc(2027, 7, 5, 18)) == "sent"
    assert "Overdue: 1 task" in mail.outbox[0].subject
    assert "Overdue inventory" in mail.outbox[0].body


def test_the_overdue_digest_follows_the_forums_weekday():
    _task, rarotonga, _kiritimati = overdue_world(weekday_rule=4)  # Friday
    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 14))
    assert [r[0] for r in rows(rarotonga, Reason.OVERDUE_DIGEST)] == [day(7, 2), day(7, 9)]


@pytest.mark.parametrize(
    ("moved_at", "still_overdue"),
    [
        (utc(2027, 6, 29, 23, 59), True),  # the day before its due day: not since it passed
        (utc(2027, 6, 30, 0, 0), False),  # on its due day
        (utc(2027, 7, 2, 9), False),
    ],
)
@pytest.mark.parametrize("active_zone", ["UTC", KIRITIMATI])
def test_overdue_and_unmoved_counts_a_move_from_the_due_day_on_in_utc(
    moved_at, still_overdue, active_zone
):
    task, _rarotonga, _kiritimati = overdue_world()
    move(task, S.IN_PROGRESS, moved_at)
    # The admin's preview runs in the officer's zone; the sweep's answer must not change.
    with timezone.override(active_zone):
        unmoved = set(overdue_unmoved(utc(2027, 7, 5)).values_list("pk", flat=True))
    assert (task.pk in unmoved) is still_overdue


def test_the_overdue_digest_stops_once_the_task_moves():
    task, rarotonga, kiritimati = overdue_world()
    plan_hourly(utc(2027, 7, 3), utc(2027, 7, 6))
    first = Reminder.objects.get(person=rarotonga, reason=Reason.OVERDUE_DIGEST)
    assert deliver(first.pk, utc(2027, 7, 5, 18)) == "sent"
    # Kiritimati's next Monday is planned on Sunday 10:00 UTC; the task moves after that.
    plan_hourly(utc(2027, 7, 10), utc(2027, 7, 11, 12))
    planned = Reminder.objects.get(person=kiritimati, scheduled_for=day(7, 12))

    move(task, S.IN_PROGRESS, utc(2027, 7, 11, 13), note="Finally started.")

    plan_hourly(utc(2027, 7, 11, 13), utc(2027, 7, 14))
    assert rows(rarotonga, Reason.OVERDUE_DIGEST) == [(day(7, 5), None, utc(2027, 7, 5, 18))]
    assert deliver(planned.pk, utc(2027, 7, 11, 18)) == "cancelled"
    assert len(mail.outbox) == 1
    # A progress note that does not change the status is not a move.
    TaskUpdate.objects.filter(task=task).delete()
    Task.objects.filter(pk=task.pk).update(status=S.NOT_STARTED)
    note = TaskUpdate.objects.create(
        task=task, status_from=S.NOT_STARTED, status_to=S.NOT_STARTED, progress=10, note="…"
    )
    TaskUpdate.objects.filter(pk=note.pk).update(created_at=utc(2027, 7, 15))
    plan_hourly(utc(2027, 7, 18), utc(2027, 7, 20))
    assert day(7, 19) in [r[0] for r in rows(rarotonga, Reason.OVERDUE_DIGEST)]


def undated_world(*, dated: bool):
    """Work with no due day for a meeting in Apia: 1 to 2 July 2027, or (no exact dates)
    expected in June 2027; a member in Rarotonga."""
    member = person("member", RAROTONGA)
    meeting = meeting_at(APIA, day(7, 1))
    group = group_for(meeting, member)
    # After the meeting that set the group up: a later one would make it held at once.
    meeting.sequence = group.established_by.sequence + 1
    if not dated:
        meeting.start_date = meeting.end_date = None
        meeting.expected_month = day(6, 1)
    meeting.save()
    task = TaskFactory.create(working_group=group, title="Undated inventory", due_on=None)
    return task, member


@pytest.mark.parametrize("dated", [True, False])
def test_the_overdue_digest_takes_work_with_no_due_day_once_its_meeting_is_held(dated):
    _task, member = undated_world(dated=dated)
    # Monday 28 June: the meeting is still to come (or its month not over): nothing.
    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 14))
    mondays = rows(member, Reason.OVERDUE_DIGEST)
    assert [row[0] for row in mondays] == [day(7, 5), day(7, 12)]

    first = Reminder.objects.get(person=member, scheduled_for=day(7, 5))
    assert deliver(first.pk, first.send_after) == "sent"
    (message,) = mail.outbox
    assert "Overdue: 1 task" in message.subject
    assert "Undated inventory" in message.body
    assert "Due: no due date yet" in message.body


@pytest.mark.parametrize(
    ("dated", "moved_at", "still_overdue"),
    [
        # Dated: a move from the day the meeting opened (in UTC) on counts.
        (True, utc(2027, 6, 30, 23, 59), True),
        (True, utc(2027, 7, 1), False),
        # Expected in June, no exact dates: a move from 1 June on counts.
        (False, utc(2027, 5, 31, 23, 59), True),
        (False, utc(2027, 6, 1), False),
    ],
)
def test_a_move_since_its_meeting_opened_takes_undated_work_out_of_the_digest(
    dated, moved_at, still_overdue
):
    task, member = undated_world(dated=dated)
    move(task, S.IN_PROGRESS, moved_at)
    assert (task in overdue_unmoved(utc(2027, 7, 5))) is still_overdue
    plan_hourly(utc(2027, 7, 4), utc(2027, 7, 6))
    assert bool(rows(member, Reason.OVERDUE_DIGEST)) is still_overdue


def brief_world():
    """A meeting in Apia on 20 July 2027 with ready, blocked and overdue work reporting to it."""
    secretary = person("secretary", APIA)
    secretary.groups.add(
        Chair._meta.apps.get_model("auth", "Group").objects.get(name="Secretariat")
    )
    chair = person("chair", RAROTONGA)
    bystander = person("bystander", APIA)
    meeting = meeting_at(APIA, day(7, 20))
    Chair.objects.create(
        meeting=MeetingFactory.create(forum=meeting.forum, start_date=day(1, 5), time_zone=APIA),
        member=MemberFactory.create(),
        person=chair,
    )
    group = group_for(meeting, bystander)
    TaskFactory.create(working_group=group, title="Ready one", status=S.READY, progress=100)
    TaskFactory.create(
        working_group=group, title="Blocked one", status=S.BLOCKED, due_on=day(7, 15)
    )
    TaskFactory.create(
        working_group=group, title="Blocked two", status=S.BLOCKED, due_on=day(7, 15)
    )
    TaskFactory.create(working_group=group, title="Late one", due_on=day(7, 1))
    TaskFactory.create(working_group=group, title="Done one", status=S.RATIFIED, progress=100)
    return meeting, secretary, chair, bystander


def test_the_secretariat_and_the_chair_get_the_brief_with_ready_blocked_and_overdue_counts():
    meeting, secretary, chair, bystander = brief_world()
    plan_hourly(utc(2027, 7, 5), utc(2027, 7, 7))  # 14 days before, everywhere

    assert rows(secretary, Reason.MEETING_BRIEF) == [(day(7, 6), 14, utc(2027, 7, 5, 19))]
    # It opens 20 July 09:00 in Apia: 19 July 10:00 in Rarotonga, so 14 days before is the 5th.
    assert rows(chair, Reason.MEETING_BRIEF) == [(day(7, 5), 14, utc(2027, 7, 5, 18))]
    assert rows(bystander, Reason.MEETING_BRIEF) == []

    now = utc(2027, 7, 6, 18)
    for who in (secretary, chair):
        row = Reminder.objects.get(person=who, reason=Reason.MEETING_BRIEF)
        assert deliver(row.pk, now) == "sent"
    for message in mail.outbox:
        assert message.subject.endswith(
            f"{meeting} in 14 days: 1 ready for ratification, 2 blocked, 1 overdue"
        )
        assert "Done one" not in message.body
        for title in ("Ready one", "Blocked one", "Blocked two", "Late one"):
            assert title in message.body


def test_a_forums_own_rule_replaces_the_default_and_an_inactive_rule_sends_nothing():
    member = person("member", APIA)
    custom = meeting_at(APIA, day(9, 30))
    TaskFactory.create(working_group=group_for(custom, member), due_on=day(6, 30))
    ReminderRule.objects.create(forum=custom.forum, reason=Reason.TASK_DUE, days_before="5, 1")
    silent = meeting_at(APIA, day(9, 30))
    TaskFactory.create(working_group=group_for(silent, member), due_on=day(6, 29))
    ReminderRule.objects.create(
        forum=silent.forum, reason=Reason.TASK_DUE, days_before="14, 3", active=False
    )
    default = meeting_at(APIA, day(9, 30))
    TaskFactory.create(working_group=group_for(default, member), due_on=day(6, 28))

    plan_hourly(at(APIA, 2027, 6, 10), at(APIA, 2027, 7, 1))

    by_task = {}
    for row in Reminder.objects.filter(person=member, reason=Reason.TASK_DUE):
        by_task.setdefault(row.task.reports_to.forum_id, []).append(row.days_before)
    assert sorted(by_task[custom.forum_id]) == [1, 5]
    assert sorted(by_task[default.forum_id]) == [3, 14]
    assert silent.forum_id not in by_task


# --- exactly once -------------------------------------------------------------------------


def test_planning_twice_inserts_nothing_the_second_time():
    members = [person(f"member{i}", zone) for i, zone in enumerate(DUE_30_JUNE_ZONES)]
    TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), *members), due_on=day(6, 30)
    )
    # Rarotonga's 27 June noon is Kiritimati's 28th: 3 days before for both (Apia: 2 days).
    now = at(RAROTONGA, 2027, 6, 27, 12)
    first = plan_reminders(now)
    count = Reminder.objects.count()
    assert first == count > 0
    assert plan_reminders(now) == 0
    assert Reminder.objects.count() == count


def test_the_ledger_refuses_a_second_row_for_the_same_person_reason_subject_and_day():
    row = Reminder.objects.create(
        person=UserFactory.create(),
        reason=Reason.TASK_DUE,
        subject="task:1",
        scheduled_for=day(6, 27),
        send_after=utc(2027, 6, 27, 8),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            person=row.person,
            reason=row.reason,
            subject=row.subject,
            scheduled_for=row.scheduled_for,
            send_after=utc(2027, 6, 27, 9),
        )


def plant(n: int, meeting) -> list:
    """`n` groups with a lead (Apia) and a member (Rarotonga), a task due in 3 days (for the
    lead, planning on Monday 28 June in Apia) and one overdue since 1 June."""
    groups = []
    for _ in range(n):
        lead, member = person(None, APIA), person(None, RAROTONGA)
        group = group_for(meeting, member, lead=lead)
        TaskFactory.create(working_group=group, lead=lead, due_on=day(7, 1))
        TaskFactory.create(working_group=group, lead=lead, due_on=day(6, 1))
        groups.append(group)
    return groups


def with_secretariat_and_chair(meeting) -> None:
    secretary = person(None, APIA)
    secretary.groups.add(Group.objects.get(name="Secretariat"))
    earlier = MeetingFactory.create(forum=meeting.forum, start_date=day(1, 5), end_date=None)
    Chair.objects.create(meeting=earlier, member=MemberFactory.create(), person=person(None, APIA))


# Monday 28 June 00:30 in Apia; the meeting opens in 7 days on everyone's calendar.
MONDAY_IN_APIA = at(APIA, 2027, 6, 28, 0, 30)


def planning(now) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as queries:
        planned = plan_reminders(now)
    return [q["sql"] for q in queries.captured_queries], planned


def inserts(sql: list[str]) -> int:
    return sum(1 for q in sql if q.lstrip().upper().startswith("INSERT"))


def test_planning_queries_do_not_grow_with_the_number_of_tasks():
    meeting = meeting_at(APIA, day(7, 5))
    with_secretariat_and_chair(meeting)
    groups = plant(5, meeting)
    few, few_rows = planning(MONDAY_IN_APIA)
    # Each lead: digest, task due, overdue digest; each member a digest; the brief twice.
    assert few_rows == 5 * 4 + 2
    Reminder.objects.all().delete()
    # 55 more tasks for the same people: overdue or reporting to the meeting, so that
    # they add no rows (one digest lists them all), only work.
    for i in range(55):
        group = groups[i % 5]
        lead = group.memberships.get(role="lead").person
        TaskFactory.create(working_group=group, lead=lead, due_on=day(6, 2) if i % 2 else day(7, 5))
    assert Task.objects.count() == 5 * 2 + 55

    many, many_rows = planning(MONDAY_IN_APIA)

    assert many_rows == few_rows
    assert len(many) == len(few), "\n".join(many)


def test_planning_queries_do_not_grow_with_people_and_tasks_but_for_insert_batches(monkeypatch):
    monkeypatch.setattr("workinggroups.reminders.planning.INSERT_ROWS", 100)
    meeting = meeting_at(APIA, day(7, 5))
    with_secretariat_and_chair(meeting)
    plant(5, meeting)
    few, few_rows = planning(MONDAY_IN_APIA)
    Reminder.objects.all().delete()
    plant(55, meeting)

    many, many_rows = planning(MONDAY_IN_APIA)

    assert (few_rows, many_rows) == (5 * 4 + 2, 60 * 4 + 2)
    assert len(many) - inserts(many) == len(few) - inserts(few)
    # One INSERT per round of people on PostgreSQL (a column of values per parameter),
    # one per INSERT_ROWS rows elsewhere.
    assert inserts(few) == 1
    batches = 1 if connection.vendor == "postgresql" else math.ceil(many_rows / 100)
    assert inserts(many) == batches


def test_the_ledger_insert_keeps_each_value_as_planned():
    """Quotes, backslashes, commas, braces and NULLs come back as they went in: on
    PostgreSQL each column travels as one array literal, escaped by planning itself."""
    ana, rua = person("ana", APIA), person("rua", APIA)
    task = TaskFactory.create()
    send = at(APIA, 2027, 6, 28, 8)
    tricky = 'say "hi", {now} \\ NULL'
    rows = [
        (ana.pk, Reason.TASK_DUE.value, tricky, day(6, 28), send, task.pk, None, 14),
        (rua.pk, Reason.OVERDUE_DIGEST.value, "NULL", day(6, 28), send, None, None, None),
    ]

    assert planning_module._insert(rows, send) == 2
    assert planning_module._insert(rows, send) == 0  # the ledger holds them already

    stored = set(Reminder.objects.values_list(*planning_module.PLANNED_COLUMNS))
    assert stored == set(rows)
    assert set(Reminder.objects.values_list("status", "attempts", "last_error")) == {
        (Reminder.Status.PENDING, 0, "")
    }


def test_the_ledger_checks_each_reference_and_indexes_the_person_once():
    """Each planned row is checked against its person, task and meeting; the person is
    looked up through the unique constraint's index, not a second one of its own."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Reminder._meta.db_table)
    references = {
        c["columns"][0]: c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]
    }
    assert references == {
        "person_id": "auth_user",
        "task_id": Task._meta.db_table,
        "meeting_id": "forums_meeting",
    }
    person_first = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    assert [cols for cols in person_first if cols[0] == "person_id"] == [
        ["person_id", "reason", "subject", "scheduled_for"]
    ]


def test_planning_in_rounds_of_people_plans_the_same_rows(monkeypatch):
    meeting = meeting_at(APIA, day(7, 5))
    with_secretariat_and_chair(meeting)
    plant(12, meeting)
    whole, whole_rows = planning(MONDAY_IN_APIA)
    wanted = set(Reminder.objects.values_list("person_id", "reason", "subject", "send_after"))
    Reminder.objects.all().delete()

    monkeypatch.setattr("workinggroups.reminders.planning.PLAN_PEOPLE_PER_ROUND", 5)
    rounds, rounds_rows = planning(MONDAY_IN_APIA)

    people = Reminder.objects.values("person").distinct().count()
    assert people == 12 * 2 + 2
    assert rounds_rows == whole_rows == 12 * 4 + 2
    assert set(Reminder.objects.values_list("person_id", "reason", "subject", "send_after")) == (
        wanted
    )
    # Each further round reads its people's zones and inserts once.
    extra_rounds = math.ceil(people / 5) - 1
    assert len(rounds) == len(whole) + 2 * extra_rounds
    # A second sweep in rounds plans nothing more.
    assert planning(MONDAY_IN_APIA)[1] == 0


def delivering(reminder_id: int, now) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert deliver(reminder_id, now) == "sent"
    return len(queries)


def test_delivering_a_digest_costs_the_same_queries_for_2_or_12_tasks():
    meeting = meeting_at(APIA, day(7, 5))
    document = OutcomeDocumentFactory.create(meeting=MeetingFactory.create(forum=meeting.forum))
    few, many = person("few", APIA), person("many", APIA)
    for someone, count in ((few, 2), (many, 12)):
        group = group_for(meeting, someone)
        for _ in range(count):
            task = TaskFactory.create(working_group=group, due_on=day(7, 1))
            task.outcomes.add(
                OutcomeFactory.create(document=document), OutcomeFactory.create(document=document)
            )
        reminder_preference_for(someone)  # as after their first reminder
    plan_reminders(MONDAY_IN_APIA)
    now = at(APIA, 2027, 6, 28, 8)
    digest = {r.person_id: r.pk for r in Reminder.objects.filter(reason=Reason.MEETING_DIGEST)}

    queries = delivering(digest[few.pk], now)
    assert delivering(digest[many.pk], now) == queries
    # Claim, the row with its person and meeting, preferences, the reader's standing (one
    # UNION), the tasks with their group, forum and meeting, their outcome codes, mark sent.
    assert queries == 7
    assert [m.to for m in mail.outbox] == [[few.email], [many.email]]
    assert "12 open tasks" in mail.outbox[1].subject


def test_the_sweep_queries_do_not_grow_with_the_number_of_tasks():
    now = at(APIA, 2027, 6, 28, 8)
    groups = plant(5, meeting_at(APIA, day(7, 5)))
    sweep(now)  # the first sweep writes the watermark's row
    Reminder.objects.all().delete()
    with CaptureQueriesContext(connection) as few:
        due_few = sweep(now, full=True)
    Reminder.objects.all().delete()
    for i in range(55):
        TaskFactory.create(working_group=groups[i % 5], due_on=day(6, 2))
    with CaptureQueriesContext(connection) as many:
        due_many = sweep(now, full=True)
    assert len(due_many) == len(due_few) > 0
    assert len(many) == len(few)


class FailingSMTP(BaseEmailBackend):
    """A mail server that is down; remembers the Message-IDs it was offered."""

    offered: list[str] = []

    def send_messages(self, email_messages):
        for message in email_messages:
            FailingSMTP.offered.append(message.message()["Message-ID"])
        raise smtplib.SMTPException("451 4.3.0 Mail server temporarily rejected message")


FAILING = "tests.workinggroups.test_reminder_rules.FailingSMTP"


def one_due_reminder(now) -> Reminder:
    member = person("member", APIA)
    TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member), due_on=day(6, 30)
    )
    plan_reminders(now)
    return Reminder.objects.get(person=member, reason=Reason.TASK_DUE)


def test_an_smtp_failure_retries_with_backoff_then_ends_failed_with_the_error(settings):
    now = at(APIA, 2027, 6, 27, 8)
    row = one_due_reminder(now)
    FailingSMTP.offered = []
    waits = []
    with override_settings(EMAIL_BACKEND=FAILING):
        for attempt in range(1, settings.REMINDER_MAX_ATTEMPTS):
            assert deliver(row.pk, now) == "retry"
            row.refresh_from_db()
            assert (row.status, row.attempts, row.claimed_at) == (R.PENDING, attempt, None)
            assert row.last_error == (
                "SMTPException: 451 4.3.0 Mail server temporarily rejected message"
            )
            waits.append(row.send_after - now)
            assert row.pk not in sweep(row.send_after - datetime.timedelta(seconds=1))
            assert deliver(row.pk, row.send_after - datetime.timedelta(seconds=1)) == "taken"
            assert row.pk in sweep(row.send_after)
            now = row.send_after
        assert deliver(row.pk, now) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (R.FAILED, settings.REMINDER_MAX_ATTEMPTS)
    assert "451 4.3.0" in row.last_error
    assert waits == [datetime.timedelta(minutes=2**i) for i in range(1, len(waits) + 1)]
    assert row.pk not in sweep(now + datetime.timedelta(days=1))
    assert deliver(row.pk, now + datetime.timedelta(days=1)) == "taken"
    assert mail.outbox == []
    # Every attempt offered the same message.
    assert set(FailingSMTP.offered) == {row.message_id}


def test_a_reminder_that_failed_once_is_sent_once_the_server_is_back():
    now = at(APIA, 2027, 6, 27, 8)
    row = one_due_reminder(now)
    with override_settings(EMAIL_BACKEND=FAILING):
        assert deliver(row.pk, now) == "retry"
    row.refresh_from_db()
    assert deliver(row.pk, row.send_after) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (R.SENT, 2)
    assert row.sent_at is not None
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]


def test_a_stale_claim_is_recovered_by_the_next_sweep_and_sent_exactly_once(settings):
    now = at(APIA, 2027, 6, 27, 8)
    row = one_due_reminder(now)
    timeout = datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    # A worker claimed it and died before sending.
    Reminder.objects.filter(pk=row.pk).update(status=R.SENDING, claimed_at=now, attempts=1)
    fresh = Reminder.objects.create(  # claimed just now by a live worker: left alone
        person=row.person,
        reason=Reason.MEETING_DIGEST,
        subject="meeting:0",
        scheduled_for=row.scheduled_for,
        send_after=now,
        status=R.SENDING,
        claimed_at=now + timeout,
    )

    assert row.pk not in sweep(now + timeout)  # not stale yet
    later = now + timeout + datetime.timedelta(seconds=1)
    assert sweep(later) == [row.pk]
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert (row.status, row.claimed_at) == (R.PENDING, None)
    assert fresh.status == R.SENDING

    assert deliver(row.pk, later) == "sent"
    assert deliver(row.pk, later) == "taken"
    assert row.pk not in sweep(later + timeout * 2)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (R.SENT, 2)


def test_delivering_the_same_reminder_twice_sends_it_once():
    now = at(APIA, 2027, 6, 27, 8)
    row = one_due_reminder(now)
    assert [deliver(row.pk, now), deliver(row.pk, now)] == ["sent", "taken"]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (R.SENT, 1)


def test_a_preview_composes_todays_messages_and_writes_nothing():
    now = at(APIA, 2027, 6, 27, 8)
    member = person("member", APIA)
    TaskFactory.create(
        working_group=group_for(meeting_at(APIA, day(9, 30)), member),
        title="Previewed work",
        due_on=day(6, 30),
    )
    forum = member.working_groups.get().established_by.forum
    messages = reminders.preview(member, now)
    assert [m.subject for m in messages] == [f"[{forum.acronym}] Due in 3 days: Previewed work"]
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_a_meeting_moved_onto_another_rule_day_keeps_the_days_reminder():
    member = person("member", APIA)
    meeting = meeting_at(APIA, day(7, 20))
    TaskFactory.create(working_group=group_for(meeting, member), due_on=day(7, 1))
    plan_reminders(at(APIA, 2027, 7, 13, 0, 30))  # 7 days before the 20th
    planned = Reminder.objects.get(person=member, reason=Reason.MEETING_DIGEST)

    # The meeting moves a week later: 14 days away, also a day of the rule.
    meeting.start_date, meeting.end_date = day(7, 27), day(7, 28)
    meeting.save()

    assert deliver(planned.pk, at(APIA, 2027, 7, 13, 8)) == "sent"
    assert "14 days to" in mail.outbox[0].subject
