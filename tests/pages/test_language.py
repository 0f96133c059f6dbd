"""English and French: chosen on the profile when signed in, in a cookie otherwise.

The project's own French catalogue is being written alongside these pages, so these tests
assert on the `lang` attribute and on strings Django itself translates (form errors, month
names), which exist whatever state locale/ is in.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from forums.models import Profile
from tests.factories import UserFactory
from tests.pages.conftest import client_for
from workinggroups.models import TaskUpdate
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    found = re.search(r'<html lang="([a-z-]+)">', response.content.decode())
    assert found, response.content[:200]
    return found.group(1)


def test_signed_in_person_switches_to_french_on_their_profile_with_history(team):
    member = team["member"]
    client = client_for(member)
    assert html_lang(client.get("/work/")) == "en"

    response = client.post("/language/", {"language": "fr", "next": "/work/"})
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    member.profile.refresh_from_db()
    assert member.profile.language == "fr"
    change = Profile.history.filter(user_id=member.pk).latest("history_date")
    assert (change.language, change.history_user, change.history_change_reason) == (
        "fr",
        member,
        "Language set to fr",
    )
    assert html_lang(client.get("/work/")) == "fr"


def test_the_profile_language_follows_the_person_to_another_device(team):
    client_for(team["member"]).post("/language/", {"language": "fr", "next": "/"})
    # A new browser with no cookie, or one with an English cookie: the profile wins.
    assert html_lang(client_for(team["member"]).get("/work/")) == "fr"
    other = client_for(team["member"])
    other.cookies[COOKIE] = "en"
    assert html_lang(other.get("/work/")) == "fr"


def test_a_person_without_a_profile_gets_one_in_french(team):
    newcomer = UserFactory.create(username="newcomer")
    assert not Profile.objects.filter(user=newcomer).exists()
    client = client_for(newcomer)
    assert client.post("/language/", {"language": "fr"}).status_code == 302
    assert Profile.objects.get(user=newcomer).language == "fr"
    assert html_lang(client.get("/me/")) == "fr"


def test_anonymous_reader_switches_language_with_a_cookie(team):
    client = client_for(None)
    assert html_lang(client.get("/forums/HOS/")) == "en"
    profiles = (Profile.objects.count(), Profile.history.count())
    response = client.post("/language/", {"language": "fr", "next": "/forums/HOS/"})
    assert response.status_code == 302
    assert response["Location"] == "/forums/HOS/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "fr"
    assert cookie["samesite"] == "Lax"
    assert (Profile.objects.count(), Profile.history.count()) == profiles  # nobody's profile
    assert html_lang(client.get("/forums/HOS/")) == "fr"
    assert html_lang(client.get("/accounts/login/")) == "fr"

    client.post("/language/", {"language": "en"})
    assert html_lang(client.get("/forums/HOS/")) == "en"


def test_french_pages_use_djangos_french_for_dates_and_form_errors(team):
    member, treaty = team["member"], team["treaty"]
    client = client_for(member)
    client.post("/language/", {"language": "fr"})

    page = client.get(f"/tasks/{treaty.pk}/").content.decode()
    assert "23 août 2027" in page  # the due date, with Django's French month name
    assert "23 Aug" not in page and "August" not in page

    response = client.post(
        f"/tasks/{treaty.pk}/",
        {"status": "in_progress", "progress": "", "note": "x", "expected_version": 1},
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not TaskUpdate.objects.exists()


@pytest.mark.parametrize("language", ["de", "", "fr-xx", "english"])
def test_a_language_talanoa_does_not_speak_is_refused(team, language):
    member = team["member"]
    client = client_for(member)
    response = client.post("/language/", {"language": language, "next": "/work/"})
    assert response.status_code == 400
    assert COOKIE not in response.cookies
    member.profile.refresh_from_db()
    assert member.profile.language == "en"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/work/", "http://testserver.evil.example/"],
)
def test_next_to_another_host_is_ignored(team, target):
    for person in (None, team["member"]):
        response = client_for(person).post("/language/", {"language": "fr", "next": target})
        assert response.status_code == 302
        assert response["Location"] == "/"


def test_the_language_switch_is_a_form_on_every_page_returning_to_it(team):
    task_url = f"/tasks/{team['treaty'].pk}/"
    html = client_for(team["member"]).get(task_url).content.decode()
    switch = html[html.index('action="/language/"') :]
    switch = switch[: switch.index("</form>")]
    assert f'name="next" value="{task_url}"' in switch
    assert 'name="language" value="fr"' in switch and 'name="language" value="en"' in switch
    assert 'value="en" lang="en" aria-pressed="true"' in switch


def test_switching_language_is_a_post_only(team):
    assert client_for(team["member"]).get("/language/", {"language": "fr"}).status_code == 405
    team["member"].profile.refresh_from_db()
    assert team["member"].profile.language == "en"


def test_times_are_shown_in_the_readers_time_zone(team):
    """The member represents a state in Fiji; the lead has chosen Rarotonga on their profile."""
    member, lead, treaty = team["member"], team["lead"], team["treaty"]
    lead.profile.time_zone = ZoneInfo("Pacific/Rarotonga")
    lead.profile.save()
    update = task_update_status(actor=member, task=treaty, note="Posted from Suva.")

    for person, zone in ((member, "Pacific/Fiji"), (lead, "Pacific/Rarotonga")):
        html = client_for(person).get(f"/tasks/{treaty.pk}/").content.decode()
        shown = re.search(r'<time datetime="([^"]+)">', html).group(1)
        assert datetime.datetime.fromisoformat(shown) == update.created_at
        expected_offset = update.created_at.astimezone(ZoneInfo(zone)).utcoffset()
        assert datetime.datetime.fromisoformat(shown).utcoffset() == expected_offset, person


def test_french_pages_write_the_first_of_the_month_1er(team):
    member, treaty = team["member"], team["treaty"]
    treaty.due_on = datetime.date(2026, 12, 1)
    treaty.save()
    client = client_for(member)
    client.post("/language/", {"language": "fr"})

    for path in (f"/tasks/{treaty.pk}/", "/work/"):
        page = client.get(path).content.decode()
        assert "1er décembre 2026" in page, path
        assert "1 décembre" not in page, path
