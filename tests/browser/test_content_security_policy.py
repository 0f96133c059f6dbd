"""The site's Content Security Policy in a real browser: what it must allow still works.

No inline script anywhere and no inline style on our pages (settings.CONTENT_SECURITY_POLICY);
the `phone` fixture fails a test on any refusal Chromium reports. Here: the admin's own
scripts (Django 5.2 has no inline one) still run, Swagger UI's nonce'd start-up script
draws the API docs, the chair's HTML report keeps its own <style> under its own policy,
and DRF's browsable API still works without the two style attributes the policy refuses.
"""

import pytest
from django.urls import reverse

from fixtures.jhops import DEMO_PASSWORD
from reports.api import HTML_REPORT_POLICY
from tests.browser.conftest import sign_in


def test_the_admin_scripts_run_under_the_policy(phone, live_server, jhops):
    page = phone().new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")

    response = page.goto(reverse("admin:workinggroups_task_changelist"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # admin/js/actions.js: "select all" ticks every row, and the counter says so.
    rows = page.locator("input.action-select")
    page.locator("#action-toggle").check()
    assert rows.count() > 0
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))
    assert page.locator(".action-counter").inner_text().startswith(f"{rows.count()} of")


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:workinggroups_reminder_changelist",
        "admin:workinggroups_reminder_preview",
        "admin:outcomes_outcomedocument_import",
        "task-change",
        "task-history",
    ],
)
def test_admin_pages_need_nothing_the_policy_refuses(phone, live_server, jhops, name):
    page = phone().new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    task = jhops["task"].pk
    path = {
        "task-change": reverse("admin:workinggroups_task_change", args=[task]),
        "task-history": reverse("admin:workinggroups_task_history", args=[task]),
    }.get(name) or reverse(name)

    response = page.goto(path)
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    # The refusals, if any, fail the test when `phone` closes.


def test_the_api_docs_start_swagger_ui_with_the_responses_nonce(phone, live_server, jhops):
    page = phone().new_page()

    response = page.goto(reverse("api:docs"))

    policy = response.headers["content-security-policy"]
    # The property: browsers hide a nonce from getAttribute once the element is in place.
    nonce = page.locator("script:not([src])").evaluate("el => el.nonce")
    assert nonce and f"'nonce-{nonce}'" in policy
    assert "'unsafe-inline'" not in policy
    # Drawn by the inline script from the schema: the script ran.
    page.locator(".opblock-tag").first.wait_for()
    assert page.get_by_role("heading", name="Talanoa API").first.is_visible()


def test_the_chairs_html_report_renders_with_its_own_style_and_no_script(phone, live_server, jhops):
    page = phone().new_page()
    sign_in(page, live_server, "chair", DEMO_PASSWORD)

    url = reverse("api:meeting-report", args=[jhops["koror"].pk]) + "?format=html&tlp=green"
    response = page.goto(url)

    assert response.headers["content-security-policy"] == HTML_REPORT_POLICY
    assert page.get_by_role("heading", level=1).first.is_visible()
    # Its <style> applied: the TLP marking is in its colour on black.
    marking = page.locator(".tlp").first
    assert marking.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 0, 0)"


def test_the_browsable_api_still_runs_its_scripts(phone, live_server, jhops):
    page = phone().new_page()
    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)

    page.goto(reverse("api:task-list"))

    assert page.get_by_role("heading", name="Task List").is_visible()
    # Bootstrap's dropdown (rest_framework/js/bootstrap.min.js) opens the format menu.
    page.locator(".btn-group .dropdown-toggle").first.click()
    assert page.get_by_role("link", name="json").first.is_visible()
