"""The admin's pickers as an officer uses them: click, type, choose. On the chair's form,
the meeting picker finds "5th jhops" and the person picker finds people by their state,
named "Name (Agency, State)" in the list and once chosen."""

from django.urls import reverse
from playwright.sync_api import expect

from fixtures.jhops import DEMO_PASSWORD
from tests.browser.conftest import sign_in


def pick(page, field: str, typed: str, offered: list[str]) -> None:
    """Open the picker of `field`, type, and see it offer exactly `offered`."""
    page.locator(f"#id_{field} + .select2").click()
    with page.expect_response(lambda r: "/admin/autocomplete/" in r.url and "term=" in r.url):
        page.locator(".select2-search__field").fill(typed)
    # Until the answer to what was typed is drawn (the list opened with everyone).
    expect(page.locator(".select2-results__option")).to_have_text(offered)


def test_an_officer_finds_the_meeting_and_the_chair_by_what_they_type(browser, live_server, jhops):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    page.goto(reverse("admin:forums_chair_add"))

    pick(page, "meeting", "5th jhops", ["5th JHOPS"])
    page.keyboard.press("Enter")
    assert page.locator("#select2-id_meeting-container").inner_text().endswith("5th JHOPS")

    pick(page, "person", "Cook Islands", ["Working-group member, Cook Islands (Cook Islands)"])
    page.keyboard.press("Enter")
    chosen = page.locator("#select2-id_person-container").inner_text()
    assert chosen.endswith("Working-group member, Cook Islands (Cook Islands)")
    context.close()
