"""Who may write what, tried as a hostile working-group lead would on the JHoPS demo data.

A lead adds and edits the group's tasks (workinggroups/policy.py) but may only restrict a
label, never open it; a TLP:RED task names at least one person, the lead among them;
links to outcomes the lead may not see survive the lead's edit; and the lead's form does
not tell which usernames exist. Each refusal leaves the database as it was.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from fixtures.jhops import load_jhops
from forums.tlp import TLP
from outcomes.models import Outcome
from outcomes.services import outcome_add
from workinggroups.models import Task
from workinggroups.services import task_add, task_edit, task_update_status

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def demo(db):
    load_jhops(demo_users=True)
    users = {u.username: u for u in User.objects.all()}
    task = Task.objects.get(outcomes__citation_code="JHOPS/4/16")
    return {"users": users, "task": task}


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def patch(demo, username: str, body: dict):
    api = client(demo["users"][username])
    url = f"/api/v1/tasks/{demo['task'].pk}/"
    etag = api.get(url)["ETag"]
    return api.patch(url, body, format="json", HTTP_IF_MATCH=etag)


def snapshot(task: Task) -> tuple:
    task.refresh_from_db()
    return (
        task.version,
        task.tlp,
        task.lead_id,
        sorted(task.recipients.values_list("username", flat=True)),
        sorted(task.outcomes.values_list("citation_code", flat=True)),
        Task.objects.count(),
    )


def make_red(demo, *names: str) -> None:
    task = demo["task"]
    named = [demo["users"][name] for name in names]
    task_edit(
        actor=demo["users"]["secretariat"],
        task=task,
        expected_version=None,
        tlp=TLP.RED,
        recipients=named,
    )


def test_a_lead_named_on_a_red_task_cannot_publish_it(demo):
    make_red(demo, "wg-lead")
    before = snapshot(demo["task"])

    refused = patch(demo, "wg-lead", {"tlp": "green"})

    assert refused.status_code == 403
    assert "Only the secretariat may open a task's label" in refused.json()["detail"]
    assert snapshot(demo["task"]) == before
    delegate = client(demo["users"]["delegate"])
    assert delegate.get(f"/api/v1/tasks/{demo['task'].pk}/").status_code == 404


def test_the_secretariat_may_open_a_label(demo):
    make_red(demo, "wg-lead")

    opened = patch(demo, "secretariat", {"tlp": "green"})

    assert opened.status_code == 200, opened.content
    assert opened.json()["tlp"] == "green"


def test_a_lead_cannot_hide_a_task_as_red_naming_nobody(demo):
    before = snapshot(demo["task"])

    refused = patch(demo, "wg-lead", {"tlp": "red"})

    assert refused.status_code == 400
    assert refused.json() == {"recipients": ["A TLP:RED task names at least one person."]}
    assert snapshot(demo["task"]) == before


def test_a_lead_who_makes_a_task_red_without_being_named_gets_a_400_and_nothing_is_saved(demo):
    before = snapshot(demo["task"])

    relabelled = patch(demo, "wg-lead", {"tlp": "red", "recipients": ["wg-member"]})
    created = client(demo["users"]["wg-lead"]).post(
        "/api/v1/tasks/",
        {
            "working_group": demo["task"].working_group_id,
            "title": "A task for one member only",
            "tlp": "red",
            "recipients": ["wg-member"],
        },
        format="json",
    )

    for refused in (relabelled, created):
        assert refused.status_code == 400, refused.content
        assert "Name yourself too" in refused.json()["recipients"][0]
    assert snapshot(demo["task"]) == before


def test_a_lead_may_restrict_a_task_to_red_naming_group_members(demo):
    restricted = patch(demo, "wg-lead", {"tlp": "red", "recipients": ["wg-lead", "wg-member"]})

    assert restricted.status_code == 200, restricted.content
    assert restricted.json()["tlp"] == "red"
    url = f"/api/v1/tasks/{demo['task'].pk}/"
    assert client(demo["users"]["wg-member"]).get(url).status_code == 200
    assert client(demo["users"]["chair"]).get(url).status_code == 404
    # Now RED, who it names is the secretariat's to change.
    renamed = patch(demo, "wg-lead", {"recipients": ["wg-lead"]})
    assert renamed.status_code == 403


def test_a_lead_cannot_name_someone_outside_the_group(demo):
    before = snapshot(demo["task"])

    outsider = patch(demo, "wg-lead", {"tlp": "red", "recipients": ["wg-lead", "delegate"]})
    unknown = patch(demo, "wg-lead", {"tlp": "red", "recipients": ["wg-lead", "no-such-user"]})

    assert outsider.status_code == unknown.status_code == 400
    assert (
        outsider.json()
        == unknown.json()
        == {"recipients": ["Name current members of the working group."]}
    )
    assert snapshot(demo["task"]) == before


def test_a_lead_editing_outcomes_keeps_the_links_they_cannot_see(demo):
    secretariat = demo["users"]["secretariat"]
    denarau_16 = Outcome.objects.get(citation_code="JHOPS/4/16")
    sealed = outcome_add(
        actor=secretariat,
        document=denarau_16.document,
        number="16.x",
        text="A sealed annex for named officers.",
        tlp=TLP.RED,
    )
    sealed.recipients.add(secretariat)
    demo["task"].outcomes.add(sealed)

    kept = patch(demo, "wg-lead", {"outcomes": [denarau_16.pk]})

    assert kept.status_code == 200, kept.content
    assert [o["citation_code"] for o in kept.json()["outcomes"]] == ["JHOPS/4/16"]
    assert set(demo["task"].outcomes.values_list("citation_code", flat=True)) == {
        "JHOPS/4/16",
        "JHOPS/4/16.x",
    }


def test_an_unknown_lead_and_a_non_member_get_the_same_answer(demo):
    before = snapshot(demo["task"])

    unknown = patch(demo, "wg-lead", {"lead": "no-such-user"})
    stranger = patch(demo, "wg-lead", {"lead": "delegate"})

    assert unknown.status_code == stranger.status_code == 400
    assert unknown.json() == stranger.json()
    assert unknown.json() == {"lead": ["The lead must be a current member of the working group."]}
    assert snapshot(demo["task"]) == before


# --- every service asks the policy itself ---------------------------------------------------


def test_services_refuse_a_member_writing_what_only_a_lead_may(demo):
    member, task = demo["users"]["wg-member"], demo["task"]
    before = snapshot(task)

    with pytest.raises(PermissionDenied):
        task_edit(actor=member, task=task, expected_version=None, title="Renamed")
    with pytest.raises(PermissionDenied):
        task_add(actor=member, working_group=task.working_group, title="Extra work")
    with pytest.raises(PermissionDenied):
        task_update_status(actor=demo["users"]["delegate"], task=task, note="Not my group")

    assert snapshot(task) == before


def test_a_service_called_without_an_actor_is_refused_outside_the_data_loaders(demo):
    with pytest.raises(PermissionDenied):
        task_edit(actor=None, task=demo["task"], expected_version=None, title="Anonymous")
