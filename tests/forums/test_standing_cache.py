"""A person's standing is kept in the cache between requests (forums/standing.py), and
every write it is computed from makes the next request compute it again."""

import datetime

import pytest
import redis
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP, Audience, audience_of
from forums.models import Chair, ForumMembership, Member
from forums.standing import GENERATION_KEY
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    ProfileFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.models import WorkingGroupMembership

REDIS_DB = 11


def next_request(person) -> Audience:
    """The standing a new request of `person` gets: their row is loaded again."""
    return audience_of(get_user_model().objects.get(pk=person.pk))


@pytest.fixture
def person(db):
    person = UserFactory.create()
    ProfileFactory.create(user=person, member=MemberFactory.create(name="Palau"))
    return person


@pytest.fixture
def group(db):
    return WorkingGroupFactory.create()


def standing_queries(client) -> tuple[int, int]:
    """(queries, of which the standing's UNION) of one authenticated API request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tasks/")
    assert response.status_code == 200
    return len(queries), sum(" UNION " in q["sql"] for q in queries.captured_queries)


def test_a_kept_standing_saves_each_later_request_its_query(person):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(person)}")

    first, first_unions = standing_queries(client)
    second, second_unions = standing_queries(client)

    assert (first_unions, second_unions) == (1, 0)
    assert second == first - 1


def test_the_next_request_sees_a_seat_added_by_the_api_s_reader(person, group):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(person)}")
    path = f"/api/v1/working-groups/{group.pk}/"
    group.tlp = 2  # AMBER: only its own members read it
    group.save()
    assert client.get(path).status_code == 404

    WorkingGroupMembershipFactory.create(working_group=group, person=person)

    assert client.get(path).status_code == 200


def _seat_added(person, group):
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    return lambda audience: group.pk in audience.groups


def _seat_ended(person, group):
    seat = WorkingGroupMembershipFactory.create(working_group=group, person=person)
    assert next_request(person).groups == {group.pk}
    seat.left_on = datetime.date(2020, 1, 1)
    seat.save()
    return lambda audience: group.pk not in audience.groups


def _seat_removed(person, group):
    seat = WorkingGroupMembershipFactory.create(working_group=group, person=person)
    assert next_request(person).groups == {group.pk}
    seat.delete()
    return lambda audience: not audience.groups


def _seat_made_lead(person, group):
    seat = WorkingGroupMembershipFactory.create(working_group=group, person=person)
    next_request(person)
    seat.role = WorkingGroupMembership.Role.LEAD
    seat.save()
    return lambda audience: audience.led_groups == {group.pk}


def _group_moved_to_another_forum(person, group):
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    next_request(person)
    group.established_by = MeetingFactory.create()
    group.save()
    return lambda audience: audience.group_forums == {group.established_by.forum_id}


def _chair_added(person, group):
    meeting = MeetingFactory.create()
    Chair.objects.create(meeting=meeting, member=person.profile.member, person=person)
    return lambda audience: audience.chaired_forums == {meeting.forum_id}


def _chaired_meeting_moved(person, group):
    meeting = MeetingFactory.create()
    Chair.objects.create(meeting=meeting, member=person.profile.member, person=person)
    next_request(person)
    meeting.forum = ForumFactory.create()
    meeting.save()
    return lambda audience: audience.chaired_forums == {meeting.forum_id}


def _forum_membership_added(person, group):
    forum = ForumFactory.create()
    ForumMembership.objects.create(
        forum=forum, member=person.profile.member, role=ForumMembership.Role.MEMBER
    )
    return lambda audience: audience.green_forums == {forum.pk}


def _forum_membership_ended(person, group):
    forum = ForumFactory.create()
    membership = ForumMembership.objects.create(
        forum=forum, member=person.profile.member, role=ForumMembership.Role.MEMBER
    )
    assert next_request(person).green_forums == {forum.pk}
    membership.left_on = datetime.date(2020, 1, 1)
    membership.save()
    return lambda audience: not audience.green_forums


def _profile_represents_another_member(person, group):
    forum = ForumFactory.create()
    member = MemberFactory.create(name="Nauru")
    ForumMembership.objects.create(forum=forum, member=member, role=ForumMembership.Role.MEMBER)
    person.profile.member = member
    person.profile.save()
    return lambda audience: audience.green_forums == {forum.pk}


def _agency_joins_a_state(person, group):
    forum = ForumFactory.create()
    state = MemberFactory.create(name="Fiji")
    ForumMembership.objects.create(forum=forum, member=state, role=ForumMembership.Role.MEMBER)
    agency = Member.objects.create(name="Fiji Police", kind=Member.Kind.AGENCY, parent=state)
    person.profile.member = agency
    person.profile.save()
    assert next_request(person).green_forums == {forum.pk}
    agency.parent = MemberFactory.create(name="Samoa")
    agency.save()
    return lambda audience: not audience.green_forums


def _joins_the_secretariat(person, group):
    person.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return lambda audience: audience.is_secretariat


def _secretariat_adds_a_person(person, group):
    Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0].user_set.add(person)
    return lambda audience: audience.is_secretariat


def _leaves_the_secretariat(person, group):
    secretariat = Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0]
    person.groups.add(secretariat)
    assert next_request(person).is_secretariat
    person.groups.remove(secretariat)
    return lambda audience: not audience.is_secretariat


def _made_superuser(person, group):
    get_user_model().objects.filter(pk=person.pk).update(is_superuser=True)
    return lambda audience: audience.is_secretariat


@pytest.mark.parametrize(
    "change",
    [
        _seat_added,
        _seat_ended,
        _seat_removed,
        _seat_made_lead,
        _group_moved_to_another_forum,
        _chair_added,
        _chaired_meeting_moved,
        _forum_membership_added,
        _forum_membership_ended,
        _profile_represents_another_member,
        _agency_joins_a_state,
        _joins_the_secretariat,
        _secretariat_adds_a_person,
        _leaves_the_secretariat,
        _made_superuser,
    ],
)
def test_each_change_of_standing_reaches_the_next_request(person, group, change):
    before = next_request(person)
    assert next_request(person) == before  # kept

    sees_the_change = change(person, group)

    assert sees_the_change(next_request(person))


def test_a_standing_is_computed_again_on_the_next_day(person, group):
    # A seat ends on its `left_on` day without any write.
    with time_machine.travel(datetime.datetime(2030, 5, 1, 12, tzinfo=datetime.UTC)):
        WorkingGroupMembershipFactory.create(
            working_group=group, person=person, left_on=datetime.date(2030, 5, 1)
        )
        assert group.pk in next_request(person).groups
    with time_machine.travel(datetime.datetime(2030, 5, 2, 0, 1, tzinfo=datetime.UTC)):
        assert not next_request(person).groups


def test_a_lost_generation_makes_every_kept_standing_stale(person, group):
    next_request(person)
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    cache.delete(GENERATION_KEY)  # evicted, or a cache restarted with its entries kept

    assert group.pk in next_request(person).groups


@pytest.fixture
def redis_cache():
    """The production cache: Redis, its values JSON (config/settings/base.py)."""
    location = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(location).flushdb()
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "OPTIONS": {"serializer": "django.core.signing.JSONSerializer"},
    }
    with override_settings(CACHES={"default": backend}):
        yield redis.Redis.from_url(location)
    redis.Redis.from_url(location).flushdb()


def test_a_standing_kept_in_redis_is_json_and_goes_stale(person, group, redis_cache):
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    assert next_request(person).groups == {group.pk}
    (key,) = [k for k in redis_cache.keys("*") if k.endswith(f":{person.pk}".encode())]
    assert b'"groups":[%d]' % group.pk in redis_cache.get(key)

    WorkingGroupMembership.objects.get(person=person).delete()

    assert next_request(person).groups == frozenset()
