"""Talanoa in French: chosen on the person's profile, switchable at the top of every page.

Expected wording is read from the French catalogue (locale/fr/LC_MESSAGES) through gettext,
so these tests check that the page speaks the catalogue, whatever its wording becomes; and
that the catalogue has an answer, since an untranslated string comes back in English.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from fixtures.jhops import DEMO_PASSWORD
from forums.models import Profile
from tests.browser.conftest import axe_check, screenshot, sign_in
from workinggroups.models import Task

User = get_user_model()


def in_french(message: str) -> str:
    with translation.override("fr"):
        french = gettext(message)
    assert french != message, f"the French catalogue has no translation of {message!r}"
    return french


def date_in(language: str, value) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def test_a_person_whose_profile_is_french_reads_talanoa_in_french(phone, live_server, jhops):
    koror = jhops["koror"]
    assert User.objects.get(username="observer").profile.language == Profile.Language.FRENCH
    # The phone asks for English: the profile wins once the person is known.
    page = phone(locale="en").new_page()

    sign_in(page, live_server, "observer", DEMO_PASSWORD)

    assert page.get_attribute("html", "lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == in_french("Your forums")
    assert page.get_by_role("link", name=in_french("My settings"), exact=True).is_visible()
    assert page.get_by_role("button", name="Français").get_attribute("aria-pressed") == "true"
    # Each language is named in itself, whatever the page's language: English stays English.
    assert page.get_by_role("button", name="English", exact=True).get_attribute("lang") == "en"
    axe_check(page)

    page.goto(reverse("pages:meeting", args=[koror.pk]))
    assert page.get_attribute("html", "lang") == "fr"
    dates = page.locator("dl.facts dd").first.inner_text()
    assert date_in("fr", koror.start_date) in dates  # "23 août 2023"
    assert date_in("en", koror.start_date) not in dates
    axe_check(page)
    screenshot(page, "meeting-french-360px")


def test_an_english_reader_switches_to_french_at_the_top_of_the_page_and_it_is_remembered(
    phone, live_server, jhops
):
    member = User.objects.get(username="wg-member")
    assert member.profile.language == Profile.Language.ENGLISH
    due = (
        Task.objects.of_person(member)
        .open()
        .filter(due_on__isnull=False)
        .order_by("due_on")
        .first()
        .due_on
    )
    page = phone().new_page()
    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{reverse('pages:my-work')}")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "My work"

    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()

    assert page.url == f"{live_server.url}{reverse('pages:my-work')}"  # the same page
    assert page.get_attribute("html", "lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == in_french("My work")
    assert date_in("fr", due) in page.locator("main").inner_text()
    assert date_in("en", due) not in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "my-work-french-360px")
    member.profile.refresh_from_db()
    assert member.profile.language == Profile.Language.FRENCH

    # Remembered on the profile, not only in this phone's cookie: another phone, in French.
    desk = phone(locale="en").new_page()
    sign_in(desk, live_server, "wg-member", DEMO_PASSWORD)
    assert desk.get_attribute("html", "lang") == "fr"
    assert desk.get_by_role("heading", level=1).inner_text() == in_french("Your forums")

    # And back.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_attribute("html", "lang") == "en"
    member.profile.refresh_from_db()
    assert member.profile.language == Profile.Language.ENGLISH
