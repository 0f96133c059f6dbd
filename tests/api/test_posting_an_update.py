"""POST /api/v1/tasks/<id>/updates/: a fixed few statements, and every rule kept.

The service reads the task once, locked, as the answer shows it; writes the task, its
history row with its outcomes and the update; and the answer is made from what it read
and wrote. These tests hold the statement count, the history row, the answer against a
fresh read of the task, and a stale If-Match refused with nothing written.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.tlp import TLP
from tests.conftest import secretariat_officer
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.models import Task, TaskUpdate

# What the benchmark allows posting an update (docs/benchmark.md, issue 24).
MAX_STATEMENTS = 8


class Setting:
    """A member of a group, its task serving an outcome they read and one they may not."""

    def __init__(self):
        self.forum = forum = ForumFactory.create()
        group = WorkingGroupFactory.create(
            established_by=MeetingFactory.create(forum=forum),
            reports_to=MeetingFactory.create(forum=forum),
        )
        self.member = UserFactory.create(username="poster")
        WorkingGroupMembershipFactory.create(working_group=group, person=self.member)
        self.task = TaskFactory.create(
            working_group=group, status=Task.Status.IN_PROGRESS, progress=10
        )
        document = OutcomeDocumentFactory.create(meeting=group.established_by)
        self.readable = OutcomeFactory.create(document=document)
        # AMBER in a forum the member has no part in: linked, but not theirs to read.
        self.hidden = OutcomeFactory.create(tlp=TLP.AMBER)
        self.task.outcomes.add(self.readable, self.hidden)
        self.url = f"/api/v1/tasks/{self.task.pk}/updates/"

    def client(self, user=None) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user or self.member)}")
        return client

    def etag(self, client: APIClient) -> str:
        return client.get(f"/api/v1/tasks/{self.task.pk}/")["ETag"]


@pytest.fixture
def setting(db):
    return Setting()


def statements_sent(captured: list[dict]) -> list[str]:
    """The statements the benchmark counts (bench/middleware.py, an execute wrapper): all
    but the transaction's BEGIN and COMMIT, which on PostgreSQL Django and the driver send
    without a cursor (SQLite's `BEGIN IMMEDIATE` goes through one: left out alike)."""
    return [
        query["sql"]
        for query in captured
        if query["sql"] != "COMMIT" and not query["sql"].startswith("BEGIN")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_member_posting_an_update_makes_at_most_8_statements():
    setting = Setting()
    client = setting.client()
    etag = setting.etag(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            setting.url, {"note": "Drafted.", "progress": 40}, format="json", HTTP_IF_MATCH=etag
        )
    assert response.status_code == 201, response.content
    sent = statements_sent(captured.captured_queries)
    listing = "\n".join(sql[:160] for sql in sent)
    assert len(sent) <= MAX_STATEMENTS, f"{len(sent)} statements:\n{listing}"
    # One transaction, no savepoint inside it: the view's and the service's are one.
    assert not [sql for sql in sent if sql.startswith(("SAVEPOINT", "RELEASE"))], listing


def test_the_history_row_records_the_change_with_every_outcome(setting):
    response = setting.client().post(
        setting.url, {"note": " Sent to the chair. ", "status": "ready"}, format="json"
    )
    assert response.status_code == 201, response.content
    row = setting.task.history.latest("history_id")
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "~",
        setting.member,
        "Sent to the chair.",
    )
    assert (row.status, row.progress, row.version) == ("ready", 100, 2)
    # Every link, the one its author may not read too, as the task's through rows stand.
    through = Task.outcomes.through.objects.filter(task=setting.task)
    links = set(through.values_list("id", "outcome"))
    assert set(row.outcomes.values_list("id", "outcome")) == links
    assert {outcome for _, outcome in links} == {setting.readable.pk, setting.hidden.pk}


def test_the_answer_is_the_task_as_a_read_after_it_shows_it(setting):
    client = setting.client()
    etag = setting.etag(client)
    response = client.post(
        setting.url, {"note": "Drafted.", "progress": 40}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    detail = client.get(f"/api/v1/tasks/{setting.task.pk}/")
    assert response.json()["task"] == detail.json()
    assert response["ETag"] == detail["ETag"] == f'"{detail.json()["version"]}"'
    task = response.json()["task"]
    assert [outcome["id"] for outcome in task["outcomes"]] == [setting.readable.pk]
    assert task["latest_update"] == response.json()["update"]
    assert (task["progress"], task["version"]) == (40, 2)


@pytest.mark.parametrize("poster", ["member", "secretariat"])
def test_a_red_update_answers_the_task_as_its_author_reads_it(setting, poster):
    user = setting.member if poster == "member" else secretariat_officer()
    client = setting.client(user)
    response = client.post(setting.url, {"note": "For the chair.", "tlp": "red"}, format="json")
    assert response.status_code == 201, response.content
    detail = client.get(f"/api/v1/tasks/{setting.task.pk}/")
    assert response.json()["task"] == detail.json()
    assert response["ETag"] == detail["ETag"]


def test_a_stale_if_match_is_412_and_writes_nothing(setting):
    client = setting.client()
    stale = setting.etag(client)
    assert client.post(setting.url, {"progress": 30}, format="json").status_code == 201
    before = (TaskUpdate.objects.count(), setting.task.history.count())
    response = client.post(setting.url, {"progress": 40}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412, response.content
    assert response["ETag"] == '"2"'
    assert (TaskUpdate.objects.count(), setting.task.history.count()) == before
    setting.task.refresh_from_db()
    assert (setting.task.progress, setting.task.version) == (30, 2)


def test_a_bad_body_from_someone_who_may_not_post_is_refused_as_before_it_is_read(setting):
    # They sit on another group of the forum: they read the task, but it is not theirs.
    neighbour = WorkingGroupMembershipFactory.create(
        working_group__established_by=MeetingFactory.create(forum=setting.forum)
    )
    outsider = setting.client(neighbour.person)
    assert outsider.post(setting.url, {"progress": 500}, format="json").status_code == 403
    assert outsider.post(setting.url, {"progress": 40}, format="json").status_code == 403
    hidden = TaskFactory.create(tlp=TLP.AMBER)
    url = f"/api/v1/tasks/{hidden.pk}/updates/"
    assert outsider.post(url, {"progress": 500}, format="json").status_code == 404
    assert outsider.post(url, {"progress": 40}, format="json").status_code == 404
    member = setting.client()
    response = member.post(setting.url, {"progress": 500}, format="json")
    assert response.status_code == 400
    assert "progress" in response.json()
    assert TaskUpdate.objects.count() == 0
