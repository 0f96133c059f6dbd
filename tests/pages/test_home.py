"""The signed-in home: each person's forums, their role in each, the latest held and next
meeting, what needs them, and the way to the state of implementation and the report."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forums.models import Chair, ForumMembership, Meeting
from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    TaskFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.pages.conftest import client_for
from workinggroups.models import Task, WorkingGroupMembership

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def card(response, acronym: str = "HOS"):
    return next(c for c in response.context["cards"] if c.forum.acronym == acronym)


def roles(response, acronym: str = "HOS") -> list[str]:
    return [role.text for role in card(response, acronym).roles]


def needs(response, acronym: str = "HOS") -> list[tuple[str, str]]:
    return [(need.text, need.url) for need in card(response, acronym).needs]


def test_each_person_sees_their_forum_with_their_role_in_it(team):
    delegate_member = team["delegate"].profile.member.name
    expected = {
        "chair": ["Chair, 5th HOS"],
        "lead": ["Lead, Treaty working group"],
        "member": ["Member, Treaty working group"],
        "delegate": [f"Delegate of {delegate_member}"],
        "observer": ["Observer for Ocean Customs"],
        "officer": ["Secretariat"],
    }
    for person, shown in expected.items():
        response = client_for(team[person]).get("/")
        assert response.status_code == 200, person
        assert roles(response) == shown, person


def test_an_agency_sits_for_its_states_forum(team):
    delegate = team["delegate"]
    state = delegate.profile.member
    agency = MemberFactory.create(name="Customs Service", kind="agency", parent=state)
    delegate.profile.member = agency
    delegate.profile.save()
    assert roles(client_for(delegate).get("/")) == [f"Delegate of {state.name}"]


def test_a_person_with_no_standing_is_pointed_to_the_public_pages(team):
    response = client_for(team["stranger"]).get("/")
    assert response.context["cards"] == []
    html = response.content.decode()
    assert "You have no standing in a forum yet" in html
    assert 'href="/forums/HOS/"' in html


def test_the_card_gives_the_latest_held_and_next_meeting_and_the_ways_in(team):
    response = client_for(team["delegate"]).get("/")
    shown = card(response)
    assert (shown.latest, shown.upcoming) == (team["established"], team["next_meeting"])
    html = response.content.decode()
    for link in (
        "/forums/HOS/implementation/",
        "/forums/HOS/#meetings",
        "/forums/HOS/",
        f"/meetings/{team['established'].pk}/",
        f"/meetings/{team['next_meeting'].pk}/",
    ):
        assert f'href="{link}"' in html, link


def test_a_chair_is_sent_to_the_report_of_the_meeting_they_chair(team):
    meeting = team["next_meeting"]
    response = client_for(team["chair"]).get("/")
    assert needs(response) == [
        ("The chair's report of the 5th HOS", f"/meetings/{meeting.pk}/#report")
    ]


def test_the_secretariat_is_sent_to_the_report_of_each_forums_latest_meeting(team):
    response = client_for(team["officer"]).get("/")
    held = team["established"]
    assert ("The chair's report of the 4th HOS", f"/meetings/{held.pk}/#report") in needs(response)


def test_stalled_work_i_lead_needs_me_and_not_my_colleague(team):
    Task.objects.filter(pk=team["treaty"].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=91)
    )
    assert needs(client_for(team["lead"]).get("/")) == [("1 stalled task you lead", "/work/")]
    assert needs(client_for(team["member"]).get("/")) == []


def test_work_ready_for_ratification_is_counted_within_the_readers_clearance(team):
    Task.objects.filter(pk__in=[team["treaty"].pk, team["red_task"].pk]).update(
        status=Task.Status.READY
    )
    meeting = team["next_meeting"]
    assert needs(client_for(team["delegate"]).get("/")) == [
        ("1 task ready for ratification at the 5th HOS", f"/meetings/{meeting.pk}/")
    ]
    # The TLP:RED task names the lead: it counts for them.
    assert ("2 tasks ready for ratification at the 5th HOS", f"/meetings/{meeting.pk}/") in (
        needs(client_for(team["lead"]).get("/"))
    )


def test_my_works_count_is_on_the_home(team):
    response = client_for(team["member"]).get("/")
    assert response.context["open_work"] == 2  # the treaty and the TLP:AMBER task
    assert "2 open tasks" in response.content.decode()


def test_the_menu_offers_home_and_my_forums(team):
    html = client_for(team["member"]).get("/work/").content.decode()
    menu = html[html.index("<nav") : html.index("</nav>")]
    assert 'href="/"' in menu and ">Home<" in menu
    assert 'href="/forums/HOS/"' in menu
    for _i in range(3):
        ForumFactory.create()
    officer_menu = client_for(team["officer"]).get("/work/").content.decode()
    assert 'href="/forums/' not in officer_menu[: officer_menu.index("</nav>")]


# --- queries -----------------------------------------------------------------------------------


def plant_forum(team) -> None:
    """A forum where the chair chairs, the lead leads a group with stalled and ready work,
    the delegate's state sits, with held and coming meetings."""
    forum = ForumFactory.create(acronym=f"F{next(_numbers)}")
    held = MeetingFactory.create(
        forum=forum, sequence=1, start_date=datetime.date(2026, 1, 1), end_date=None
    )
    coming = MeetingFactory.create(forum=forum, sequence=2)
    Chair.objects.create(meeting=coming, member=team["chair"].profile.member, person=team["chair"])
    ForumMembership.objects.create(
        forum=forum, member=team["delegate"].profile.member, role=ForumMembership.Role.MEMBER
    )
    group = WorkingGroupFactory.create(established_by=held, reports_to=coming, tlp=TLP.GREEN)
    WorkingGroupMembershipFactory.create(
        working_group=group, person=team["lead"], role=WorkingGroupMembership.Role.LEAD
    )
    for status in (Task.Status.READY, Task.Status.IN_PROGRESS, Task.Status.NOT_STARTED):
        TaskFactory.create(working_group=group, status=status, lead=team["lead"])
    Task.objects.filter(working_group=group).update(
        created_at=timezone.now() - datetime.timedelta(days=200)
    )


@pytest.mark.parametrize("person", ["chair", "lead", "delegate", "officer"])
def test_the_homes_queries_do_not_grow_with_forums_or_tasks(team, person):
    def queries() -> int:
        client = client_for(team[person])
        client.get("/")  # the standing is kept in the cache: count the steady request
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/")
        assert response.status_code == 200
        return len(captured)

    plant_forum(team)
    few = queries()
    for _i in range(4):
        plant_forum(team)
    response = client_for(team[person]).get("/")
    assert len(response.context["cards"]) == 6
    assert Meeting.objects.count() > 10
    assert queries() == few
