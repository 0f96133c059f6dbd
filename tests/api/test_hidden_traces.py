"""Nothing about a hidden thing shows through what the reader may read: not a parent's
code, not a version, not a time, not an ETag.

A RED outcome may name other recipients than its RED parent; a GREEN task may carry
AMBER or RED updates its GREEN readers may not read. Each test reads as someone who sees
the item but not the hidden thing, and looks for the hidden thing's trace.
"""

import pytest
from rest_framework.test import APIClient

from forums.tlp import TLP
from tests.factories import (
    OutcomeFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import WorkingGroupMembership
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def red_parent_and_named_child():
    """JHOPS/5/12 and its sub-item, both RED: the reader is named on the sub-item only."""
    reader = UserFactory.create(username="named-on-the-child")
    parent = OutcomeFactory.create(tlp=TLP.RED, number="12")
    parent.recipients.set([UserFactory.create(username="named-on-the-parent")])
    child = OutcomeFactory.create(document=parent.document, parent=parent, number="13", tlp=TLP.RED)
    child.recipients.set([reader])
    return reader, parent, child


def test_an_outcomes_hidden_parent_is_not_cited_in_its_detail(red_parent_and_named_child):
    reader, parent, child = red_parent_and_named_child
    client = client_of(reader)
    assert client.get(f"/api/v1/outcomes/{parent.pk}/").status_code == 404
    response = client.get(f"/api/v1/outcomes/{child.pk}/")
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert parent.citation_code not in response.content.decode()


def test_an_outcomes_hidden_parent_is_not_cited_in_the_list(red_parent_and_named_child):
    reader, _parent, child = red_parent_and_named_child
    rows = client_of(reader).get("/api/v1/outcomes/").json()["results"]
    assert [(row["id"], row["parent"]) for row in rows] == [(child.pk, None)]


def test_a_visible_parent_is_still_cited(red_parent_and_named_child):
    reader, parent, child = red_parent_and_named_child
    parent.recipients.add(reader)
    client = client_of(reader)
    assert client.get(f"/api/v1/outcomes/{child.pk}/").json()["parent"] == parent.citation_code
    rows = client.get("/api/v1/outcomes/").json()["results"]
    assert {row["id"]: row["parent"] for row in rows}[child.pk] == parent.citation_code


@pytest.fixture
def task_with_a_hidden_update():
    """A GREEN task: its member reads it; a RED update names only the lead."""
    task = TaskFactory.create(tlp=TLP.GREEN)
    lead = WorkingGroupMembershipFactory.create(
        working_group=task.working_group, role=WorkingGroupMembership.Role.LEAD
    ).person
    member = WorkingGroupMembershipFactory.create(working_group=task.working_group).person
    return task, lead, member


def post_hidden_update(task, lead):
    update = task_update_status(actor=lead, task=task, note="bluefin sighting", tlp=TLP.RED)
    update.recipients.set([lead])
    return update


def test_a_hidden_update_moves_neither_version_nor_time_nor_etag(task_with_a_hidden_update):
    task, lead, member = task_with_a_hidden_update
    client = client_of(member)
    before = client.get(f"/api/v1/tasks/{task.pk}/")
    post_hidden_update(task, lead)
    after = client.get(f"/api/v1/tasks/{task.pk}/")
    assert "bluefin" not in after.content.decode()
    for field in ("version", "updated_at", "etag"):
        assert after.json()[field] == before.json()[field], field
    assert after["ETag"] == before["ETag"]
    row = client.get("/api/v1/tasks/").json()["results"][0]
    for field in ("version", "updated_at", "etag"):
        assert row[field] == before.json()[field], field


def test_the_lead_named_on_the_update_sees_the_task_move(task_with_a_hidden_update):
    task, lead, _member = task_with_a_hidden_update
    client = client_of(lead)
    before = client.get(f"/api/v1/tasks/{task.pk}/").json()
    post_hidden_update(task, lead)
    after = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert after["version"] == before["version"] + 1
    assert after["etag"] != before["etag"]
    assert after["updated_at"] > before["updated_at"]


def test_ordering_by_update_time_ignores_hidden_updates(task_with_a_hidden_update):
    task, lead, member = task_with_a_hidden_update
    later = TaskFactory.create(working_group=task.working_group, tlp=TLP.GREEN)
    task_update_status(actor=member, task=later, note="visible progress")
    post_hidden_update(task, lead)
    rows = client_of(member).get("/api/v1/tasks/", {"ordering": "-updated"}).json()["results"]
    assert [row["id"] for row in rows] == [later.pk, task.pk]
    rows = client_of(lead).get("/api/v1/tasks/", {"ordering": "-updated"}).json()["results"]
    assert [row["id"] for row in rows] == [task.pk, later.pk]


def test_a_hidden_update_does_not_refuse_a_writers_etag_nor_tell_its_number(
    task_with_a_hidden_update,
):
    task, lead, member = task_with_a_hidden_update
    client = client_of(member)
    etag = client.get(f"/api/v1/tasks/{task.pk}/")["ETag"]
    post_hidden_update(task, lead)
    posted = client.post(
        f"/api/v1/tasks/{task.pk}/updates/", {"note": "my progress"}, HTTP_IF_MATCH=etag
    )
    assert posted.status_code == 201, posted.content
    # The ETag a writer read is refused once a change they can read is made since.
    stale = client.post(f"/api/v1/tasks/{task.pk}/updates/", {"note": "again"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["ETag"] == posted["ETag"]
    task.refresh_from_db()
    assert f"now version {task.version}" not in stale.json()["detail"]


def test_a_concurrent_readable_update_is_still_refused(task_with_a_hidden_update):
    task, lead, member = task_with_a_hidden_update
    etag = client_of(member).get(f"/api/v1/tasks/{task.pk}/")["ETag"]
    task_update_status(actor=lead, task=task, note="seen by the group")
    stale = client_of(member).post(
        f"/api/v1/tasks/{task.pk}/updates/", {"note": "mine"}, HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert task.updates.count() == 1
