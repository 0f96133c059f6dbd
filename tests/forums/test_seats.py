"""What "a current seat" means, for a forum membership and a working-group seat alike: the
seat runs until its `left_on` day, that day included (forums.models.seat_current_on)."""

import datetime

import pytest
from django.utils import timezone

from forums.access import audience_of
from forums.models import ForumMembership
from tests.factories import (
    ForumFactory,
    ProfileFactory,
    TaskFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import WorkingGroupMembership
from workinggroups.services import task_edit

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.now().date()


@pytest.mark.parametrize(
    ("left_in_days", "current"), [(None, True), (3, True), (0, True), (-1, False)]
)
def test_a_working_group_seat_counts_until_its_last_day(left_in_days, current):
    group = WorkingGroupFactory.create()
    person = ProfileFactory.create().user
    left_on = None if left_in_days is None else today() + datetime.timedelta(days=left_in_days)
    WorkingGroupMembershipFactory.create(working_group=group, person=person, left_on=left_on)

    assert (group.pk in audience_of(person).groups) is current
    assert WorkingGroupMembership.objects.current().filter(person=person).exists() is current


@pytest.mark.parametrize(("left_in_days", "current"), [(None, True), (3, True), (-1, False)])
def test_a_forum_membership_counts_until_its_last_day(left_in_days, current):
    forum = ForumFactory.create()
    person = ProfileFactory.create().user
    left_on = None if left_in_days is None else today() + datetime.timedelta(days=left_in_days)
    ForumMembership.objects.create(
        forum=forum, member=person.profile.member, role="member", left_on=left_on
    )

    assert (forum.pk in audience_of(person).green_forums) is current


def test_a_member_leaving_next_week_may_still_lead_a_task(actor):
    group = WorkingGroupFactory.create()
    leaving = ProfileFactory.create().user
    WorkingGroupMembershipFactory.create(
        working_group=group, person=leaving, left_on=today() + datetime.timedelta(days=7)
    )
    task = TaskFactory.create(working_group=group)

    task_edit(actor=actor, task=task, expected_version=task.version, lead=leaving)

    task.refresh_from_db()
    assert task.lead == leaving
