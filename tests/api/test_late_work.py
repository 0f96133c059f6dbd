"""`/api/v1/tasks/?overdue=` and `?stalled=`: the task list filtered by the one definition
of late work (TaskQuerySet.overdue and .stalled), stalled as its reader may know it.

Dates are set from today: the definitions compare with the clock the API reads.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from forums.models import ForumMembership
from forums.tlp import TLP
from tests.conftest import secretariat_officer
from tests.factories import (
    MeetingFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
)
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = NOW.date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def group(db):
    """Set up a month ago; reports to a meeting a year ahead."""
    founding = MeetingFactory.create(start_date=days(-30), end_date=days(-29))
    ahead = MeetingFactory.create(forum=founding.forum, start_date=days(365), end_date=days(366))
    return WorkingGroupFactory.create(established_by=founding, reports_to=ahead)


@pytest.fixture
def delegate(group):
    person = UserFactory.create(username="delegate")
    ProfileFactory.create(user=person)
    ForumMembership.objects.create(forum=group.established_by.forum, member=person.profile.member)
    return person


def titles(user, **params) -> set[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/tasks/", params)
    assert response.status_code == 200, response.content
    return {task["title"] for task in response.json()["results"]}


def test_overdue_takes_undated_work_once_its_meeting_is_held(group):
    held = MeetingFactory.create(
        forum=group.established_by.forum, start_date=days(-10), end_date=days(-9)
    )
    coming = MeetingFactory.create(
        forum=group.established_by.forum, start_date=days(10), end_date=days(11)
    )
    for title, fields in {
        "past its day": {"due_on": days(-5)},
        "undated, meeting held": {"due_on": None, "reports_to": held},
        "undated, meeting to come": {"due_on": None, "reports_to": coming},
        "due ahead": {"due_on": days(5)},
        "ratified late": {"due_on": days(-5), "status": Task.Status.RATIFIED},
    }.items():
        TaskFactory.create(working_group=group, title=title, **fields)
    officer = secretariat_officer()
    assert titles(officer, overdue="true") == {"past its day", "undated, meeting held"}
    assert titles(officer, overdue="false") == {
        "undated, meeting to come",
        "due ahead",
        "ratified late",
    }


def test_stalled_is_as_the_reader_knows_the_work(group, delegate):
    """An update the delegate may not read does not move the work for them."""
    quiet = TaskFactory.create(
        working_group=group, title="quiet", status=Task.Status.IN_PROGRESS, due_on=days(300)
    )
    TaskFactory.create(
        working_group=group, title="fresh", status=Task.Status.IN_PROGRESS, due_on=days(300)
    )
    Task.objects.filter(pk=quiet.pk).update(created_at=NOW - datetime.timedelta(days=120))
    TaskUpdate.objects.create(
        task=quiet, status_from="in_progress", status_to="in_progress", progress=30, tlp=TLP.RED
    )
    officer = secretariat_officer()
    assert titles(delegate, stalled="true") == {"quiet"}
    assert titles(delegate, stalled="false") == {"fresh"}
    assert titles(officer, stalled="true") == set()
    assert titles(officer, stalled="false") == {"quiet", "fresh"}


def test_work_carried_past_two_meetings_is_stalled(group):
    TaskFactory.create(working_group=group, title="carried", due_on=days(300))
    officer = secretariat_officer()
    assert titles(officer, stalled="true") == set()
    forum = group.established_by.forum
    for start in (-20, -10):
        MeetingFactory.create(forum=forum, start_date=days(start), end_date=days(start + 1))
    assert titles(officer, stalled="true") == {"carried"}


@pytest.mark.parametrize("value", ["yes", "1", "TRUE"])
def test_stalled_takes_true_or_false_only(group, value):
    client = APIClient()
    assert client.get("/api/v1/tasks/", {"stalled": value}).status_code == 400
