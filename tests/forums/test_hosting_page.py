"""A hosting's status moves on its own page, through the service, to the moves allowed."""

import datetime

import pytest
from django.urls import reverse

from forums.models import Hosting, HostingChange
from forums.services import hosting_record
from tests.conftest import secretariat_officer
from tests.factories import MeetingFactory, MemberFactory
from tests.test_admin import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    officer = secretariat_officer("sione.officer")
    officer.is_staff = True
    officer.save()
    return officer


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def hosting_in(status: str, officer) -> Hosting:
    hosting = hosting_record(
        actor=officer,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(name="Papua New Guinea"),
        status=Hosting.Status.INTEREST_REGISTERED,
    )
    Hosting.objects.filter(pk=hosting.pk).update(status=status)
    hosting.refresh_from_db()
    return hosting


def page(hosting: Hosting) -> str:
    return reverse("admin:forums_hosting_change", args=[hosting.pk])


def test_the_page_offers_only_the_moves_allowed_from_the_status(officer_client, officer):
    hosting = hosting_in(Hosting.Status.PLANNED, officer)

    response = officer_client.get(page(hosting))

    field = response.context["adminform"].form.fields["move_to"]
    assert [value for value, _label in field.widget.choices] == [
        "",
        "confirmed",
        "hosted",
        "withdrawn",
    ]
    assert "From “Planned” it may move to: Confirmed, Hosted, Withdrawn." in (
        response.content.decode()
    )


def test_the_page_says_when_no_move_is_allowed(officer_client, officer):
    hosting = hosting_in(Hosting.Status.HOSTED, officer)

    response = officer_client.get(page(hosting))

    field = response.context["adminform"].form.fields["move_to"]
    assert field.disabled
    assert "“Hosted” is final: no move is allowed from it." in response.content.decode()


def test_a_move_on_the_page_is_recorded_with_who_made_it(officer_client, officer):
    hosting = hosting_in(Hosting.Status.PLANNED, officer)
    data = post_data(officer_client.get(page(hosting))) | {
        "move_to": "confirmed",
        "effective_on": "2025-03-01",
        "note": "Confirmed by note verbale.",
    }

    assert officer_client.post(page(hosting), data).status_code == 302

    hosting.refresh_from_db()
    change = hosting.changes.latest("pk")
    assert hosting.status == Hosting.Status.CONFIRMED
    assert (change.status_from, change.status_to, change.recorded_by) == (
        "planned",
        "confirmed",
        officer,
    )
    assert (change.effective_on, change.note) == (
        datetime.date(2025, 3, 1),
        "Confirmed by note verbale.",
    )


def test_a_move_not_allowed_is_refused_next_to_it_and_nothing_changes(officer_client, officer):
    hosting = hosting_in(Hosting.Status.WITHDRAWN, officer)
    announced = MeetingFactory.create()
    data = post_data(officer_client.get(page(hosting))) | {
        "move_to": "hosted",
        "announced_at": str(announced.pk),
    }
    changes = HostingChange.objects.count()

    response = officer_client.post(page(hosting), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["move_to"] == [
        "Cannot move from “Withdrawn” to “Hosted”. Allowed from here: Interest registered."
    ]
    hosting.refresh_from_db()
    assert (hosting.status, hosting.announced_at) == (Hosting.Status.WITHDRAWN, None)
    assert HostingChange.objects.count() == changes


def test_the_page_without_a_move_saves_the_rest_and_records_no_move(officer_client, officer):
    hosting = hosting_in(Hosting.Status.PLANNED, officer)
    announced = MeetingFactory.create()
    data = post_data(officer_client.get(page(hosting))) | {"announced_at": str(announced.pk)}
    changes = HostingChange.objects.count()

    assert officer_client.post(page(hosting), data).status_code == 302

    hosting.refresh_from_db()
    assert (hosting.status, hosting.announced_at) == (Hosting.Status.PLANNED, announced)
    assert HostingChange.objects.count() == changes


def test_the_meetings_hosting_rows_link_to_where_the_status_moves(officer_client, officer):
    hosting = hosting_in(Hosting.Status.PLANNED, officer)

    response = officer_client.get(reverse("admin:forums_meeting_change", args=[hosting.meeting_id]))

    content = response.content.decode()
    assert f'<a href="{page(hosting)}">Move it on its own page</a>' in content
