"""Signing in, signing out and resetting a password through the real views at /accounts/."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.pages.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def test_anonymous_my_work_redirects_to_sign_in_and_back():
    response = Client().get("/work/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/work/"


def test_sign_in_with_the_right_password_opens_the_home(team):
    client = Client()
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content

    response = client.post(LOGIN, {"username": "mele", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(team["member"].pk)
    assert b"Your forums" in client.get("/").content


def test_sign_in_follows_next_on_this_site_only(team):
    client = Client()
    response = client.post(
        LOGIN, {"username": "mele", "password": PASSWORD, "next": f"/tasks/{team['treaty'].pk}/"}
    )
    assert response["Location"] == f"/tasks/{team['treaty'].pk}/"

    other = Client()
    response = other.post(
        LOGIN, {"username": "mele", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_shows_a_form_error_and_signs_nobody_in(team):
    client = Client()
    response = client.post(LOGIN, {"username": "mele", "password": "not the password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Please enter a correct username and password" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/work/").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(team):
    client = client_for(team["member"])
    assert client.get("/work/").status_code == 200
    # A link (GET) cannot sign anyone out: another site could embed it.
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) is not None

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None
    assert client.get("/work/").status_code == 302


def test_every_page_offers_sign_out_as_a_form_when_signed_in(team):
    html = client_for(team["member"]).get("/work/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/">', html)


def test_password_reset_mails_a_link_that_sets_a_new_password():
    user = UserFactory.create(username="losa", email="losa@example.org")
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "losa@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["losa@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body)
    assert link, message.body

    # The emailed link swaps its token for a session and redirects to the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url)
    assert page.status_code == 200
    assert page.context["validlink"] is True

    new_password = "a brand new pass phrase 42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)

    # The link is spent.
    again = Client().get(link.group(1), follow=True)
    assert again.context["validlink"] is False

    fresh = Client()
    response = fresh.post(LOGIN, {"username": "losa", "password": new_password})
    assert response.status_code == 302
    assert signed_in_user_id(fresh) == str(user.pk)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same():
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_too_many_wrong_passwords_lock_the_sign_in_page_even_for_the_right_one(team):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "mele", "password": "guess"}).status_code == 200
    # The failure that reaches the limit is answered with the lockout already.
    assert client.post(LOGIN, {"username": "mele", "password": "guess"}).status_code == 429
    response = client.post(LOGIN, {"username": "mele", "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    html = response.content.decode()
    assert "Too many failed sign-ins" in html
    assert "Try again after" in html
    assert '<html lang="en">' in html  # the site's page, not a bare error
    assert signed_in_user_id(client) is None


def test_signed_in_person_changes_their_password(team):
    member = team["member"]
    client = client_for(member)
    assert client.get("/accounts/password_change/").status_code == 200
    new_password = "another long pass phrase 7"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    member.refresh_from_db()
    assert member.check_password(new_password)
    assert client.get("/work/").status_code == 200  # still signed in
