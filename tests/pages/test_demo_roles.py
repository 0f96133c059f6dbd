"""Every page, as each demo login sees it on the JHoPS record and the invented DEMO forum.

The logins sign in through the real form with the demo password, as a person trying the
demo would. Each page answers what that role should get: 200, a redirect to sign in
(302), 403 for a form that is not theirs, 404 for what they may not see.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fixtures.demo_activity import load_demo_activity
from fixtures.jhops import DEMO_PASSWORD, load_jhops
from forums.models import Meeting
from tests.second_factor import code_now, enrolled_device
from workinggroups.models import Task, WorkingGroup

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "secretariat",
    "admin",
    "chair",
    "wg-lead",
    "wg-member",
    "delegate",
    "observer",
]
ON_THE_GROUP = {"secretariat", "admin", "wg-lead", "wg-member"}  # may post updates
# Forum members and observers of JHoPS, and its chair: they read its TLP:GREEN work.
JHOPS_READERS = {"secretariat", "admin", "chair", "wg-lead", "wg-member", "delegate", "observer"}
# DEMO's members are Palau, Cook Islands, Fiji and Samoa: the OCO observer is not one.
DEMO_READERS = JHOPS_READERS - {"observer"}


@pytest.fixture
def demo(db):
    assert load_jhops(demo_users=True)
    assert load_demo_activity()
    jhops_group = WorkingGroup.objects.get(established_by__forum__acronym="JHOPS")
    demo_group = WorkingGroup.objects.get(established_by__forum__acronym="DEMO")
    return {
        "jhops_group": jhops_group,
        "demo_group": demo_group,
        "koror": Meeting.objects.get(forum__acronym="JHOPS", sequence=5),
    }


def browser_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        response = client.post("/accounts/login/", {"username": role, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (role, response.content[:500])
        assert client.session.get("_auth_user_id")
        give_second_factor_if_asked(client, role)
    return client


def give_second_factor_if_asked(client: Client, role: str) -> None:
    """The secretariat's logins are asked for the app's code next: give it on the page."""
    asked = client.get("/work/")
    if asked.status_code != 302 or "/me/second-factor/" not in asked["Location"]:
        return
    device = enrolled_device(get_user_model().objects.get(username=role))
    response = client.post("/me/second-factor/", {"code": code_now(device), "next": "/work/"})
    assert response.status_code == 302, (role, response.content[:500])


def expect(client: Client, path: str, status: int, role: str):
    response = client.get(path)
    assert response.status_code == status, (role, path, response.status_code)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_demo_role_as_expected(demo, role):
    client = browser_for(role)
    signed_in = role != "anonymous"
    ok_or_sign_in = 200 if signed_in else 302

    expect(client, "/", 200, role)
    expect(client, "/work/", ok_or_sign_in, role)
    expect(client, "/me/", ok_or_sign_in, role)
    expect(client, "/accounts/login/", 200, role)
    for acronym in ("JHOPS", "DEMO"):
        expect(client, f"/forums/{acronym}/", 200, role)
        expect(client, f"/forums/{acronym}/implementation/", 200, role)
        expect(client, f"/forums/{acronym}/implementation.csv", 200, role)
    for meeting in Meeting.objects.filter(forum__acronym__in=["JHOPS", "DEMO"]):
        expect(client, f"/meetings/{meeting.pk}/", 200, role)
    for code in ("JHOPS/4/16", "JHOPS/5/6"):
        expect(client, f"/outcomes/{code}/", 200, role)

    for group, readers in (
        (demo["jhops_group"], JHOPS_READERS),
        (demo["demo_group"], DEMO_READERS),
    ):
        reads = role in readers
        expect(client, f"/working-groups/{group.pk}/", 200 if reads else 404, role)
        expect(client, f"/working-groups/{group.pk}/tasks.csv", 200 if reads else 404, role)
        for task in Task.objects.filter(working_group=group):
            response = expect(client, f"/tasks/{task.pk}/", 200 if reads else 404, role)
            if reads:
                assert (response.context["form"] is not None) is (
                    role in ON_THE_GROUP and task.is_open
                ), (role, task)
        if not signed_in:
            import_status = 302  # sign in first, whatever the group
        elif not reads:
            import_status = 404
        else:
            import_status = 200 if role in ON_THE_GROUP else 403
        expect(client, f"/working-groups/{group.pk}/import/", import_status, role)


@pytest.mark.parametrize("role", ["wg-lead", "wg-member"])
def test_working_group_members_find_the_koror_tasks_in_their_work(demo, role):
    html = expect(browser_for(role), "/work/", 200, role).content.decode()
    assert "Terms of reference or MoU on the JHoPS mandate, mission and governance" in html
    assert "Draft the demo action plan" in html
    assert "Circulate the demo report" in html
    assert html.index('id="section-overdue"') < html.index("Circulate the demo report")


def test_the_observer_reads_in_french_from_their_profile(demo):
    html = expect(browser_for("observer"), "/work/", 200, "observer").content.decode()
    assert '<html lang="fr">' in html


def test_the_koror_chair_downloads_the_report(demo):
    client = browser_for("chair")
    page = expect(client, f"/meetings/{demo['koror'].pk}/", 200, "chair")
    assert page.context["report_form"] is not None
    response = client.get(f"/meetings/{demo['koror'].pk}/report/", {"format": "pdf", "tlp": 1})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
