"""The walk a client written from /api/v1/schema/ takes, on the real JHoPS data."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from fixtures.jhops import DEMO_PASSWORD, load_jhops
from forums.second_factor import standing_of
from tests.second_factor import code_now, enrolled_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def jhops(db):
    load_jhops(demo_users=True)


def signed_in(username: str) -> APIClient:
    """Signed in as a script would: the password, and the app's code where one is needed."""
    client = APIClient()
    credentials = {"username": username, "password": DEMO_PASSWORD}
    person = get_user_model().objects.get(username=username)
    if standing_of(person).must_verify:
        credentials["otp"] = code_now(enrolled_device(person))
    response = client.post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def tor_task(client: APIClient) -> dict:
    response = client.get("/api/v1/tasks/", {"outcome_code": "JHOPS/4/16"})
    assert response.status_code == 200
    (task,) = response.json()["results"]
    return task


@pytest.mark.parametrize(
    "username", ["secretariat", "chair", "wg-lead", "wg-member", "delegate", "observer"]
)
def test_every_demo_role_finds_the_work_serving_denarau_outcome_16(jhops, username):
    task = tor_task(signed_in(username))

    assert task["title"].startswith("Terms of reference or MoU")
    assert "JHOPS/4/16" in [outcome["citation_code"] for outcome in task["outcomes"]]
    assert task["etag"] == f'"{task["version"]}"'


def test_a_group_member_posts_an_update_and_a_delegate_is_refused(jhops):
    member = signed_in("wg-member")
    task = tor_task(member)

    posted = member.post(
        f"/api/v1/tasks/{task['id']}/updates/",
        {"status": "in_progress", "note": "First draft of the ToR shared with members."},
        format="json",
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["task"]["status"] == "in_progress"
    assert posted["ETag"] == f'"{task["version"] + 1}"'

    refused = signed_in("delegate").post(
        f"/api/v1/tasks/{task['id']}/updates/", {"note": "Fiji's view."}, format="json"
    )
    assert refused.status_code == 403
    history = member.get(f"/api/v1/tasks/{task['id']}/updates/").json()["results"]
    assert [update["note"] for update in history] == ["First draft of the ToR shared with members."]


def test_a_stale_etag_loses_the_race(jhops):
    lead, member = signed_in("wg-lead"), signed_in("wg-member")
    task = tor_task(lead)
    stale = task["etag"]

    won = member.post(
        f"/api/v1/tasks/{task['id']}/updates/",
        {"status": "in_progress", "note": "Started."},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    lost = lead.patch(
        f"/api/v1/tasks/{task['id']}/",
        {"title": "ToR (renamed)"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert won.status_code == 201
    assert lost.status_code == 412
    assert "changed" in lost.json()["detail"]
    assert lead.get(f"/api/v1/tasks/{task['id']}/").json()["title"] == task["title"]


@pytest.mark.parametrize("username", ["secretariat", "delegate", "observer"])
def test_denarau_outcome_16_reads_stalled_and_its_work_overdue(jhops, username):
    """Its one task, set up at Koror (2023), has been carried past the 6th and 7th
    meetings with no update: stalled, and overdue (undated, for a meeting held)."""
    client = signed_in(username)
    (outcome,) = client.get("/api/v1/outcomes/", {"citation_code": "JHOPS/4/16"}).json()["results"]
    standing = outcome["implementation"]
    assert (standing["state"], standing["progress"]) == ("stalled", 0)
    assert (standing["work_total"], standing["work_open"], standing["work_stalled"]) == (1, 1, 1)
    assert client.get(f"/api/v1/outcomes/{outcome['id']}/").json()["implementation"] == standing

    stalled = client.get("/api/v1/outcomes/", {"state": "stalled", "overdue": "true"}).json()
    assert "JHOPS/4/16" in [row["citation_code"] for row in stalled["results"]]
    tasks = client.get("/api/v1/tasks/", {"outcome_code": "JHOPS/4/16", "stalled": "true"})
    assert [task["title"][:18] for task in tasks.json()["results"]] == ["Terms of reference"]


def test_signed_out_denarau_outcome_16_has_no_work_the_public_may_read(jhops):
    """Its task is TLP:GREEN: counted for a delegate, not for the public."""
    (outcome,) = (
        APIClient().get("/api/v1/outcomes/", {"citation_code": "JHOPS/4/16"}).json()["results"]
    )
    assert (outcome["implementation"]["state"], outcome["implementation"]["work_total"]) == (
        "no_work",
        0,
    )
