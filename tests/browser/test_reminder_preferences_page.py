"""The reminder preferences page in a real browser: the first page of Talanoa's own that a
working-group member opens from a phone (the link in every reminder), with no sign-in.

Also the proof that the browser test kit works: phone size, axe-core, page weight,
screenshots, and the ORM between browser steps (tests/browser/conftest.py).
"""

from django.urls import reverse

from tests.browser.conftest import axe_check, page_weight, screenshot
from tests.factories import UserFactory
from workinggroups.models import Reason
from workinggroups.services import reminder_preference_for

# The budget: under 100 KB transferred on first load, cached static files aside.
PAGE_BUDGET_BYTES = 100 * 1024


def preferences_path(person) -> str:
    return reverse(
        "reminders:preferences", args=[reminder_preference_for(person).unsubscribe_token]
    )


def test_the_reminder_preferences_page_is_light_accessible_and_fits_a_phone(phone):
    path = preferences_path(UserFactory.create(first_name="Losa", last_name="Tuilagi"))
    page = phone().new_page()

    weight = page_weight(page, path)
    print(weight)
    assert weight.document_bytes > 0
    assert weight.total < PAGE_BUDGET_BYTES, str(weight)

    axe_check(page)
    # Readable at 360 px: nothing wider than the screen, so no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("heading", level=1).inner_text() == "Your reminders"
    screenshot(page, "reminder-preferences-360px")


def test_reminder_preferences_are_saved_from_a_phone_without_javascript(phone):
    person = UserFactory.create()
    page = phone(javascript=False).new_page()
    page.goto(preferences_path(person))

    page.locator(f'input[name="{Reason.TASK_DUE}"]').uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    assert page.get_by_role("status").inner_text() == "Saved."
    axe_check(page)  # checked as the no-JavaScript visitor sees it
    preference = reminder_preference_for(person)
    assert preference.task_due is False
    assert preference.meeting_digest is True
