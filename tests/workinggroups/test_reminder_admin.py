"""The reminder ledger in the admin: its filters, "preview what this person would receive
today" (which writes nothing) and "send the sweep now" (which queues the real job).

The admin reads the real clock, so these tests build their data around today.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProfileFactory, TaskFactory, UserFactory
from tests.workinggroups.test_reminder_rules import group_for, meeting_at, utc
from workinggroups.models import Reason, Reminder, ReminderPreference

pytestmark = pytest.mark.django_db

R = Reminder.Status
CHANGELIST = "admin:workinggroups_reminder_changelist"


@pytest.fixture
def officer_client(client):
    officer = UserFactory.create(username="sione.officer", is_staff=True)
    officer.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(officer)
    return client


def ledger_row(person, reason, status, *, subject="task:1", error="") -> Reminder:
    return Reminder.objects.create(
        person=person,
        reason=reason,
        subject=subject,
        scheduled_for=datetime.date(2027, 6, 27),
        days_before=3,
        send_after=utc(2027, 6, 27, 8),
        status=status,
        last_error=error,
    )


def test_the_ledger_filters_by_status_reason_and_person(officer_client):
    alice, bob = UserFactory.create(username="alice"), UserFactory.create(username="bob")
    sent = ledger_row(alice, Reason.TASK_DUE, R.SENT)
    failed = ledger_row(
        bob, Reason.OVERDUE_DIGEST, R.FAILED, subject="overdue:1", error="SMTPException: 550"
    )
    pending = ledger_row(alice, Reason.MEETING_DIGEST, R.PENDING, subject="meeting:1")
    url = reverse(CHANGELIST)

    page = officer_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    for title in ("By status", "By reason", "By person"):
        assert title in content
    assert "SMTPException: 550" in content
    assert reverse("admin:workinggroups_reminder_preview") in content
    assert reverse("admin:workinggroups_reminder_sweep") in content

    for query, expected in [
        ({"status__exact": "failed"}, {failed}),
        ({"status__exact": "pending"}, {pending}),
        ({"status__exact": "sent"}, {sent}),
        ({"reason__exact": Reason.TASK_DUE}, {sent}),
        ({"reason__exact": Reason.OVERDUE_DIGEST}, {failed}),
        ({"person__id__exact": alice.pk}, {sent, pending}),
        ({"person__id__exact": alice.pk, "status__exact": "pending"}, {pending}),
    ]:
        response = officer_client.get(url, query)
        assert response.status_code == 200, query
        assert set(response.context["cl"].result_list) == expected, query


def test_the_ledger_cannot_be_written_from_the_admin(officer_client):
    row = ledger_row(UserFactory.create(), Reason.TASK_DUE, R.FAILED)
    change = reverse("admin:workinggroups_reminder_change", args=[row.pk])
    assert officer_client.get(change).status_code == 200
    assert officer_client.post(change, {"status": "pending"}).status_code == 403
    delete = reverse("admin:workinggroups_reminder_delete", args=[row.pk])
    assert officer_client.post(delete, {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.status == R.FAILED


def someone_with_a_digest_due_now() -> tuple:
    """A member whose meeting opens in 7 days on their calendar, and whose 08:00 has passed.

    The zone is picked so that it is between 09:00 and 22:00 there now: among these
    offsets (-10 to +14, gaps under 14 hours) one always is.
    """
    now = timezone.now()
    for name in ("UTC", "Pacific/Rarotonga", "America/New_York", "Asia/Tokyo", "Pacific/Apia"):
        zone = ZoneInfo(name)
        if 9 <= now.astimezone(zone).hour <= 22:
            break
    else:  # pragma: no cover - the offsets above make this unreachable
        raise AssertionError("no zone in its day")
    today = now.astimezone(zone).date()
    member = ProfileFactory.create(time_zone=name, user__username="ana.member").user
    meeting = meeting_at(name, today + datetime.timedelta(days=7))
    TaskFactory.create(
        working_group=group_for(meeting, member), title="Prepare the border-security annex"
    )
    return member, meeting


def test_preview_shows_what_a_person_would_receive_today_and_writes_nothing(officer_client):
    member, meeting = someone_with_a_digest_due_now()
    nobody = UserFactory.create(username="nobody")
    url = reverse("admin:workinggroups_reminder_preview")

    assert officer_client.get(url).status_code == 200  # the form alone
    response = officer_client.get(url, {"person": member.pk})

    assert response.status_code == 200
    (message,) = response.context["messages_today"]
    assert message["to"] == member.email
    assert message["subject"] == (
        f"[{meeting.forum.acronym}] 7 days to {meeting}: your 1 open task"
    )
    content = response.content.decode()
    assert "Prepare the border-security annex" in content
    assert "7 days to" in content
    # A preview plans nothing, makes no preference, sends nothing.
    assert not Reminder.objects.exists()
    assert not ReminderPreference.objects.exists()
    assert mail.outbox == []

    empty = officer_client.get(url, {"person": nobody.pk})
    assert empty.context["messages_today"] == []
    assert "Nothing for this person today." in empty.content.decode()


def test_send_the_sweep_now_queues_the_sweep_and_the_ledger_fills(
    officer_client, django_capture_on_commit_callbacks
):
    member, meeting = someone_with_a_digest_due_now()
    url = reverse("admin:workinggroups_reminder_sweep")
    assert officer_client.get(url).status_code == 403  # only a POST starts it
    assert not Reminder.objects.exists()

    # Eager here only to see the admin wire the job; the worker itself is tested elsewhere.
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=True),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = officer_client.post(url, follow=True)

    assert len(callbacks) == 1
    assert response.redirect_chain == [(reverse(CHANGELIST), 302)]
    assert "The reminder sweep is queued" in response.content.decode()
    row = Reminder.objects.get(person=member)
    assert (row.reason, row.subject, row.days_before) == (
        Reason.MEETING_DIGEST,
        f"meeting:{meeting.pk}",
        7,
    )
    assert row.status == R.SENT
    assert [m.subject for m in mail.outbox if m.to == [member.email]] == [
        f"[{meeting.forum.acronym}] 7 days to {meeting}: your 1 open task"
    ]
    # The officer (Secretariat) may get the brief of the same meeting, depending on the
    # hour in UTC; nothing else is planned.
    assert set(Reminder.objects.exclude(person=member).values_list("reason", flat=True)) <= {
        Reason.MEETING_BRIEF
    }


def test_preview_and_sweep_are_refused_to_staff_without_the_ledger(client):
    clerk = UserFactory.create(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:workinggroups_reminder_preview")).status_code == 403
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert client.post(reverse("admin:workinggroups_reminder_sweep")).status_code == 403
    assert not Reminder.objects.exists()
