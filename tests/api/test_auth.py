"""Signing in: tokens for scripts, sessions for pages, and failed sign-ins throttled.

django-axes counts failures per username and per address separately (AXES_LOCKOUT_
PARAMETERS = ["username", "ip_address"]): after AXES_FAILURE_LIMIT failures the account,
or the address, is refused for AXES_COOLOFF_TIME, even with the right password, with a
429 that says so and a Retry-After. Addresses come from REMOTE_ADDR (documentation
ranges, RFC 5737); nothing leaves the test process.
"""

import math

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import F
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.second_factor import verify_session
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
TOKEN_URL = "/api/v1/auth/token/"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    """A working-group member with a task of their group to post updates on."""
    forum = ForumFactory.create()
    group = WorkingGroupFactory.create(
        established_by=MeetingFactory.create(forum=forum),
        reports_to=MeetingFactory.create(forum=forum),
        tlp=TLP.GREEN,
    )
    user = UserFactory.create(username="auth-member")
    WorkingGroupMembershipFactory.create(working_group=group, person=user)
    user.task = TaskFactory.create(working_group=group, status=Task.Status.IN_PROGRESS, progress=10)
    return user


def sign_in(username, password, address="192.0.2.1", client=None, **extra):
    client = client or APIClient()
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **extra,
    )


def assert_locked_out(response):
    assert response.status_code == 429, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "too_many_attempts"
    assert "Too many failed sign-ins" in body["detail"]
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert f"Wait {minutes} minutes" in body["detail"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "token" not in body


# --- tokens -----------------------------------------------------------------------------


def test_the_right_credentials_get_a_token_that_signs_requests_in(member):
    response = sign_in("auth-member", PASSWORD)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert Token.objects.get(user=member).key == token
    member.refresh_from_db()
    assert member.last_login is not None  # a token sign-in is a sign-in
    # The same token again: scripts may sign in repeatedly.
    assert sign_in("auth-member", PASSWORD).json() == {"token": token}

    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    posted = client.post(
        f"/api/v1/tasks/{member.task.pk}/updates/", {"note": "Signed in by token."}, format="json"
    )
    assert posted.status_code == 201, posted.content
    assert TaskUpdate.objects.get().author == member
    visible = client.get("/api/v1/working-groups/", {"mine": "true"})
    assert [group["id"] for group in visible.json()["results"]] == [member.task.working_group_id]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("auth-member", "wrong password"),
        ("nobody", PASSWORD),
        ("AUTH-MEMBER", PASSWORD),
        ("auth-member", PASSWORD + " "),
        ("auth-member", ""),
    ],
)
def test_wrong_credentials_are_a_clear_400(member, username, password):
    response = sign_in(username, password)
    assert response.status_code == 400, response.content
    body = response.json()
    assert "token" not in body
    assert body == {"non_field_errors": ["Wrong username or password."]} or (
        password == "" and "password" in body
    )


def test_missing_fields_are_a_400_naming_them(member):
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_an_inactive_account_gets_no_token(member):
    member.is_active = False
    member.save()
    response = sign_in("auth-member", PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize(
    "header",
    ["Token wrong", "Token", "Token a b", "Bearer {token}", "Basic {token}", "Token {token}x"],
)
def test_a_bad_authorization_header_is_a_401_json(member, header):
    token = Token.objects.create(user=member).key
    client = APIClient(HTTP_AUTHORIZATION=header.format(token=token))
    response = client.post(f"/api/v1/tasks/{member.task.pk}/updates/", {"note": "x"}, format="json")
    assert response.status_code == 401, response.content
    assert "detail" in response.json()
    assert response["WWW-Authenticate"] == "Token"
    assert not TaskUpdate.objects.exists()


def test_a_token_stops_working_when_it_is_deleted(member):
    token = Token.objects.create(user=member)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/tasks/").status_code == 200
    token.delete()
    assert client.get("/api/v1/tasks/").status_code == 401


# --- sessions ---------------------------------------------------------------------------


def test_a_session_reads(member):
    client = APIClient()
    client.force_login(member)
    response = client.get(f"/api/v1/tasks/{member.task.pk}/")
    assert response.status_code == 200
    mine = client.get("/api/v1/tasks/", {"mine": "true"}).json()["results"]
    assert [task["id"] for task in mine] == [member.task.pk]


def test_a_session_write_needs_the_csrf_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    url = f"/api/v1/tasks/{member.task.pk}/updates/"

    refused = client.post(url, {"note": "Without CSRF."}, format="json")
    assert refused.status_code == 403, refused.content
    assert "CSRF" in refused.json()["detail"]
    assert not TaskUpdate.objects.exists()

    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    wrong = client.post(url, {"note": "Wrong CSRF."}, format="json", HTTP_X_CSRFTOKEN="x" * 32)
    assert wrong.status_code == 403
    assert not TaskUpdate.objects.exists()

    accepted = client.post(url, {"note": "With CSRF."}, format="json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201, accepted.content
    assert TaskUpdate.objects.get().note == "With CSRF."


def test_a_token_write_needs_no_csrf_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member).key}")
    response = client.post(
        f"/api/v1/tasks/{member.task.pk}/updates/", {"note": "Script."}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_session_patch_needs_the_csrf_token_too(member):
    secretariat = UserFactory.create(username="auth-secretariat")
    secretariat.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(secretariat)
    verify_session(client, secretariat)
    url = f"/api/v1/tasks/{member.task.pk}/"
    etag = member.task.etag
    refused = client.patch(url, {"title": "No CSRF"}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.patch(
        url, {"title": "With CSRF"}, format="json", HTTP_IF_MATCH=etag, HTTP_X_CSRFTOKEN=secret
    )
    assert accepted.status_code == 200, accepted.content


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=" + "x" * 40,
        'sessionid="' + "\\000" * 32 + '"',  # octal escapes: NUL bytes once unquoted
        "sessionid=%00%00%00%00%00%00%00%00%00",
        'sessionid="\\047; DROP TABLE django_session; --"',
        "sessionid=" + "a" * 5000,
    ],
)
def test_a_garbage_session_cookie_is_anonymous_not_an_error(member, cookie):
    client = APIClient()
    response = client.get("/api/v1/tasks/", HTTP_COOKIE=cookie)
    assert response.status_code == 200, response.content
    # The member's GREEN task is not shown to an anonymous reader.
    assert response.json()["results"] == []
    response = client.post(
        f"/api/v1/tasks/{member.task.pk}/updates/", {"note": "x"}, format="json", HTTP_COOKIE=cookie
    )
    assert response.status_code == 401
    assert Client().get("/admin/", HTTP_COOKIE=cookie).status_code == 302  # to the sign-in


def test_a_real_session_still_works_through_the_cookie(member):
    client = Client()
    client.force_login(member)
    response = APIClient().get(
        f"/api/v1/tasks/{member.task.pk}/",
        HTTP_COOKIE=f"sessionid={client.session.session_key}",
    )
    assert response.status_code == 200


# --- throttling: per account ------------------------------------------------------------


def fail(username, address, times):
    for _ in range(times):
        response = sign_in(username, "wrong password", address)
        assert response.status_code in (400, 429), response.content


def test_failures_for_one_account_from_many_addresses_lock_it_even_for_the_right_password(
    member,
):
    for attempt in range(LIMIT - 1):
        response = sign_in("auth-member", "wrong password", f"198.51.100.{attempt + 1}")
        assert response.status_code == 400, (attempt, response.content)
    last = sign_in("auth-member", "wrong password", "198.51.100.200")
    assert last.status_code in (400, 429)

    assert_locked_out(sign_in("auth-member", PASSWORD, "203.0.113.7"))
    # Still locked from yet another address, and the account's token is not handed out.
    assert_locked_out(sign_in("auth-member", PASSWORD, "203.0.113.8"))
    assert not Token.objects.filter(user=member).exists()


def test_failures_below_the_limit_do_not_lock_and_success_resets_the_count(member):
    fail("auth-member", "198.51.100.1", LIMIT - 1)
    assert sign_in("auth-member", PASSWORD, "198.51.100.2").status_code == 200
    # AXES_RESET_ON_SUCCESS: the count starts again.
    fail("auth-member", "198.51.100.3", LIMIT - 1)
    assert sign_in("auth-member", PASSWORD, "198.51.100.4").status_code == 200


def test_a_locked_account_does_not_lock_another_account(member):
    other = UserFactory.create(username="auth-other")
    for attempt in range(LIMIT + 1):
        sign_in("auth-member", "wrong password", f"198.51.100.{attempt + 1}")
    assert_locked_out(sign_in("auth-member", PASSWORD, "203.0.113.1"))

    response = sign_in("auth-other", PASSWORD, "203.0.113.99")
    assert response.status_code == 200, response.content
    assert Token.objects.filter(user=other).exists()


def test_the_lock_is_per_account_not_per_spelling_of_a_wrong_one(member):
    """A failed name that is not an account counts for that name only."""
    fail("auth-member-typo", "198.51.100.1", 1)
    fail("auth-member-typo", "198.51.100.2", 1)
    fail("auth-member-typo", "198.51.100.3", 1)
    fail("auth-member-typo", "198.51.100.4", 1)
    fail("auth-member-typo", "198.51.100.5", 1)
    assert_locked_out(sign_in("auth-member-typo", "x", "198.51.100.6"))
    assert sign_in("auth-member", PASSWORD, "198.51.100.7").status_code == 200


# --- throttling: per address ------------------------------------------------------------


def test_one_address_trying_many_accounts_is_locked_out(member):
    for n in range(LIMIT):
        response = sign_in(f"guess-{n}", "wrong password", "192.0.2.66")
        assert response.status_code in (400, 429), response.content
    # Even the right password of a real account, from that address, is refused...
    assert_locked_out(sign_in("auth-member", PASSWORD, "192.0.2.66"))
    assert not Token.objects.filter(user=member).exists()
    # ...while the account itself is not locked: from another address it signs in.
    assert sign_in("auth-member", PASSWORD, "192.0.2.67").status_code == 200


def test_a_forwarded_for_header_does_not_escape_the_address_lock(member):
    """Only REMOTE_ADDR counts (no proxy is trusted by default): a client cannot pick a
    fresh address for each try by sending X-Forwarded-For."""
    for n in range(LIMIT):
        sign_in(f"guess-{n}", "wrong", "192.0.2.70", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    locked = sign_in("auth-member", PASSWORD, "192.0.2.70", HTTP_X_FORWARDED_FOR="203.0.113.250")
    assert_locked_out(locked)


def test_the_lock_lifts_after_the_cool_off(member, settings):
    from axes.models import AccessAttempt

    fail("auth-member", "198.51.100.1", LIMIT)
    assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.2"))
    # Age the recorded failures past the cool-off, as if the time had passed.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME * 2)
    assert sign_in("auth-member", PASSWORD, "198.51.100.3").status_code == 200


# --- the admin's sign-in ----------------------------------------------------------------


def test_the_admin_sign_in_is_throttled_the_same_way(member):
    staff = UserFactory.create(username="auth-staff", is_staff=True, is_superuser=True)
    client = Client()
    for attempt in range(LIMIT):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "auth-staff", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{attempt + 1}",
        )
        assert response.status_code in (200, 429)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "auth-staff", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "Too many failed sign-ins" in response.content.decode()
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "_auth_user_id" not in client.session
    # The API's token endpoint honours the same lock: one count for every door.
    assert_locked_out(sign_in("auth-staff", PASSWORD, "203.0.113.6"))
    assert staff.is_active


def test_nul_bytes_in_the_admin_sign_in_are_a_form_error(member):
    UserFactory.create(username="auth-staff", is_staff=True)
    response = Client().post(
        "/admin/login/?next=/admin/", {"username": "auth-staff\x00", "password": "x\x00"}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_api_failures_lock_the_admin_sign_in_too(member):
    UserFactory.create(username="auth-staff", is_staff=True, is_superuser=True)
    fail("auth-staff", "198.51.100.1", LIMIT)
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "auth-staff", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_smaller_limit_in_settings_applies(member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail("auth-member", "198.51.100.1", 2)
    assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.9"))
