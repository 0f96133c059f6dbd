"""A working group's admin page after a meeting (issue 23): members ticked from the forum's
member states' people, tasks typed into one grid, all in one submit, through the services."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.models import ForumMembership, Member
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.test_admin import inline_formset, post_data
from workinggroups.models import Task, WorkingGroup, WorkingGroupMembership

pytestmark = pytest.mark.django_db

ADD = reverse("admin:workinggroups_workinggroup_add")


def change_url(group) -> str:
    return reverse("admin:workinggroups_workinggroup_change", args=[group.pk])


@pytest.fixture
def officer(client):
    user = UserFactory.create(username="sione.officer", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


@pytest.fixture
def forum_people():
    """A forum with Tonga as a member state, its police as an agency, an observer state,
    and a state of another forum; one person each."""
    forum = ForumFactory.create()
    tonga = MemberFactory.create(name="Tonga", country="TO")
    police = MemberFactory.create(
        name="Tonga Police", short_name="Tonga Police", kind=Member.Kind.AGENCY, parent=tonga
    )
    observer = MemberFactory.create(name="Japan", country="JP")
    elsewhere = MemberFactory.create(name="Elsewhere")
    forum.memberships.create(member=tonga, role=ForumMembership.Role.MEMBER)
    forum.memberships.create(member=observer, role=ForumMembership.Role.OBSERVER)
    ForumFactory.create().memberships.create(member=elsewhere, role=ForumMembership.Role.MEMBER)

    def person(username, first, last, member):
        return ProfileFactory.create(
            user=UserFactory.create(username=username, first_name=first, last_name=last),
            member=member,
        ).user

    return {
        "forum": forum,
        "minister": person("s.fifita", "Sione", "Fifita", tonga),
        "commissioner": person("a.tupou", "Ana", "Tupou", police),
        "observer": person("k.sato", "Kenji", "Sato", observer),
        "stranger": person("x.other", "Xavier", "Other", elsewhere),
        "tonga": tonga,
        "police": police,
    }


def meetings_of(forum):
    held = MeetingFactory.create(
        forum=forum,
        sequence=8,
        start_date=datetime.date(2026, 11, 2),
        end_date=datetime.date(2026, 11, 3),
    )
    following = MeetingFactory.create(
        forum=forum,
        sequence=9,
        start_date=datetime.date(2027, 10, 4),
        end_date=datetime.date(2027, 10, 5),
    )
    return held, following


def new_group_post(client, held, following, **params) -> tuple[dict, str]:
    """The add page as linked from the meeting, filled as an officer would leave it."""
    response = client.get(ADD, {"established_by": held.pk})
    assert response.status_code == 200
    data = post_data(response) | {"name": "Maritime security group", "mandate": "Report back."}
    prefix = inline_formset(response, Task).prefix
    return data, prefix


def test_a_new_group_with_members_ticked_and_tasks_typed_is_saved_in_one_submit(
    client, officer, forum_people
):
    held, following = meetings_of(forum_people["forum"])
    minister, commissioner = forum_people["minister"], forum_people["commissioner"]
    data, tasks = new_group_post(client, held, following)
    assert data["reports_to"] == str(following.pk)  # the next meeting, proposed
    assert data[f"{tasks}-0-due_on"] == "2027-10-04"  # ready as it opens
    data |= {
        "add_members": [str(minister.pk), str(commissioner.pk)],
        f"{tasks}-0-title": "Draft terms of reference",
        f"{tasks}-0-lead": str(commissioner.pk),
        f"{tasks}-1-title": "Map regional training",
        f"{tasks}-1-due_on": "2027-06-30",
        f"{tasks}-1-lead": str(minister.pk),
    }

    response = client.post(ADD, data)

    assert response.status_code == 302, response.context["errors"]
    group = WorkingGroup.objects.get(name="Maritime security group")
    seats = {m.person: m for m in group.memberships.all()}
    assert set(seats) == {minister, commissioner}
    assert seats[minister].represents == forum_people["tonga"]
    assert seats[commissioner].represents == forum_people["police"]
    tasks_saved = {t.title: t for t in group.tasks.all()}
    assert set(tasks_saved) == {"Draft terms of reference", "Map regional training"}
    tor = tasks_saved["Draft terms of reference"]
    assert (tor.lead, tor.due_on, tor.reports_to) == (commissioner, following.start_date, following)
    assert tasks_saved["Map regional training"].due_on == datetime.date(2027, 6, 30)
    # Who did it and when, on every row written.
    for history in (
        group.history.get(),
        *WorkingGroupMembership.history.filter(working_group_id=group.pk),
        *Task.history.filter(working_group_id=group.pk),
    ):
        assert history.history_user == officer
        assert history.history_date is not None
    assert WorkingGroupMembership.history.filter(working_group_id=group.pk).count() == 2
    assert Task.history.filter(working_group_id=group.pk).count() == 2


def test_a_row_led_by_someone_not_in_the_group_is_refused_there_and_nothing_is_saved(
    client, officer, forum_people
):
    held, following = meetings_of(forum_people["forum"])
    minister, commissioner = forum_people["minister"], forum_people["commissioner"]
    data, tasks = new_group_post(client, held, following)
    data |= {
        "add_members": [str(minister.pk)],
        f"{tasks}-0-title": "Draft terms of reference",
        f"{tasks}-0-lead": str(minister.pk),
        f"{tasks}-1-title": "Map regional training",
        f"{tasks}-1-lead": str(commissioner.pk),  # offered, but not ticked
    }

    response = client.post(ADD, data)

    assert response.status_code == 200
    rows = inline_formset(response, Task).forms
    assert rows[1].errors == {"lead": ["The lead must be a current member of the working group."]}
    assert not rows[0].errors
    assert not WorkingGroup.objects.exists()
    assert not WorkingGroupMembership.objects.exists()
    assert not Task.objects.exists()
    # What was typed is still there, to correct.
    assert f'value="{commissioner.pk}" selected' in response.content.decode()


def test_members_offered_are_the_forums_member_states_people_not_yet_in_the_group(
    client, officer, forum_people
):
    held, _following = meetings_of(forum_people["forum"])
    group = WorkingGroupFactory.create(established_by=held, reports_to=None)
    WorkingGroupMembershipFactory.create(working_group=group, person=forum_people["minister"])
    newcomer = UserFactory.create(username="newcomer", first_name="Mele", last_name="Taufa")
    ProfileFactory.create(user=newcomer, member=forum_people["tonga"])

    response = client.get(change_url(group))

    field = response.context["adminform"].form.fields["add_members"]
    offered = {label for _value, label in field.choices}
    assert offered == {"Ana Tupou (Tonga Police, Tonga)", "Mele Taufa (Tonga)"}


def test_ticking_members_of_an_existing_group_seats_them_and_lets_them_lead(
    client, officer, forum_people
):
    held, following = meetings_of(forum_people["forum"])
    group = WorkingGroupFactory.create(established_by=held, reports_to=following)
    TaskFactory.create(working_group=group, title="Already there")
    commissioner = forum_people["commissioner"]
    response = client.get(change_url(group))
    tasks = inline_formset(response, Task)
    row = tasks.extra_forms[0].prefix
    assert len(tasks.extra_forms) == 1
    data = post_data(response) | {
        "add_members": [str(commissioner.pk)],
        f"{row}-title": "Brief the chair",
        f"{row}-lead": str(commissioner.pk),
    }

    assert client.post(change_url(group), data).status_code == 302

    assert group.memberships.get().person == commissioner
    task = group.tasks.get(title="Brief the chair")
    assert (task.lead, task.due_on) == (commissioner, following.start_date)
    assert not group.history.filter(history_type="~").exists()  # the group itself unchanged


def test_a_link_under_an_outcome_fills_the_new_groups_form(client, officer, forum_people):
    held, following = meetings_of(forum_people["forum"])
    outcome = OutcomeFactory.create(
        document__meeting=held, text="Members agreed to establish a working group."
    )

    response = client.get(ADD, {"establishing_outcome": outcome.pk})

    form = response.context["adminform"].form
    assert form.initial["established_by"] == str(held.pk)
    assert form.initial["reports_to"] == str(following.pk)
    assert form.initial["mandate"] == outcome.text
    assert form.initial["name"] == f"Working group under {outcome.citation_code}"


@pytest.mark.parametrize("value", ["abc", "9999", "1.5"])
def test_a_link_with_a_wrong_id_opens_an_empty_form(client, officer, value):
    response = client.get(ADD, {"establishing_outcome": value, "established_by": value})
    assert response.status_code == 200


def test_the_task_grid_reads_no_more_for_more_tasks(client, officer, forum_people):
    held, following = meetings_of(forum_people["forum"])
    group = WorkingGroupFactory.create(established_by=held, reports_to=following)
    lead = WorkingGroupMembershipFactory.create(working_group=group).person

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(change_url(group)).status_code == 200
        return len(context)

    TaskFactory.create(working_group=group, lead=lead)
    few = queries()
    for n in range(4):
        TaskFactory.create(working_group=group, lead=lead, title=f"Task {n}")
    assert queries() == few


def test_people_of_a_state_that_left_the_forum_or_inactive_are_not_offered(
    client, officer, forum_people
):
    held, _following = meetings_of(forum_people["forum"])
    group = WorkingGroupFactory.create(established_by=held, reports_to=None)
    gone = MemberFactory.create(name="Nauru", country="NR")
    forum_people["forum"].memberships.create(
        member=gone,
        role=ForumMembership.Role.MEMBER,
        joined_on=datetime.date(2019, 1, 1),
        left_on=datetime.date(2020, 1, 1),
    )
    ProfileFactory.create(user=UserFactory.create(first_name="Left"), member=gone)
    forum_people["commissioner"].is_active = False
    forum_people["commissioner"].save()

    response = client.get(change_url(group))

    field = response.context["adminform"].form.fields["add_members"]
    assert {label for _value, label in field.choices} == {"Sione Fifita (Tonga)"}


def test_an_existing_task_edited_in_the_grid_is_saved_through_the_service(
    client, officer, forum_people
):
    held, following = meetings_of(forum_people["forum"])
    group = WorkingGroupFactory.create(established_by=held, reports_to=following)
    task = TaskFactory.create(working_group=group, title="Draft terms of reference")
    response = client.get(change_url(group))
    row = inline_formset(response, Task).forms[0].prefix
    data = post_data(response) | {f"{row}-due_on": "2027-09-01"}

    assert client.post(change_url(group), data).status_code == 302

    task.refresh_from_db()
    assert task.due_on == datetime.date(2027, 9, 1)
    assert task.history.latest().history_user == officer
    assert group.tasks.count() == 1  # the empty row made nothing
