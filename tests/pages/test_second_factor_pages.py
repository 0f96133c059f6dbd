"""The second factor's pages, through the real sign-in form and the real codes."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import secretariat_officer
from tests.factories import UserFactory
from tests.pages.conftest import PASSWORD
from tests.second_factor import code_now

pytestmark = pytest.mark.django_db


def signed_in_with_password(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_secretariat_enrols_before_anything_else_and_sees_its_codes_once():
    secretariat_officer("enrolling-officer")
    client = signed_in_with_password("enrolling-officer")
    home = client.get("/work/")
    assert home["Location"] == "/me/second-factor/set-up/?next=%2Fwork%2F"
    page = client.get(home["Location"])
    assert b"<svg" in page.content and b"<script" not in page.content
    device = TOTPDevice.objects.get(user__username="enrolling-officer", confirmed=False)
    codes = client.post(
        "/me/second-factor/set-up/", {"code": code_now(device), "next": "/work/"}
    ).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes)
    assert len(shown) == 10
    assert client.get("/work/").status_code == 200
    settings_page = client.get("/me/").content.decode()
    assert not any(code in settings_page for code in shown)


def test_an_enrolled_person_gives_the_code_after_the_password_and_a_wrong_one_is_refused():
    person = UserFactory.create(username="optional-but-enrolled")
    device = TOTPDevice.objects.create(user=person, confirmed=True, name="app")
    client = signed_in_with_password("optional-but-enrolled")
    assert client.get("/me/")["Location"].startswith("/me/second-factor/?next=")
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    refused = client.post("/me/second-factor/", {"code": wrong, "next": "/me/"})
    assert refused.status_code == 200
    assert b"Wrong or expired code" in refused.content
    assert client.get("/me/").status_code == 302


def test_a_member_without_red_signs_in_with_the_password_alone():
    UserFactory.create(username="plain-member")
    client = signed_in_with_password("plain-member")
    assert client.get("/work/").status_code == 200
    assert b"Set up a second factor" in client.get("/me/").content
