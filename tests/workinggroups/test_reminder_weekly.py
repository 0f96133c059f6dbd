"""The chairs' and secretariat's weekly digest: who gets it, on which day, exactly once,
what it says (within clearance), in whose language, and how it stops.

A forum whose 2nd meeting (January 2027, Apia) set up a working group reporting to its
3rd (30 September 2027). The week looked at ends on Friday 2 July 2027.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.access import SECRETARIAT_GROUP
from forums.models import Chair
from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    TaskFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.workinggroups.test_reminder_rules import (
    APIA,
    RAROTONGA,
    at,
    day,
    person,
    plan_hourly,
    utc,
)
from workinggroups.models import Reason, Reminder, ReminderRule, Task, TaskUpdate
from workinggroups.reminders import deliver, plan_reminders, sweep
from workinggroups.services import reminder_preference_for, reminder_preferences_update

pytestmark = pytest.mark.django_db

S = Task.Status
WEEKLY = Reason.WEEKLY_DIGEST
# Friday 2 July 2027, 08:00 in Apia (UTC+13) and in Rarotonga (UTC-10).
CHAIRS_FRIDAY = at(APIA, 2027, 7, 2, 8)
SECRETARYS_FRIDAY = at(RAROTONGA, 2027, 7, 2, 8)
IN_THE_WEEK = utc(2027, 6, 29, 12)
SECRET_WORDS = ("Kingfisher", "Frigatebird")


def update(task, when, note, *, status=None, tlp=TLP.GREEN, recipients=()):
    """An update recorded at `when`, moving the task to `status` if given."""
    status = status or task.status
    row = TaskUpdate.objects.create(
        task=task,
        status_from=task.status,
        status_to=status,
        progress=100 if status == S.READY else task.progress,
        note=note,
        tlp=tlp,
    )
    row.recipients.set(recipients)
    TaskUpdate.objects.filter(pk=row.pk).update(created_at=when)
    Task.objects.filter(pk=task.pk).update(status=status, progress=row.progress)
    return row


def recorded(title, group, when, **fields):
    task = TaskFactory.create(working_group=group, title=title, **fields)
    Task.objects.filter(pk=task.pk).update(created_at=when)
    task.refresh_from_db()
    return task


@pytest.fixture
def week():
    """Who chairs what, the secretariat, and a week of work of every kind and label."""
    forum = ForumFactory.create(acronym="WKLY")
    people = {
        "chair": person("chair", APIA),
        "incoming": person("incoming", APIA),
        "former": person("former", APIA),
        "secretary": person("secretary", RAROTONGA),
        "member": person("member", APIA),
        "named": person("named", APIA),
    }
    people["secretary"].groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    meetings = [
        MeetingFactory.create(forum=forum, sequence=n, start_date=start, end_date=start)
        for n, start in ((1, datetime.date(2025, 6, 1)), (2, day(1, 10)), (3, day(9, 30)))
    ]
    for meeting, who in zip(meetings, ("former", "chair", "incoming"), strict=True):
        Chair.objects.create(meeting=meeting, member=MemberFactory.create(), person=people[who])
    group = WorkingGroupFactory.create(established_by=meetings[1], reports_to=meetings[2])
    for who in ("member", "named"):
        WorkingGroupMembershipFactory.create(working_group=group, person=people[who])
    january = utc(2027, 1, 5)
    roster = recorded("Green coastguard roster", group, january, status=S.IN_PROGRESS)
    update(roster, IN_THE_WEEK, "Roster agreed by three members.", status=S.BLOCKED)
    charter = recorded("Ready charter", group, january, status=S.IN_PROGRESS)
    update(charter, IN_THE_WEEK, "Charter final.", status=S.READY)
    # A RED update not addressed to the chair, on GREEN work: the chair never sees it.
    patrol = recorded("Coastal patrol plan", group, january, status=S.IN_PROGRESS)
    update(patrol, IN_THE_WEEK, "Frigatebird sighting.", tlp=TLP.RED, recipients=[people["named"]])
    # RED work for named people only.
    secret = recorded("Kingfisher informant protocol", group, january, tlp=TLP.RED)
    secret.recipients.add(people["named"])
    update(secret, IN_THE_WEEK, "Kingfisher briefed.", tlp=TLP.RED, recipients=[people["named"]])
    # Quiet for 90 days on Thursday 1 July (UTC), not a week before: it became stalled.
    recorded("Newly quiet survey", group, utc(2027, 3, 30))
    recorded("Long quiet audit", group, january)  # stalled long before the week
    return {**people, "forum": forum}


def one_weekly(who) -> Reminder:
    return Reminder.objects.get(person=who, reason=WEEKLY)


def text_of(message) -> str:
    ((html, _mime),) = message.alternatives
    return "\n".join([message.subject, message.body, html])


# --- who, when, exactly once ----------------------------------------------------------------


def test_the_chairs_of_the_latest_and_next_meetings_and_the_secretariat_get_it_on_friday(week):
    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 10))

    for who, zone_friday in (
        ("chair", utc(2027, 7, 1, 19)),
        ("incoming", utc(2027, 7, 1, 19)),
        ("secretary", utc(2027, 7, 2, 18)),
    ):
        rows = Reminder.objects.filter(person=week[who], reason=WEEKLY).order_by("scheduled_for")
        assert [(r.scheduled_for, r.send_after) for r in rows] == [
            (day(7, 2), zone_friday),
            (day(7, 9), zone_friday + datetime.timedelta(days=7)),
        ], who
        assert {r.subject for r in rows} == {f"weekly:{week['forum'].pk}"}
    # The chair of an older meeting, and members of the group, get none.
    assert not Reminder.objects.filter(
        reason=WEEKLY, person__in=[week["former"], week["member"], week["named"]]
    ).exists()


def test_two_sweeps_plan_one_row_and_deliver_one_message(week):
    assert plan_reminders(CHAIRS_FRIDAY) > 0
    assert plan_reminders(CHAIRS_FRIDAY) == 0
    assert Reminder.objects.filter(person=week["chair"], reason=WEEKLY).count() == 1

    due = sweep(CHAIRS_FRIDAY) + sweep(CHAIRS_FRIDAY)
    row = one_weekly(week["chair"])
    assert due.count(row.pk) == 2  # handed out twice...
    results = [deliver(reminder_id, CHAIRS_FRIDAY) for reminder_id in due if reminder_id == row.pk]
    assert results == ["sent", "taken"]  # ...sent once
    assert [m.to for m in mail.outbox] == [[week["chair"].email]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Reminder.Status.SENT, 1)
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_a_forum_rule_moves_the_day_or_stops_it(week):
    rule = ReminderRule.objects.create(forum=week["forum"], reason=WEEKLY, weekday=0)
    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 6))
    mondays = Reminder.objects.filter(person=week["chair"]).order_by("scheduled_for")
    assert [r.scheduled_for for r in mondays] == [day(6, 28), day(7, 5)]
    Reminder.objects.all().delete()
    rule.active = False
    rule.save()
    plan_hourly(utc(2027, 6, 27), utc(2027, 7, 6))
    assert not Reminder.objects.filter(reason=WEEKLY).exists()


def test_a_forum_whose_working_groups_are_all_closed_gets_none(week):
    Task.objects.update(status=S.RATIFIED)
    week["member"].working_groups.update(closed_on=day(6, 1))
    plan_hourly(utc(2027, 7, 1), utc(2027, 7, 3))
    assert not Reminder.objects.filter(reason=WEEKLY).exists()


# --- what it says, within clearance ---------------------------------------------------------


def test_the_chairs_digest_says_what_moved_stalled_and_became_ready_as_the_chair_may_read(week):
    plan_reminders(CHAIRS_FRIDAY)
    assert deliver(one_weekly(week["chair"]).pk, CHAIRS_FRIDAY) == "sent"
    (message,) = mail.outbox
    words = text_of(message)

    assert message.subject == (
        "[WKLY] Week to 2 July 2027: 1 moved, 1 newly stalled, 1 ready for ratification"
    )
    assert "since 25 June 2027, 08:00 your time (Pacific/Apia)" in message.body
    ready, stalled, moved = (
        message.body.index("Ready for ratification: 1 task"),
        message.body.index("Became stalled: 1 task"),
        message.body.index("Moved: 1 task"),
    )
    assert ready < message.body.index("Ready charter") < stalled
    assert stalled < message.body.index("Newly quiet survey") < moved
    # Two quiet for long, one of them only to the chair (its one update is hidden).
    assert "Stalled in all: 3 tasks." in message.body
    assert "Long quiet audit" not in message.body
    roster = message.body.index("Green coastguard roster", moved)
    # Tuesday noon in UTC is Wednesday in Apia.
    assert "1 update, the latest on 30 June 2027 by" in message.body[roster:]
    assert "moved to Blocked" in message.body[roster:]
    assert "“Roster agreed by three members.”" in message.body
    assert "Open with no update for 90 days, or carried past two meetings." in message.body
    assert "You get this because you chair WKLY or serve its secretariat." in message.body
    for word in SECRET_WORDS:
        assert word not in words
    assert "Coastal patrol plan" not in message.body.split("Stalled in all")[1]


def test_the_secretariat_reads_everything_the_chair_may_not(week):
    plan_reminders(SECRETARYS_FRIDAY)
    assert deliver(one_weekly(week["secretary"]).pk, SECRETARYS_FRIDAY) == "sent"
    (message,) = mail.outbox
    assert message.subject.endswith(": 3 moved, 1 newly stalled, 1 ready for ratification")
    for word in SECRET_WORDS:
        assert word in message.body


def test_the_next_digest_starts_where_the_last_one_sent_ended_and_a_quiet_week_sends_none(week):
    plan_hourly(utc(2027, 7, 1), utc(2027, 7, 24))
    rows = list(
        Reminder.objects.filter(person=week["chair"], reason=WEEKLY).order_by("scheduled_for")
    )
    assert [r.scheduled_for for r in rows] == [day(7, 2), day(7, 9), day(7, 16), day(7, 23)]
    assert deliver(rows[0].pk, rows[0].send_after) == "sent"
    roster = Task.objects.get(title="Green coastguard roster")
    update(roster, utc(2027, 7, 5), "Unblocked.", status=S.IN_PROGRESS)

    assert deliver(rows[1].pk, rows[1].send_after) == "sent"
    second = mail.outbox[-1]
    assert second.subject.endswith(": 1 moved, 0 newly stalled, 0 ready for ratification")
    assert "since 2 July 2027, 08:00 your time" in second.body
    assert "Unblocked." in second.body and "Roster agreed" not in second.body
    # Nothing moved since: no message, and the period reaches back to the last one sent.
    assert deliver(rows[2].pk, rows[2].send_after) == "cancelled"
    update(roster, utc(2027, 7, 20), "Moving again.")
    assert deliver(rows[3].pk, rows[3].send_after) == "sent"
    assert "since 9 July 2027, 08:00 your time" in mail.outbox[-1].body
    assert len(mail.outbox) == 3


def test_it_is_written_in_the_recipients_language(week):
    week["secretary"].profile.language = "fr"
    week["secretary"].profile.save()
    plan_reminders(SECRETARYS_FRIDAY)
    assert deliver(one_weekly(week["secretary"]).pk, SECRETARYS_FRIDAY) == "sent"
    (message,) = mail.outbox
    assert "2 juillet 2027" in message.subject
    assert "Bonjour" in message.body
    assert "25 juin 2027, 08:00, votre heure (Pacific/Rarotonga)" in message.body
    assert "Arrêter tous les rappels" in message.body


def test_delivering_it_costs_the_same_queries_for_2_or_12_updates(week):
    plan_reminders(CHAIRS_FRIDAY)
    chair, incoming = one_weekly(week["chair"]), one_weekly(week["incoming"])
    for someone in (week["chair"], week["incoming"]):
        reminder_preference_for(someone)

    def delivering(row) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert deliver(row.pk, CHAIRS_FRIDAY) == "sent"
        return len(queries)

    few = delivering(chair)
    group = week["member"].working_groups.get()
    for n in range(10):
        task = recorded(f"More work {n}", group, utc(2027, 1, 5), status=S.IN_PROGRESS)
        update(task, IN_THE_WEEK, f"Step {n}.")
    assert delivering(incoming) == few
    assert "11 moved" in mail.outbox[-1].subject


# --- stopping it ----------------------------------------------------------------------------


def test_turned_off_it_is_not_sent(week):
    preference = reminder_preference_for(week["chair"])
    reminder_preferences_update(actor=week["chair"], preference=preference, weekly_digest=False)
    plan_reminders(CHAIRS_FRIDAY)
    assert deliver(one_weekly(week["chair"]).pk, CHAIRS_FRIDAY) == "cancelled"
    assert mail.outbox == []


def test_my_settings_leads_to_the_choice_and_one_click_unsubscribe_stops_it(week, client):
    chair = week["chair"]
    client.force_login(chair)
    settings_page = client.get(reverse("pages:settings")).content.decode()
    preference = reminder_preference_for(chair)
    preferences = reverse("reminders:preferences", args=[preference.unsubscribe_token])
    assert f'href="{preferences}"' in settings_page
    page = client.get(preferences).content.decode()
    assert 'name="weekly_digest"' in page
    assert str(Reason.WEEKLY_DIGEST.label) in page

    plan_reminders(CHAIRS_FRIDAY)
    deliver(one_weekly(chair).pk, CHAIRS_FRIDAY)
    (message,) = mail.outbox
    unsubscribe = urlsplit(message.extra_headers["List-Unsubscribe"].strip("<>")).path
    assert Client().post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    preference.refresh_from_db()
    assert preference.weekly_digest is False
    next_friday = CHAIRS_FRIDAY + datetime.timedelta(days=7)
    plan_reminders(next_friday)
    row = Reminder.objects.get(person=chair, reason=WEEKLY, scheduled_for=day(7, 9))
    assert deliver(row.pk, next_friday) == "cancelled"
    assert len(mail.outbox) == 1
