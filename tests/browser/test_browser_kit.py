"""The browser test kit itself, on Django's admin: signing in through a real form, and a
page's weight counted apart from its static files (the admin brings its own CSS)."""

import pytest

from tests.browser.conftest import axe_check, page_weight, sign_in
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def test_signing_in_through_the_form_opens_the_page_behind_it(phone, live_server):
    UserFactory.create(username="secretary", is_staff=True, is_superuser=True)
    page = phone().new_page()

    sign_in(page, live_server, "secretary", PASSWORD, path="/admin/login/")

    assert page.url == f"{live_server.url}/admin/"
    assert page.get_by_role("heading", name="Forums, outcomes and working groups").is_visible()


def test_a_wrong_password_leaves_the_sign_in_helper_failing_clearly(phone, live_server):
    UserFactory.create(username="secretary", is_staff=True)
    page = phone().new_page()
    try:
        sign_in(page, live_server, "secretary", "not the password", path="/admin/login/")
    except AssertionError as error:
        assert "sign-in as 'secretary' failed" in str(error)
    else:
        raise AssertionError("sign_in accepted a wrong password")


def test_static_files_are_weighed_apart_from_the_page(phone):
    page = phone().new_page()

    weight = page_weight(page, "/admin/login/")
    print(weight)

    kinds = {kind for kind, _, _ in weight.requests}
    assert {"document", "static"} <= kinds
    assert weight.static_bytes > 0 and weight.document_bytes > 0
    assert weight.total == weight.document_bytes + weight.other_bytes
    assert all("/static/" not in url for kind, url, _ in weight.requests if kind != "static")


UNLABELLED = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Form</title></head>'
    '<body><main><h1>Form</h1><form><input name="note"></form></main></body></html>'
)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_accessibility_check_catches_an_unlabelled_field(phone, live_server, javascript):
    page = phone(javascript=javascript).new_page()
    page.route(
        f"{live_server.url}/unlabelled/",
        lambda route: route.fulfill(body=UNLABELLED, content_type="text/html"),
    )
    page.goto("/unlabelled/")

    with pytest.raises(AssertionError) as failure:
        axe_check(page)

    assert "- label (critical)" in str(failure.value)
    assert 'input: <input name="note">' in str(failure.value)  # target and its HTML
