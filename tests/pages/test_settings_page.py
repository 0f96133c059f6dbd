"""My settings: the private calendar address, created and replaced from the page."""

import re

import pytest

from tests.pages.conftest import client_for
from workinggroups.models import CalendarFeed

pytestmark = pytest.mark.django_db


def feed_path(html: str) -> str | None:
    found = re.search(r'id="feed-url" value="http://testserver(/calendar/[^"]+\.ics)"', html)
    return found.group(1) if found else None


def test_settings_page_needs_a_sign_in():
    response = client_for(None).get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/me/"
    assert client_for(None).post("/me/calendar/").status_code == 302
    assert not CalendarFeed.objects.exists()


def test_person_creates_their_calendar_address_then_replaces_it(team):
    member = team["member"]
    client = client_for(member)
    page = client.get("/me/").content.decode()
    assert feed_path(page) is None
    assert "Create my calendar address" in page
    assert not CalendarFeed.objects.exists()  # nothing is made by looking

    response = client.post("/me/calendar/")
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    page = client.get("/me/").content.decode()
    first = feed_path(page)
    assert first == f"/calendar/{CalendarFeed.objects.get(person=member).token}.ics"
    assert "Your calendar address is ready" in page
    feed = client_for(None).get(first)  # calendar programs do not sign in
    assert feed.status_code == 200
    assert b"BEGIN:VCALENDAR" in feed.content
    assert b"Consider a treaty framework" in feed.content

    client.post("/me/calendar/")
    page = client.get("/me/").content.decode()
    second = feed_path(page)
    assert second and second != first
    assert "The old address no longer works." in page
    assert client_for(None).get(first).status_code == 404
    assert client_for(None).get(second).status_code == 200
    assert CalendarFeed.objects.filter(person=member).count() == 1
    assert CalendarFeed.objects.get(person=member).revoked_at is not None


def test_calendar_address_is_created_by_post_only(team):
    assert client_for(team["member"]).get("/me/calendar/").status_code == 405
    assert not CalendarFeed.objects.exists()


def test_each_person_sees_only_their_own_address(team):
    client_for(team["member"]).post("/me/calendar/")
    lead_page = client_for(team["lead"]).get("/me/").content.decode()
    assert feed_path(lead_page) is None
    assert CalendarFeed.objects.get().token not in lead_page


def test_settings_page_links_reminder_preferences_and_password_change(team):
    html = client_for(team["member"]).get("/me/").content.decode()
    preferences = re.search(r'href="(/reminders/preferences/[^"]+/)"', html)
    assert preferences
    assert client_for(None).get(preferences.group(1)).status_code == 200
    assert 'href="/accounts/password_change/"' in html


def test_the_address_is_offered_as_webcal_beside_the_web_address(team):
    """webcal:// opens the phone's or the desktop's calendar program on the subscription;
    the http(s) address downloads the file or is pasted into a web calendar."""
    client = client_for(team["member"])
    client.post("/me/calendar/")
    page = client.get("/me/").content.decode()
    token = CalendarFeed.objects.get(person=team["member"]).token

    assert f'href="webcal://testserver/calendar/{token}.ics"' in page
    assert f'href="http://testserver/calendar/{token}.ics"' in page


def test_the_webcal_link_is_in_french_too(team):
    team["member"].profile.language = "fr"
    team["member"].profile.save()
    client = client_for(team["member"])
    client.post("/me/calendar/")
    page = client.get("/me/").content.decode()

    assert "M\u2019abonner dans mon logiciel de calendrier" in page
