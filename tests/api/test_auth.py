"""Signing in: tokens for scripts, sessions for pages, and failed sign-ins throttled.

django-axes counts failures for an account from one address, and from one address
(config/lockout.py): after AXES_FAILURE_LIMIT failures for the account there, or
AXES_ADDRESS_FAILURE_LIMIT from the address, that sign-in is refused for AXES_COOLOFF_TIME,
even with the right password, with a 429 saying when it ends and a Retry-After. Addresses
come from REMOTE_ADDR, or from X-Forwarded-For behind PROXY_COUNT proxies (documentation
ranges, RFC 5737); nothing leaves the test process.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import F
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.models import ApiToken
from forums.tlp import TLP
from forums.tokens import live_token_for_key
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from tests.second_factor import verify_session
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
TOKEN_URL = "/api/v1/auth/token/"
LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS_LIMIT = settings.AXES_ADDRESS_FAILURE_LIMIT
COOL_OFF_SECONDS = settings.AXES_COOLOFF_TIME.total_seconds()
PROXY = "127.0.0.1"  # a TLS proxy on the same machine, as deploy/ sets it up


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


def assert_locked_out(response) -> datetime.datetime:
    """A 429 that says when the lock ends; that time, for the test to check."""
    assert response.status_code == 429, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "too_many_attempts"
    assert "Too many failed sign-ins" in body["detail"]
    assert "Try again after" in body["detail"]
    assert "token" not in body
    assert 0 < int(response["Retry-After"]) <= COOL_OFF_SECONDS
    return datetime.datetime.fromisoformat(body["locked_until"])


# --- tokens -----------------------------------------------------------------------------


def test_the_right_credentials_get_a_token_that_signs_requests_in(member):
    response = sign_in("auth-member", PASSWORD)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert live_token_for_key(token).user == member
    member.refresh_from_db()
    assert member.last_login is not None  # a token sign-in is a sign-in

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
    token = api_token_for(member)
    client = APIClient(HTTP_AUTHORIZATION=header.format(token=token))
    response = client.post(f"/api/v1/tasks/{member.task.pk}/updates/", {"note": "x"}, format="json")
    assert response.status_code == 401, response.content
    assert "detail" in response.json()
    assert response["WWW-Authenticate"] == "Token"
    assert not TaskUpdate.objects.exists()


def test_a_token_stops_working_when_its_row_is_deleted(member):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {api_token_for(member)}")
    assert client.get("/api/v1/tasks/").status_code == 200
    ApiToken.objects.filter(user=member).delete()
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
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(member)}")
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


# --- throttling: an account from one address -------------------------------------------


def fail(username, address, times, **extra):
    for _ in range(times):
        response = sign_in(username, "wrong password", address, **extra)
        assert response.status_code in (400, 429), response.content


def test_failures_for_an_account_from_one_address_lock_it_there_even_for_the_right_password(
    member,
):
    fail("auth-member", "198.51.100.1", LIMIT)
    assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.1"))
    assert not ApiToken.objects.filter(user=member).exists()
    # The account's owner, elsewhere, is not locked out by someone else's guessing...
    assert sign_in("auth-member", PASSWORD, "203.0.113.7").status_code == 200
    # ...nor is another account from the guesser's address.
    UserFactory.create(username="auth-other")
    assert sign_in("auth-other", PASSWORD, "198.51.100.1").status_code == 200


def test_failures_for_an_account_spread_over_addresses_do_not_lock_it(member):
    """No lock on an account from everywhere: anyone could lock anyone out with it."""
    for attempt in range(3 * LIMIT):
        response = sign_in("auth-member", "wrong password", f"198.51.100.{attempt % 4 + 1}")
        assert response.status_code == 400, (attempt, response.content)
    assert sign_in("auth-member", PASSWORD, "203.0.113.7").status_code == 200


def test_failures_below_the_limit_do_not_lock_and_success_resets_the_count(member):
    fail("auth-member", "198.51.100.1", LIMIT - 1)
    assert sign_in("auth-member", PASSWORD, "198.51.100.1").status_code == 200
    # AXES_RESET_ON_SUCCESS: the count starts again.
    fail("auth-member", "198.51.100.1", LIMIT - 1)
    assert sign_in("auth-member", PASSWORD, "198.51.100.1").status_code == 200


def test_the_lock_is_per_account_not_per_spelling_of_a_wrong_one(member):
    """A failed name that is not an account counts for that name only."""
    fail("auth-member-typo", "198.51.100.1", LIMIT)
    assert_locked_out(sign_in("auth-member-typo", "x", "198.51.100.1"))
    assert sign_in("auth-member", PASSWORD, "198.51.100.1").status_code == 200


# --- throttling: an address -------------------------------------------------------------


def test_one_address_trying_many_accounts_is_locked_out_at_the_higher_limit(member):
    for n in range(ADDRESS_LIMIT - 1):
        sign_in(f"guess-{n}", "wrong password", "192.0.2.66")
    # Below the address's limit, an account with no failures of its own signs in...
    assert sign_in("auth-member", PASSWORD, "192.0.2.66").status_code == 200
    sign_in("guess-last", "wrong password", "192.0.2.66")
    # ...at it, even the right password of a real account is refused there...
    assert_locked_out(sign_in("auth-member", PASSWORD, "192.0.2.66"))
    # ...while the account itself is not locked: from another address it signs in.
    assert sign_in("auth-member", PASSWORD, "192.0.2.67").status_code == 200


def test_a_success_does_not_clear_the_address_count(member):
    """Else a guesser with an account of their own could reset it between rounds."""
    for n in range(ADDRESS_LIMIT - 1):
        sign_in(f"guess-{n}", "wrong password", "192.0.2.66")
    assert sign_in("auth-member", PASSWORD, "192.0.2.66").status_code == 200
    sign_in("guess-last", "wrong password", "192.0.2.66")
    assert_locked_out(sign_in("auth-member", PASSWORD, "192.0.2.66"))


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(member):
    """Only REMOTE_ADDR counts (PROXY_COUNT=0): a client cannot pick a fresh address for
    each try by sending X-Forwarded-For."""
    for n in range(LIMIT):
        fail("auth-member", "192.0.2.70", 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    locked = sign_in("auth-member", PASSWORD, "192.0.2.70", HTTP_X_FORWARDED_FOR="203.0.113.250")
    assert_locked_out(locked)
    assert AccessAttempt.objects.get().ip_address == "192.0.2.70"


# --- behind a trusted proxy -------------------------------------------------------------


def through_proxy(username, password, client_address, spoofed=""):
    """A sign-in as the proxy forwards it: the client's address appended to whatever
    X-Forwarded-For the client sent."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return sign_in(username, password, PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_one_proxy_failures_lock_only_that_account_from_that_client(member, settings):
    settings.PROXY_COUNT = 1
    UserFactory.create(username="auth-other")
    for _ in range(LIMIT):
        assert through_proxy("auth-member", "wrong", "198.51.100.9").status_code in (400, 429)
    assert_locked_out(through_proxy("auth-member", PASSWORD, "198.51.100.9"))
    # Every request comes from the proxy's address, yet neither another account nor
    # another client is locked out, the proxy's own address included.
    assert through_proxy("auth-other", PASSWORD, "198.51.100.9").status_code == 200
    assert through_proxy("auth-member", PASSWORD, "198.51.100.10").status_code == 200
    assert through_proxy("auth-member", PASSWORD, PROXY).status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


def test_behind_one_proxy_spoofed_entries_to_the_left_are_ignored(member, settings):
    settings.PROXY_COUNT = 1
    spoofs = ["203.0.113.1", "203.0.113.2, 203.0.113.3", "not-an-address", "::1", PROXY]
    assert len(spoofs) == LIMIT
    for spoofed in spoofs:
        response = through_proxy("auth-member", "wrong", "198.51.100.9", spoofed=spoofed)
        assert response.status_code in (400, 429), (spoofed, response.content)
    assert_locked_out(through_proxy("auth-member", PASSWORD, "198.51.100.9", spoofed="192.0.2.1"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(member, settings):
    settings.PROXY_COUNT = 2
    for n in range(LIMIT):
        forwarded = f"203.0.113.{n + 1}, 198.51.100.9, 192.0.2.5"  # spoof, client, first proxy
        sign_in("auth-member", "wrong", PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    locked = sign_in("auth-member", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9, 192.0.2.6")
    assert_locked_out(locked)


def test_a_request_that_bypassed_the_proxy_counts_by_its_own_address(member, settings):
    settings.PROXY_COUNT = 1
    fail("auth-member", "192.0.2.80", LIMIT)  # no X-Forwarded-For at all
    assert AccessAttempt.objects.get().ip_address == "192.0.2.80"
    assert_locked_out(sign_in("auth-member", PASSWORD, "192.0.2.80"))
    assert through_proxy("auth-member", PASSWORD, "198.51.100.9").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (0, None),
        (0, "198.51.100.9"),
        (1, None),
        (1, "198.51.100.9"),
        (1, "203.0.113.1, 198.51.100.9"),
        (1, "203.0.113.1, junk, 198.51.100.9"),
        (2, None),
        (2, "198.51.100.9, 192.0.2.5"),
        (2, "203.0.113.1, 198.51.100.9, 192.0.2.5"),
    ],
)
def test_the_rate_limits_read_the_same_address_as_the_sign_in_locks(settings, proxies, forwarded):
    """For every request that came through all the proxies, or around them."""
    from django.test import RequestFactory
    from rest_framework.request import Request
    from rest_framework.throttling import AnonRateThrottle

    from config.client_address import client_address

    settings.PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/api/v1/tasks/", REMOTE_ADDR=PROXY, **headers)
    assert AnonRateThrottle().get_ident(Request(request)) == client_address(request)


def test_the_rate_limits_trust_as_many_proxies_as_the_sign_in_locks():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.PROXY_COUNT


# --- during a lock ----------------------------------------------------------------------


def test_the_lock_says_when_it_ends_and_tries_during_it_do_not_extend_it(member):
    fail("auth-member", "198.51.100.1", LIMIT)
    attempt = AccessAttempt.objects.get()
    ends = assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.1"))
    assert ends == attempt.attempt_time + settings.AXES_COOLOFF_TIME

    # Wrong and right passwords during the lock: refused, not counted, the end unmoved.
    fail("auth-member", "198.51.100.1", 3)
    assert assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.1")) == ends
    attempt.refresh_from_db()
    assert attempt.failures_since_start == LIMIT
    assert attempt.attempt_time + settings.AXES_COOLOFF_TIME == ends


def test_the_lock_lifts_at_the_time_it_said(member, settings):
    fail("auth-member", "198.51.100.1", LIMIT)
    assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.1"))
    # Age the recorded failures just past the cool-off, as if the time had passed.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    assert sign_in("auth-member", PASSWORD, "198.51.100.1").status_code == 200


def test_an_address_lock_ends_when_enough_of_its_failures_age_out(member):
    for n in range(ADDRESS_LIMIT + 2):
        sign_in(f"guess-{n}", "wrong password", "192.0.2.66")
    ends = assert_locked_out(sign_in("auth-member", PASSWORD, "192.0.2.66"))
    # The lock holds while ADDRESS_LIMIT failures are recent: it ends when the
    # ADDRESS_LIMIT-th newest ages out, not the newest, nor the oldest.
    times = sorted(AccessAttempt.objects.values_list("attempt_time", flat=True), reverse=True)
    assert ends == times[ADDRESS_LIMIT - 1] + settings.AXES_COOLOFF_TIME


# --- the admin's sign-in ----------------------------------------------------------------


def test_the_admin_sign_in_is_throttled_the_same_way(member):
    staff = UserFactory.create(username="auth-staff", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(LIMIT):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "auth-staff", "password": "wrong"},
            REMOTE_ADDR="198.51.100.1",
        )
        assert response.status_code in (200, 429)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "auth-staff", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.1",
    )
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "Try again after" in page
    assert 0 < int(response["Retry-After"]) <= COOL_OFF_SECONDS
    assert "_auth_user_id" not in client.session
    # The API's token endpoint honours the same lock: one count for every door.
    assert_locked_out(sign_in("auth-staff", PASSWORD, "198.51.100.1"))
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
        REMOTE_ADDR="198.51.100.1",
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_smaller_limit_in_settings_applies(member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail("auth-member", "198.51.100.1", 2)
    assert_locked_out(sign_in("auth-member", PASSWORD, "198.51.100.1"))
