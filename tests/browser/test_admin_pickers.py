"""The admin's pickers as an officer uses them: click, type, choose. On the chair's form,
the meeting picker finds "5th jhops" and the person picker finds people by their state,
named "Name (Agency, State)" in the list and once chosen."""

from django.urls import reverse

from fixtures.jhops import DEMO_PASSWORD
from tests.browser.conftest import sign_in


def pick(page, field: str, typed: str) -> list[str]:
    """Open the picker of `field`, type, and return what it offers."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-search__field").fill(typed)
    options = page.locator(".select2-results__option:not(.loading-results)")
    options.first.wait_for()
    page.wait_for_load_state("networkidle")
    return options.all_inner_texts()


def test_an_officer_finds_the_meeting_and_the_chair_by_what_they_type(browser, live_server, jhops):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    page.goto(reverse("admin:forums_chair_add"))

    assert pick(page, "meeting", "5th jhops") == ["5th JHOPS"]
    page.keyboard.press("Enter")
    assert page.locator("#select2-id_meeting-container").inner_text().endswith("5th JHOPS")

    offered = pick(page, "person", "Cook Islands")
    assert offered == ["Working-group member, Cook Islands (Cook Islands)"]
    page.keyboard.press("Enter")
    chosen = page.locator("#select2-id_person-container").inner_text()
    assert chosen.endswith("Working-group member, Cook Islands (Cook Islands)")
    context.close()
