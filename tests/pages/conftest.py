"""People and work for the page tests: one forum, one working group, readers at each standing.

- `member` sits on the group, `lead` leads it (and its first task);
- `delegate` represents a member state of the forum (reads TLP:GREEN), sits on no group;
- `observer` represents an observer organisation of the forum (reads TLP:GREEN too);
- `chair` chairs the meeting the group reports to (reads the forum's TLP:AMBER outcomes);
- `officer` is the secretariat (reads everything);
- `stranger` is signed in but has no standing in the forum (reads TLP:CLEAR only).

Pages are read with Django's test client signed in through the session (`force_login`);
tests/pages/test_auth.py signs in through the real sign-in form.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from forums.access import SECRETARIAT_GROUP
from forums.models import Chair, ForumMembership, Member
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
from tests.second_factor import SignedInClient
from workinggroups.models import WorkingGroupMembership

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


# `team` below is dated around the day it was written, 28 November 2026: the group's 4th
# meeting behind (August 2026), the 5th it reports to ahead (August 2027). The page tests
# run on a clock set to that day, and running, so that they mean the same once it is past.
WRITTEN = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock_on_the_day_team_was_written():
    with time_machine.travel(WRITTEN, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # django-axes counts failed sign-ins in the cache, across tests.
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> Client:
    """A browser: signed in as `user` (through the session), or anonymous."""
    client = SignedInClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def team(db):
    forum = ForumFactory.create(acronym="HOS")
    established = MeetingFactory.create(
        forum=forum,
        sequence=4,
        start_date=datetime.date(2026, 8, 1),
        end_date=datetime.date(2026, 8, 2),
    )
    next_meeting = MeetingFactory.create(
        forum=forum,
        sequence=5,
        start_date=datetime.date(2027, 8, 23),
        end_date=datetime.date(2027, 8, 24),
    )
    group = WorkingGroupFactory.create(
        name="Treaty working group",
        established_by=established,
        reports_to=next_meeting,
        mandate="Draft a regional treaty framework for ratification at the 5th meeting.",
        tlp=TLP.GREEN,
    )
    member = ProfileFactory.create(user__username="mele", user__first_name="Mele").user
    lead = ProfileFactory.create(user__username="tavita", user__first_name="Tavita").user
    WorkingGroupMembershipFactory.create(working_group=group, person=member)
    WorkingGroupMembershipFactory.create(
        working_group=group, person=lead, role=WorkingGroupMembership.Role.LEAD
    )

    delegate = ProfileFactory.create(user__username="delegate").user
    ForumMembership.objects.create(
        forum=forum, member=delegate.profile.member, role=ForumMembership.Role.MEMBER
    )
    observer_member = MemberFactory.create(
        name="Ocean Customs", kind=Member.Kind.REGIONAL_ORGANISATION, country=""
    )
    observer = ProfileFactory.create(user__username="observer", member=observer_member).user
    ForumMembership.objects.create(
        forum=forum, member=observer_member, role=ForumMembership.Role.OBSERVER
    )
    chair = ProfileFactory.create(user__username="chair").user
    Chair.objects.create(meeting=next_meeting, member=chair.profile.member, person=chair)
    officer = UserFactory.create(username="officer")
    officer.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    stranger = UserFactory.create(username="stranger")

    document = OutcomeDocumentFactory.create(
        meeting=established, title="2026 Suva Outcome", code="HOS/4", tlp=TLP.CLEAR
    )
    public_outcome = OutcomeFactory.create(
        document=document, number="15", text="Members agreed to consider a treaty."
    )
    amber_outcome = OutcomeFactory.create(
        document=document, number="16", text="Members noted the threat assessment.", tlp=TLP.AMBER
    )
    red_outcome = OutcomeFactory.create(
        document=document, number="17", text="Members named the liaison officers.", tlp=TLP.RED
    )
    treaty = TaskFactory.create(working_group=group, title="Consider a treaty framework", lead=lead)
    treaty.outcomes.set([public_outcome, amber_outcome, red_outcome])
    amber_task = TaskFactory.create(
        working_group=group, title="Map the informant handlers", tlp=TLP.AMBER
    )
    red_task = TaskFactory.create(
        working_group=group, title="Name the undercover officers", tlp=TLP.RED
    )
    red_task.recipients.add(lead)

    other_group = WorkingGroupFactory.create(
        name="Customs working group", established_by=established, reports_to=next_meeting
    )
    other_task = TaskFactory.create(working_group=other_group, title="Harmonise customs forms")

    return {
        "forum": forum,
        "established": established,
        "next_meeting": next_meeting,
        "group": group,
        "other_group": other_group,
        "member": member,
        "lead": lead,
        "delegate": delegate,
        "observer": observer,
        "chair": chair,
        "officer": officer,
        "stranger": stranger,
        "document": document,
        "public_outcome": public_outcome,
        "amber_outcome": amber_outcome,
        "red_outcome": red_outcome,
        "treaty": treaty,
        "amber_task": amber_task,
        "red_task": red_task,
        "other_task": other_task,
    }
