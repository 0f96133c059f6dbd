"""Admin pickers find what an officer types and name what they find: meetings by "8th",
"5th JHOPS", venue, year and forum; people as "Name (Agency, State)" by name, login, agency
or member state. And the meetings list filters by the countries meetings are held in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fixtures.jhops import FORUM_ACRONYM, load_jhops
from forums.models import Chair, Forum, Meeting, Member
from tests.factories import (
    MeetingFactory,
    MemberFactory,
    OutcomeFactory,
    ProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def jhops_with_an_8th(db):
    assert load_jhops(demo_users=True)
    MeetingFactory.create(
        forum=Forum.objects.get(acronym=FORUM_ACRONYM),
        sequence=8,
        venue="Nuku'alofa",
        country="TO",
        time_zone="Pacific/Tongatapu",
    )


def autocomplete(
    client, term: str, *, model_name: str, field_name: str, app_label: str = "forums"
) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def meetings_found(client, term: str) -> list[str]:
    return autocomplete(client, term, model_name="chair", field_name="meeting")


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("8th", ["8th JHOPS"]),
        ("8", ["8th JHOPS"]),
        ("8th JHOPS", ["8th JHOPS"]),
        ("5th JHOPS", ["5th JHOPS"]),
        ("5th jhops", ["5th JHOPS"]),
        ("JHOPS 5", ["5th JHOPS"]),
        ("JHOPS/5", ["5th JHOPS"]),
        ("Koror", ["5th JHOPS"]),
        ("koror 2023", ["5th JHOPS"]),
        ("2023", ["5th JHOPS"]),
        ("2024", ["6th JHOPS"]),  # dates not known: its expected month
        ("Papua", ["7th JHOPS"]),  # the country, by name
        ("Tonga", ["8th JHOPS"]),
        ("Pacific Security", ["4th JHOPS", "5th JHOPS", "6th JHOPS", "7th JHOPS", "8th JHOPS"]),
        ("9th", []),
    ],
)
def test_the_meeting_picker_finds_what_an_officer_types(
    admin_client, jhops_with_an_8th, term, found
):
    assert meetings_found(admin_client, term) == found


def test_the_meeting_picker_reads_a_constant_number_of_queries(admin_client, jhops_with_an_8th):
    forum = Forum.objects.get(acronym=FORUM_ACRONYM)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            meetings_found(admin_client, "JHOPS")
        return len(captured)

    few = queries()
    for sequence in (9, 10, 11):
        MeetingFactory.create(forum=forum, sequence=sequence)
    assert queries() == few


@pytest.fixture
def sione():
    """A person of an agency of a state, and one of a state itself."""
    tonga = MemberFactory.create(name="Kingdom of Tonga", short_name="Tonga", country="TO")
    police = Member.objects.create(
        name="Tonga Police", kind=Member.Kind.AGENCY, country="TO", parent=tonga
    )
    person = UserFactory.create(username="sfifita", first_name="Sione", last_name="Fifita")
    ProfileFactory.create(user=person, member=police)
    other = UserFactory.create(username="amele", first_name="Amelia", last_name="Reklai")
    ProfileFactory.create(user=other, member=MemberFactory.create(name="Palau", country="PW"))
    return person


def people_found(client, term: str) -> list[str]:
    return autocomplete(client, term, model_name="chair", field_name="person")


@pytest.mark.parametrize("term", ["Sione", "fifita", "sfifita", "Tonga Police", "Tonga"])
def test_the_people_picker_finds_a_person_by_name_login_agency_or_state(admin_client, sione, term):
    assert people_found(admin_client, term) == ["Sione Fifita (Tonga Police, Tonga)"]


# Every picker of people, whatever page it is on, names them the same way.
PERSON_PICKERS = [
    ("forums", "profile", "user"),
    ("outcomes", "outcome", "recipients"),
    ("workinggroups", "task", "lead"),
    ("workinggroups", "task", "recipients"),
    ("workinggroups", "workinggroupmembership", "person"),
    ("workinggroups", "reminderpreference", "person"),
]


@pytest.mark.parametrize(("app_label", "model_name", "field_name"), PERSON_PICKERS)
def test_every_people_picker_names_people_by_name_agency_and_state(
    admin_client, sione, app_label, model_name, field_name
):
    found = autocomplete(
        admin_client, "police", app_label=app_label, model_name=model_name, field_name=field_name
    )
    assert found == ["Sione Fifita (Tonga Police, Tonga)"]


def test_the_people_picker_reads_a_constant_number_of_queries(admin_client, sione):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert people_found(admin_client, "")
        return len(captured)

    few = queries()
    for n in range(3):
        ProfileFactory.create(user=UserFactory.create(first_name=f"Person {n}"))
    assert queries() == few


def test_a_chosen_person_is_shown_by_name_agency_and_state(admin_client, sione):
    chair = Chair.objects.create(
        meeting=MeetingFactory.create(), member=sione.profile.member, person=sione
    )
    response = admin_client.get(reverse("admin:forums_chair_change", args=[chair.pk]))
    assert response.status_code == 200
    selected = f'<option value="{sione.pk}" selected>Sione Fifita (Tonga Police, Tonga)</option>'
    assert selected in response.content.decode()


def test_the_meetings_country_filter_lists_only_the_countries_meetings_are_held_in(
    admin_client, jhops_with_an_8th
):
    response = admin_client.get(reverse("admin:forums_meeting_changelist"))
    assert response.status_code == 200
    (country,) = [spec for spec in response.context["cl"].filter_specs if spec.title == "country"]
    offered = [choice["display"] for choice in country.choices(response.context["cl"])]
    held_in = {"Fiji", "Palau", "Australia", "Papua New Guinea", "Tonga"}
    assert offered[0] == "All"
    assert set(offered[1:]) == held_in
    assert set(Meeting.objects.values_list("country", flat=True)) == {
        "FJ",
        "PW",
        "AU",
        "PG",
        "TO",
    }


def test_the_meetings_country_filter_keeps_the_meetings_of_that_country(
    admin_client, jhops_with_an_8th
):
    response = admin_client.get(reverse("admin:forums_meeting_changelist"), {"country": "PW"})
    assert [str(meeting) for meeting in response.context["cl"].result_list] == ["5th JHOPS"]


def test_a_long_outcome_is_cut_in_the_list_with_its_whole_text_on_hover(admin_client):
    text = "Members agreed " + "to work together on a regional framework, " * 8
    OutcomeFactory.create(text=text)
    response = admin_client.get(reverse("admin:outcomes_outcome_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'title="{text}"' in page
    assert f">{text}<" not in page  # shown cut
