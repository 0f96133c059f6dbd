"""The secretariat's "After the meeting" path in a real browser, at 1280 px and on a
360 px phone: signing in opens on the panel, the panel opens the meeting's checklist,
and its import button opens the import with that meeting chosen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fixtures.jhops import DEMO_PASSWORD
from forums.models import Meeting
from tests.browser.conftest import PHONE, axe_check, csp_violations, screenshot, sign_in

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", [1280, 360])
def test_the_checklist_opens_from_the_index_and_fits(browser, live_server, jhops, width):
    seventh = Meeting.objects.get(forum__acronym="JHOPS", sequence=7)
    context = browser.new_context(**(DESKTOP if width == 1280 else PHONE), base_url=live_server.url)
    refused: list[str] = []
    context.on("console", lambda message: refused.extend(csp_violations([message])))
    page = context.new_page()
    try:
        # The demo's superuser: the Secretariat group and its permissions come from a data
        # migration, which a browser test's flushed database no longer holds.
        sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
        panel = page.locator(".after-the-meeting-panel")
        expect(panel.get_by_text("4 steps open")).to_be_visible()
        screenshot(page, f"admin-index-after-the-meeting-{width}px")

        with page.expect_navigation():
            panel.get_by_role("link", name="7th JHOPS").click()

        expect(page.get_by_role("heading", name="After the meeting: 7th JHOPS")).to_be_visible()
        expect(page.locator(".checklist-step")).to_have_count(5)
        expect(page.locator(".checklist-step.state-to-do")).to_have_count(4)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        axe_check(page)
        screenshot(page, f"after-the-meeting-{width}px")

        with page.expect_navigation():
            page.get_by_role("link", name="Import the outcome document").click()
        import_url = reverse("admin:outcomes_outcomedocument_import")
        assert page.url == f"{live_server.url}{import_url}?meeting={seventh.pk}"
        expect(page.locator("#id_meeting option:checked")).to_have_text("7th JHOPS")
    finally:
        context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


def test_a_second_document_is_asked_about_next_to_the_tick(phone, live_server, jhops):
    page = phone().new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    import_url = reverse("admin:outcomes_outcomedocument_import")

    page.goto(f"{import_url}?meeting={jhops['koror'].pk}")
    expect(page.get_by_text("This meeting already has JHOPS/5 (10 outcomes).")).to_be_visible()
    page.locator("#id_code").fill("JHOPS/5-AP")
    page.locator("#id_text").fill("1. Members agreed to meet again.")
    with page.expect_navigation():
        page.get_by_role("button", name="Read and preview").click()

    error = page.locator(".field-add_another .errorlist")
    expect(error).to_contain_text("Tick “Add another document” to add a second one")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    screenshot(page, "import-second-document-asked-360px")

    page.get_by_label("Add another document to this meeting").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Read and preview").click()
    expect(page.get_by_role("heading", name="Review the statement before saving")).to_be_visible()
