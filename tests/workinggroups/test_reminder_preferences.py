"""Choosing which reminders to receive, and the one-click unsubscribe (RFC 8058).

The links carry the person's secret; they need no login, so the secret must not be
guessable, a GET (a link scanner) must change nothing, and a mail program's one-click
POST must work without a CSRF token.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import TaskFactory, UserFactory
from tests.workinggroups.test_reminder_rules import (
    APIA,
    at,
    day,
    group_for,
    meeting_at,
    person,
    plan_hourly,
)
from workinggroups.models import Reason, Reminder, ReminderPreference
from workinggroups.reminders import deliver
from workinggroups.services import reminder_preference_for

pytestmark = pytest.mark.django_db

ALL_ON = dict.fromkeys(Reason.values, True)
ALL_OFF = dict.fromkeys(Reason.values, False)


def wanted(preference: ReminderPreference) -> dict[str, bool]:
    preference.refresh_from_db()
    return {reason: getattr(preference, reason) for reason in Reason.values}


def unsubscribe_url(preference) -> str:
    return reverse("reminders:unsubscribe", args=[preference.unsubscribe_token])


def preferences_url(preference) -> str:
    return reverse("reminders:preferences", args=[preference.unsubscribe_token])


def save_preferences(preference, *ticked: str) -> None:
    """What a browser does: open the page (CSRF cookie and token), tick boxes, save."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(preferences_url(preference))
    field = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert field is not None, "the page carries its CSRF token"
    token = field[1].decode()
    data = {"csrfmiddlewaretoken": token, **dict.fromkeys(ticked, "on")}
    response = browser.post(preferences_url(preference), data)
    assert response.status_code == 200
    assert b"Saved." in response.content


def test_the_secret_is_long_url_safe_unique_and_kept():
    people = [UserFactory.create() for _ in range(20)]
    tokens = [reminder_preference_for(p).unsubscribe_token for p in people]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43,}", token) for token in tokens)
    assert len(set(tokens)) == len(tokens)
    # Asking again returns the same preference and secret, not a new one.
    assert [reminder_preference_for(p).unsubscribe_token for p in people] == tokens
    assert ReminderPreference.objects.count() == len(people)


def test_a_get_on_the_unsubscribe_link_changes_nothing(client):
    preference = reminder_preference_for(UserFactory.create())
    versions = preference.history.count()
    response = client.get(unsubscribe_url(preference))
    assert response.status_code == 200
    assert b"<form" in response.content and b'method="post"' in response.content
    assert wanted(preference) == ALL_ON
    assert preference.history.count() == versions


def test_confirming_on_the_page_stops_everything_and_is_recorded():
    person_ = UserFactory.create()
    preference = reminder_preference_for(person_)
    versions = preference.history.count()
    client = Client(enforce_csrf_checks=True)  # no login, no token: the secret is the key
    response = client.post(unsubscribe_url(preference))
    assert response.status_code == 200
    assert wanted(preference) == ALL_OFF
    assert preference.history.count() == versions + 1
    latest = preference.history.latest()
    assert latest.history_user == person_
    assert {reason: getattr(latest, reason) for reason in Reason.values} == ALL_OFF


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token():
    preference = reminder_preference_for(UserFactory.create())
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(preference),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert wanted(preference) == ALL_OFF
    # Posting again (mail programs retry) is harmless.
    assert client.post(unsubscribe_url(preference), {"List-Unsubscribe": "One-Click"}).status_code
    assert wanted(preference) == ALL_OFF


@pytest.mark.parametrize("page", ["preferences", "unsubscribe"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_secret_is_not_found(client, page, method):
    preference = reminder_preference_for(UserFactory.create())
    guess = preference.unsubscribe_token[:-1] + (
        "A" if preference.unsubscribe_token[-1] != "A" else "B"
    )
    response = getattr(client, method)(reverse(f"reminders:{page}", args=[guess]))
    assert response.status_code == 404
    assert wanted(preference) == ALL_ON


def test_the_preferences_page_turns_reasons_on_and_off():
    person_ = UserFactory.create()
    preference = reminder_preference_for(person_)
    page = Client().get(preferences_url(preference))
    assert page.status_code == 200
    for reason in Reason.values:
        assert f'name="{reason}"'.encode() in page.content

    # An unticked box is not posted: everything but the meeting digest goes off.
    save_preferences(preference, "meeting_digest")
    assert wanted(preference) == {**ALL_OFF, "meeting_digest": True}
    save_preferences(preference, "meeting_digest", "task_due")
    assert wanted(preference) == {**ALL_OFF, "meeting_digest": True, "task_due": True}
    save_preferences(preference)  # nothing ticked: nothing wanted
    assert wanted(preference) == ALL_OFF
    assert preference.history.latest().history_user == person_


def test_saving_with_no_box_ticked_and_no_other_field_turns_everything_off():
    """A client that posts no field at all (no CSRF field either) still means "none"."""
    preference = reminder_preference_for(UserFactory.create())
    response = Client().post(preferences_url(preference), {})
    assert response.status_code == 200
    assert wanted(preference) == ALL_OFF


def test_the_preferences_page_refuses_a_post_without_the_csrf_token():
    preference = reminder_preference_for(UserFactory.create())
    response = Client(enforce_csrf_checks=True).post(preferences_url(preference), {})
    assert response.status_code == 403
    assert wanted(preference) == ALL_ON


def muted_world():
    member = person("member", APIA)
    meeting = meeting_at(APIA, day(7, 4))
    TaskFactory.create(working_group=group_for(meeting, member), due_on=day(6, 30))
    return member


def test_a_muted_reason_is_not_sent_and_stays_muted():
    member = muted_world()
    preference = reminder_preference_for(member)
    save_preferences(preference, "meeting_digest")  # task_due off

    # 27 June in Apia: 3 days before the task falls due, 7 before the meeting opens.
    plan_hourly(at(APIA, 2027, 6, 27, 0), at(APIA, 2027, 6, 27, 1))
    due = Reminder.objects.get(person=member, reason=Reason.TASK_DUE)
    digest = Reminder.objects.get(person=member, reason=Reason.MEETING_DIGEST)
    now = at(APIA, 2027, 6, 27, 8)
    assert deliver(due.pk, now) == "cancelled"
    assert deliver(digest.pk, now) == "sent"
    due.refresh_from_db()
    assert due.status == Reminder.Status.CANCELLED
    assert len(mail.outbox) == 1 and "days to" in mail.outbox[0].subject

    # Later changes to other reasons (here, the meeting digest off) leave it muted; the
    # next task-due reminder is not sent either.
    save_preferences(preference)
    assert wanted(preference) == ALL_OFF
    save_preferences(preference, "overdue_digest")
    assert wanted(preference)["task_due"] is False
    assert reminder_preference_for(member).task_due is False


def test_after_one_click_unsubscribe_nothing_more_is_sent():
    member = muted_world()
    Client().post(
        unsubscribe_url(reminder_preference_for(member)), {"List-Unsubscribe": "One-Click"}
    )
    plan_hourly(at(APIA, 2027, 6, 27, 0), at(APIA, 2027, 6, 27, 1))
    results = {
        deliver(row.pk, at(APIA, 2027, 6, 27, 8)) for row in Reminder.objects.filter(person=member)
    }
    assert results == {"cancelled"}
    assert mail.outbox == []
