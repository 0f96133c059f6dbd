"""The second factor in a real browser: after the password, set up the app or give its code."""

import datetime

import time_machine
from django.contrib.auth.models import Group

from forums.access import SECRETARIAT_GROUP
from tests.browser.conftest import axe_check, screenshot, sign_in
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def officer(username: str):
    person = UserFactory.create(username=username, is_staff=True)
    person.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return person


def test_the_secretariat_sets_up_the_app_after_the_password_on_a_phone(phone, live_server):
    officer("phone-officer")
    page = phone(javascript=False).new_page()
    page.goto("/accounts/login/?next=/admin/")
    page.locator('input[name="username"]').fill("phone-officer")
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.startswith(f"{live_server.url}/me/second-factor/set-up/")
    assert page.locator("figure.qr svg").is_visible()
    screenshot(page, "second-factor-set-up-phone")
    axe_check(page)
    page.locator('input[name="code"]').fill("123")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.get_by_role("alert").is_visible()  # the error summary, not a 500


def test_signing_in_again_asks_for_the_code_then_opens_the_admin(browser, live_server):
    officer("desk-officer")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, "desk-officer", PASSWORD)  # sets the app up
    page.context.clear_cookies()  # a new visit: the password, then the code
    page.goto("/accounts/login/?next=/admin/")
    page.locator('input[name="username"]').fill("desk-officer")
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.startswith(f"{live_server.url}/me/second-factor/?next=")
    screenshot(page, "second-factor-code-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "second-factor-code-390")
    sign_in_code_then_admin(page)
    context.close()


def sign_in_code_then_admin(page) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.second_factor import code_now

    device = TOTPDevice.objects.get(user__username="desk-officer")
    # The code set-up used is spent (a code works once): the app's next one, 30 s later.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=31)
    with time_machine.travel(later):
        page.locator('input[name="code"]').fill(code_now(device))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/admin/")
