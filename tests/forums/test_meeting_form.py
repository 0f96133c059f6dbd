"""The meeting form asks for less: the forum gives the next sequence, the host country the
venue's time zone, and the forum's own members come first in the member lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.models import Attendance, Chair, ForumMembership, Meeting
from forums.services import meeting_create
from forums.zones import zones_of
from tests.conftest import secretariat_officer
from tests.factories import ForumFactory, MeetingFactory, MemberFactory
from tests.test_admin import inline_formset, post_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:forums_meeting_add")


@pytest.fixture
def officer_client(client):
    officer = secretariat_officer("sione.officer")
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    return client


@pytest.fixture
def jhops():
    """JHOPS with its 4th to 7th meetings recorded, and a second forum beside it."""
    forum = ForumFactory.create(acronym="JHOPS")
    for sequence in (4, 5, 6, 7):
        MeetingFactory.create(forum=forum, sequence=sequence)
    ForumFactory.create(acronym="PICP")
    return forum


def add_meeting(client, **fields):
    """Post the add form as the officer fills it, returning the response."""
    data = post_data(client.get(ADD)) | {"start_date": "2026-09-01", "end_date": "2026-09-03"}
    return client.post(ADD, data | fields)


def form_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


# --- the next sequence -----------------------------------------------------------------


def test_the_next_sequence_is_one_after_the_highest_and_one_for_a_new_forum(jhops):
    assert Meeting.objects.next_sequence(jhops.pk) == 8
    assert Meeting.objects.next_sequence(ForumFactory.create().pk) == 1


def test_the_add_form_proposes_the_forums_next_sequence(officer_client, jhops):
    response = officer_client.get(ADD, {"forum": jhops.pk})

    form = response.context["adminform"].form
    assert (str(form["forum"].value()), form["sequence"].value()) == (str(jhops.pk), 8)
    assert "Leave empty for the forum" in response.content.decode()


def test_a_sequence_in_the_address_is_kept(officer_client, jhops):
    response = officer_client.get(ADD, {"forum": jhops.pk, "sequence": "9"})

    assert response.context["adminform"].form["sequence"].value() == "9"


def test_the_only_forum_is_chosen_with_its_next_sequence(officer_client):
    forum = ForumFactory.create()
    MeetingFactory.create(forum=forum, sequence=2)

    form = officer_client.get(ADD).context["adminform"].form

    assert (form["forum"].value(), form["sequence"].value()) == (forum.pk, 3)


def test_a_forum_in_the_address_that_is_not_a_number_is_ignored(officer_client, jhops):
    response = officer_client.get(ADD, {"forum": "JHOPS"})

    assert response.status_code == 200
    assert response.context["adminform"].form["sequence"].value() is None


def test_a_sequence_left_empty_becomes_the_forums_next(officer_client, jhops):
    response = add_meeting(officer_client, forum=str(jhops.pk), sequence="")

    assert response.status_code == 302
    assert Meeting.objects.filter(forum=jhops).order_by("sequence").last().sequence == 8


def test_a_taken_sequence_is_refused_next_to_it_naming_the_next(officer_client, jhops):
    response = add_meeting(officer_client, forum=str(jhops.pk), sequence="7")

    assert response.status_code == 200
    assert form_errors(response, "sequence") == [
        "The 7th JHOPS is already recorded: the forum's next is 8."
    ]
    assert Meeting.objects.filter(forum=jhops).count() == 4


# --- the venue's time zone follows its country ------------------------------------------


def test_the_zones_of_a_country_come_from_the_tz_database():
    assert zones_of("TO") == ("Pacific/Tongatapu",)
    assert set(zones_of("KI")) == {"Pacific/Tarawa", "Pacific/Kanton", "Pacific/Kiritimati"}
    assert "Pacific/Bougainville" in zones_of("PG")
    assert zones_of("") == ()


def test_every_door_fills_a_one_zone_countrys_zone_and_guesses_none_of_several(jhops):
    officer = secretariat_officer()
    tonga = meeting_create(actor=officer, forum=jhops, sequence=8, country="TO")
    australia = meeting_create(actor=officer, forum=jhops, sequence=9, country="AU", time_zone="")

    assert str(tonga.time_zone) == "Pacific/Tongatapu"
    assert not australia.time_zone


def test_a_country_with_one_zone_fills_the_venue_time_zone(officer_client, jhops):
    response = add_meeting(
        officer_client, forum=str(jhops.pk), venue="Nuku'alofa", country="TO", time_zone=""
    )

    assert response.status_code == 302
    assert str(Meeting.objects.get(forum=jhops, sequence=8).time_zone) == "Pacific/Tongatapu"


def test_a_country_with_several_zones_needs_one_of_them(officer_client, jhops):
    response = add_meeting(
        officer_client, forum=str(jhops.pk), venue="Tarawa", country="KI", time_zone=""
    )

    assert response.status_code == 200
    assert form_errors(response, "time_zone") == [
        "Kiribati has several time zones: choose one of "
        "Pacific/Tarawa, Pacific/Kanton, Pacific/Kiritimati."
    ]
    assert not Meeting.objects.filter(sequence=8).exists()


def test_another_countrys_zone_is_refused_naming_the_countrys(officer_client, jhops):
    response = add_meeting(
        officer_client, forum=str(jhops.pk), country="KI", time_zone="Pacific/Fiji"
    )

    assert response.status_code == 200
    assert form_errors(response, "time_zone") == [
        "Pacific/Fiji is not a time zone of Kiribati: choose one of "
        "Pacific/Tarawa, Pacific/Kanton, Pacific/Kiritimati."
    ]
    assert not Meeting.objects.filter(sequence=8).exists()


def test_one_of_the_countrys_zones_is_recorded(officer_client, jhops):
    response = add_meeting(
        officer_client, forum=str(jhops.pk), country="KI", time_zone="Pacific/Kiritimati"
    )

    assert response.status_code == 302
    assert str(Meeting.objects.get(sequence=8).time_zone) == "Pacific/Kiritimati"


def test_a_meeting_recorded_without_its_zone_can_be_edited_without_guessing_one(
    officer_client, jhops
):
    sixth = Meeting.objects.get(forum=jhops, sequence=6)
    Meeting.objects.filter(pk=sixth.pk).update(country="AU", time_zone=None)
    url = reverse("admin:forums_meeting_change", args=[sixth.pk])
    data = post_data(officer_client.get(url)) | {"dates_note": "August 2024"}

    assert officer_client.post(url, data).status_code == 302
    sixth.refresh_from_db()
    assert (sixth.dates_note, sixth.time_zone) == ("August 2024", None)


def test_the_zone_list_carries_each_countrys_zones_for_the_page_script(officer_client, jhops):
    content = officer_client.get(ADD).content.decode()

    assert '"KI":["Pacific/Tarawa","Pacific/Kanton","Pacific/Kiritimati"]' in content.replace(
        "&quot;", '"'
    )
    assert "forums/meeting_form" in content


# --- the forum's members first -----------------------------------------------------------


@pytest.fixture
def tonga_at_the_table(jhops):
    tonga = MemberFactory.create(name="Tonga", country="TO")
    palau = MemberFactory.create(name="Palau", country="PW")
    MemberFactory.create(name="Antarctic Treaty Secretariat", country="")
    ForumMembership.objects.create(forum=jhops, member=tonga, role="member")
    ForumMembership.objects.create(forum=jhops, member=palau, role="observer")
    # Fiji left the table: no longer offered first.
    fiji = MemberFactory.create(name="Fiji")
    ForumMembership.objects.create(
        forum=jhops, member=fiji, role="member", left_on=datetime.date(2020, 1, 1)
    )
    return tonga


def member_groups(formset) -> list[tuple[str, list[str]]]:
    field = formset.empty_form.fields["member"]
    return [(str(label), [name for _pk, name in group]) for label, group in field.choices[1:]]


@pytest.mark.parametrize("model", [Chair, Attendance])
def test_the_forums_members_are_offered_first(officer_client, jhops, tonga_at_the_table, model):
    meeting = Meeting.objects.get(forum=jhops, sequence=7)
    response = officer_client.get(reverse("admin:forums_meeting_change", args=[meeting.pk]))

    groups = member_groups(inline_formset(response, model))
    assert [label for label, _names in groups] == [
        "Members of JHOPS",
        "Observers at JHOPS",
        "Others",
    ]
    assert groups[0][1] == ["Tonga"]
    assert groups[1][1] == ["Palau"]
    assert "Fiji" in groups[2][1]
    assert '<optgroup label="Members of JHOPS">' in response.content.decode()


def test_the_add_form_offers_the_members_of_the_forum_in_the_address(
    officer_client, jhops, tonga_at_the_table
):
    response = officer_client.get(ADD, {"forum": jhops.pk})

    assert member_groups(inline_formset(response, Chair))[0] == ("Members of JHOPS", ["Tonga"])


def test_member_lists_cost_the_same_queries_whatever_the_rows(
    officer_client, jhops, tonga_at_the_table
):
    meeting = Meeting.objects.get(forum=jhops, sequence=7)
    url = reverse("admin:forums_meeting_change", args=[meeting.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(url).status_code == 200
        return len(captured)

    Chair.objects.create(meeting=meeting, member=tonga_at_the_table)
    once = queries()
    for member in MemberFactory.create_batch(3):
        Chair.objects.create(meeting=meeting, member=member, role=Chair.Role.CO_CHAIR)
        Attendance.objects.create(meeting=meeting, member=member, role="member")
    with CaptureQueriesContext(connection) as captured:
        officer_client.get(url)
    for q in captured.captured_queries:
        print(q["sql"][:300])
    assert queries() == once
