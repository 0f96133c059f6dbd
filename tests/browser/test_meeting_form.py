"""Adding a meeting on the demo in a real browser, at a desk: the forum proposes its next
sequence and the time-zone list follows the host country.

Signed in as the demo's "admin": the database is emptied between browser tests, and with
it the Secretariat group's permissions, which only the migrations grant.
"""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from fixtures.jhops import DEMO_PASSWORD, FORUM_ACRONYM
from forums.models import Forum, Meeting
from tests.browser.conftest import csp_violations, screenshot, sign_in

DESK = {"width": 1280, "height": 900}
PHONE_WIDTH = {"width": 360, "height": 740}


@pytest.fixture
def desk(browser, live_server) -> Iterator[Page]:
    """A desktop browser 1280 px wide, held to the Content Security Policy."""
    context = browser.new_context(viewport=DESK, base_url=live_server.url)
    refused: list[str] = []
    context.on("console", lambda message: refused.extend(csp_violations([message])))
    yield context.new_page()
    context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


def zones_offered(page: Page) -> list[str]:
    return page.locator("#id_time_zone option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )


def test_the_add_form_proposes_the_8th_and_follows_the_country(desk, live_server, jhops):
    page = desk
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    forum = Forum.objects.get(acronym=FORUM_ACRONYM)

    page.goto(f"{reverse('admin:forums_meeting_add')}?forum={forum.pk}")

    assert page.locator("#id_sequence").input_value() == "8"  # the demo's latest is the 7th
    assert len(zones_offered(page)) > 500  # no country yet: every zone
    page.locator("#id_country").select_option("KI")
    assert zones_offered(page) == ["Pacific/Kanton", "Pacific/Kiritimati", "Pacific/Tarawa"]
    assert page.locator("#id_time_zone").is_visible()
    page.locator("#id_time_zone").select_option("Pacific/Tarawa")
    screenshot(page, "meeting-add-kiribati-1280px")

    page.locator("#id_country").select_option("TO")
    assert zones_offered(page) == ["Pacific/Tongatapu"]
    assert page.locator("#id_time_zone").input_value() == "Pacific/Tongatapu"
    assert page.locator("#id_time_zone").is_hidden()  # nothing to choose: the zone is named
    assert page.locator(".field-time_zone output").inner_text() == "Pacific/Tongatapu"
    screenshot(page, "meeting-add-tonga-1280px")
    page.set_viewport_size(PHONE_WIDTH)
    screenshot(page, "meeting-add-tonga-360px")


def test_choosing_the_forum_proposes_its_next_sequence(desk, live_server, jhops):
    page = desk
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    page.goto(reverse("admin:forums_meeting_add"))
    assert page.locator("#id_sequence").input_value() == ""  # two forums: none chosen

    page.locator(".field-forum .select2-selection").click()
    page.locator(".select2-search__field").fill(FORUM_ACRONYM)
    page.locator(".select2-results__option", has_text=FORUM_ACRONYM).first.click()

    assert page.locator("#id_sequence").input_value() == "8"


def test_without_javascript_the_server_fills_the_zone(browser, live_server, jhops):
    context = browser.new_context(
        viewport=DESK, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    forum = Forum.objects.get(acronym=FORUM_ACRONYM)
    page.goto(f"{reverse('admin:forums_meeting_add')}?forum={forum.pk}")

    page.locator("#id_sequence").fill("")  # left to the forum
    page.locator("#id_venue").fill("Nuku'alofa")
    page.locator("#id_country").select_option("TO")
    with page.expect_navigation():
        page.locator('input[name="_save"]').click()
    context.close()

    meeting = Meeting.objects.get(forum=forum, venue="Nuku'alofa")
    assert (meeting.sequence, str(meeting.time_zone)) == (8, "Pacific/Tongatapu")
