"""No cache keeps what depends on who asks (config.security.PrivateResponsesMiddleware).

Every answer to a signed-in reader, to a token, to a write, that sets a cookie, and every
answer on the admin, the sign-in forms, calendar feeds and reminder links says `private,
no-store`; what the API gives an anonymous reader (TLP:CLEAR only, the same for
everyone) stays cacheable.
"""

import pytest
from django.test import Client
from django.urls import reverse

from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from tests.second_factor import SignedInClient
from workinggroups.services import calendar_feed_for

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def is_private(response) -> bool:
    """`private` and `no-store`, whatever else a view added (the admin's `never_cache`)."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.fixture
def world():
    forum = ForumFactory.create(acronym="CCTEST")
    meeting = MeetingFactory.create(forum=forum)
    group = WorkingGroupFactory.create(
        established_by=meeting, reports_to=MeetingFactory.create(forum=forum), tlp=TLP.GREEN
    )
    member = UserFactory.create(username="cache-member")
    WorkingGroupMembershipFactory.create(working_group=group, person=member)
    task = TaskFactory.create(working_group=group, tlp=TLP.GREEN)
    return {"forum": forum, "meeting": meeting, "group": group, "member": member, "task": task}


def reader_urls(world) -> list[str]:
    task, group, meeting = world["task"], world["group"], world["meeting"]
    return [
        "/",
        "/work/",
        f"/tasks/{task.pk}/",
        f"/working-groups/{group.pk}/",
        f"/working-groups/{group.pk}/tasks.csv",
        f"/meetings/{meeting.pk}/",
        f"/forums/{world['forum'].acronym}/",
        "/me/",
        "/api/v1/tasks/",
        f"/api/v1/tasks/{task.pk}/",
        f"/api/v1/tasks/{task.pk}/updates/",
        "/api/v1/forums/",
        f"/api/v1/tasks/{task.pk + 1000}/",  # a 404 says something about the reader too
    ]


def test_every_answer_to_a_signed_in_reader_is_private(world):
    client = Client()
    client.force_login(world["member"])
    for url in reader_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert is_private(response), url


def test_every_answer_to_a_token_is_private(world):
    token = api_token_for(world["member"])
    client = Client(headers={"authorization": f"Token {token}"})
    for url in ("/api/v1/tasks/", f"/api/v1/tasks/{world['task'].pk}/", "/api/v1/forums/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url


def test_the_admin_is_private_signed_in_or_not(world):
    staff = UserFactory.create(username="cache-staff", is_staff=True, is_superuser=True)
    client = SignedInClient()
    assert is_private(client.get("/admin/login/"))
    client.force_login(staff)
    for url in ("/admin/", reverse("admin:workinggroups_task_changelist")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url


def test_secret_addresses_sign_in_and_writes_are_private_to_anyone(world):
    client = Client()
    feed = reverse("calendar:feed", args=[calendar_feed_for(world["member"]).token])
    for url in (feed, "/accounts/login/", "/accounts/password_reset/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url
    body = {"username": "x", "password": "y"}
    posted = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert posted.status_code == 400
    assert posted["Cache-Control"] == PRIVATE


def test_what_an_anonymous_reader_reads_through_the_api_is_left_cacheable(world):
    client = Client()
    for url in ("/api/v1/forums/", "/api/v1/tasks/", f"/api/v1/forums/{world['forum'].pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Cache-Control" not in response, url


def test_an_anonymous_page_with_a_form_is_private_for_its_csrf_token(world):
    """The language form carries a token of this visitor's (and sets its cookie)."""
    client = Client()
    for _visit in range(2):
        response = client.get(f"/forums/{world['forum'].acronym}/")
        assert response.status_code == 200
        assert "csrftoken" in response.cookies
        assert response["Cache-Control"] == PRIVATE


def test_a_stricter_header_of_a_view_is_kept(world):
    assert Client().get("/healthz")["Cache-Control"] == "no-store"
