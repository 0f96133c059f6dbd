"""factory_boy factories: the smallest valid object of each noun, for tests to vary.

Tests call `XFactory.create(...)`: factory_boy types `create` as returning the model
(the factory's parameter), while `XFactory(...)` reads to mypy as a factory instance.
"""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from forums.models import Forum, Meeting, Member, Profile
from forums.services import api_token_issue
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument
from workinggroups.models import Task, WorkingGroup, WorkingGroupMembership


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"State {n}")
    kind = Member.Kind.STATE
    country = "FJ"
    time_zone = "Pacific/Fiji"


class ProfileFactory(factory.django.DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    member = factory.SubFactory(MemberFactory)


class ForumFactory(factory.django.DjangoModelFactory[Forum]):
    class Meta:
        model = Forum

    name = factory.Sequence(lambda n: f"Heads of Security {n}")
    acronym = factory.Sequence(lambda n: f"HOS{n}")
    established_year = 2019


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    forum = factory.SubFactory(ForumFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    start_date = datetime.date(2027, 8, 23)
    end_date = datetime.date(2027, 8, 24)
    venue = "Koror"
    country = "PW"
    time_zone = "Pacific/Palau"


class OutcomeDocumentFactory(factory.django.DjangoModelFactory[OutcomeDocument]):
    class Meta:
        model = OutcomeDocument

    meeting = factory.SubFactory(MeetingFactory)
    kind = OutcomeDocument.Kind.OUTCOME_STATEMENT
    title = factory.Sequence(lambda n: f"Outcome statement {n}")
    code = factory.LazyAttribute(lambda d: f"{d.meeting.forum.acronym}/{d.meeting.sequence}")
    tlp = TLP.CLEAR


class OutcomeFactory(factory.django.DjangoModelFactory[Outcome]):
    class Meta:
        model = Outcome

    document = factory.SubFactory(OutcomeDocumentFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Members agreed on point {n}.")
    kind = Outcome.Kind.AGREEMENT
    citation_code = factory.LazyAttribute(lambda o: f"{o.document.code}/{o.number}")
    tlp = TLP.CLEAR


class WorkingGroupFactory(factory.django.DjangoModelFactory[WorkingGroup]):
    class Meta:
        model = WorkingGroup

    name = factory.Sequence(lambda n: f"Intersessional working group {n}")
    established_by = factory.SubFactory(
        MeetingFactory, start_date=datetime.date(2026, 8, 1), end_date=datetime.date(2026, 8, 2)
    )
    reports_to = factory.SubFactory(
        MeetingFactory,
        forum=factory.SelfAttribute("..established_by.forum"),
    )
    mandate = "Progress outcomes for ratification at the next meeting."
    tlp = TLP.GREEN


class WorkingGroupMembershipFactory(factory.django.DjangoModelFactory[WorkingGroupMembership]):
    class Meta:
        model = WorkingGroupMembership

    working_group = factory.SubFactory(WorkingGroupFactory)
    person = factory.SubFactory(UserFactory)
    role = WorkingGroupMembership.Role.MEMBER


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    working_group = factory.SubFactory(WorkingGroupFactory)
    title = factory.Sequence(lambda n: f"Draft terms of reference {n}")
    reports_to = factory.SelfAttribute("working_group.reports_to")
    due_on = factory.LazyAttribute(lambda t: t.reports_to.start_date if t.reports_to else None)
    tlp = TLP.GREEN


_token_names = itertools.count(1)


def api_token_for(user: User, name: str = "") -> str:
    """A new token for `user`, issued as a sign-in issues one; its key, to send."""
    _token, key = api_token_issue(actor=user, user=user, name=name or f"test {next(_token_names)}")
    return key
