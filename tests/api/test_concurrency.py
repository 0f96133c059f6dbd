"""No lost updates: two clients holding the same ETag race, and exactly one wins.

The services lock the row (SELECT … FOR UPDATE) and compare versions under the lock
(forums.audit.lock_for_edit), so of two writers the second waits, then sees the first
one's version and gets 412. Real row locks need PostgreSQL: CI runs this module there
(DATABASE_URL=postgres://…). On SQLite (an in-memory database shared between threads
through one cache, where a second writer fails at once instead of waiting) the races run
their two requests one after the other, which checks the same outcome without the
concurrency; the test that proves the second writer waits is PostgreSQL's alone.
"""

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.audit import lock_for_edit
from forums.tlp import TLP
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
from workinggroups.models import Task, TaskUpdate, WorkingGroupMembership

pytestmark = pytest.mark.django_db(transaction=True)

NEEDS_POSTGRES = "needs PostgreSQL row locks: run with DATABASE_URL=postgres://…"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(db):
    """A working group with a lead and a member, the secretariat, and a task in progress."""
    forum = ForumFactory.create()
    meeting = MeetingFactory.create(forum=forum)
    group = WorkingGroupFactory.create(
        established_by=meeting, reports_to=MeetingFactory.create(forum=forum), tlp=TLP.GREEN
    )
    lead = UserFactory.create(username="race-lead")
    member = UserFactory.create(username="race-member")
    WorkingGroupMembershipFactory.create(
        working_group=group, person=lead, role=WorkingGroupMembership.Role.LEAD
    )
    WorkingGroupMembershipFactory.create(working_group=group, person=member)
    secretariat = UserFactory.create(username="race-secretariat")
    secretariat.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    task = TaskFactory.create(
        working_group=group, lead=lead, status=Task.Status.IN_PROGRESS, progress=40
    )
    task.outcomes.set(
        [OutcomeFactory.create(document=OutcomeDocumentFactory.create(meeting=meeting))]
    )
    tokens = {user.username: api_token_for(user) for user in (lead, member, secretariat)}
    return {"task": Task.objects.get(pk=task.pk), "tokens": tokens}


def client_for(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def race(*requests):
    """Run each request (a function of its own client) at the same moment; their responses.

    On PostgreSQL each runs in its own thread with its own client and database
    connection, released together by a barrier; elsewhere they run in order.
    """
    if not on_postgres():
        return [request() for request in requests]
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)
    errors: list = []

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            responses[index] = request()
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert not errors, errors
    return responses


def counts(task) -> tuple[int, int, int]:
    """(version, history rows, updates) of the task, as stored."""
    return (
        Task.objects.get(pk=task.pk).version,
        Task.history.filter(id=task.pk).count(),
        TaskUpdate.objects.filter(task_id=task.pk).count(),
    )


def test_two_patches_with_the_same_etag_one_wins_one_gets_412(team):
    task = team["task"]
    version, history, updates = counts(task)
    etag = task.etag
    url = f"/api/v1/tasks/{task.pk}/"

    def patch(token, title):
        return lambda: client_for(token).patch(
            url, {"title": title}, format="json", HTTP_IF_MATCH=etag
        )

    responses = race(
        patch(team["tokens"]["race-lead"], "Lead's title"),
        patch(team["tokens"]["race-secretariat"], "Secretariat's title"),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 412], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 412)
    stored = Task.objects.get(pk=task.pk)
    assert stored.version == version + 1
    assert stored.title == winner.json()["title"]
    assert winner["ETag"] == f'"{version + 1}"'
    assert loser["ETag"] == winner["ETag"]
    assert "changed" in loser.json()["detail"]
    assert counts(task) == (version + 1, history + 1, updates)
    latest = Task.history.filter(id=task.pk).latest("history_date")
    assert latest.title == stored.title
    assert latest.history_user.username in ("race-lead", "race-secretariat")


def test_two_updates_with_the_same_etag_one_is_posted_one_gets_412(team):
    task = team["task"]
    version, history, updates = counts(task)
    etag = task.etag
    url = f"/api/v1/tasks/{task.pk}/updates/"

    def post(token, progress):
        return lambda: client_for(token).post(
            url,
            {"progress": progress, "note": f"At {progress}%"},
            format="json",
            HTTP_IF_MATCH=etag,
        )

    responses = race(
        post(team["tokens"]["race-lead"], 60),
        post(team["tokens"]["race-member"], 70),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 412], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 201).json()
    stored = Task.objects.get(pk=task.pk)
    assert stored.progress == winner["update"]["progress"] == winner["task"]["progress"]
    assert counts(task) == (version + 1, history + 1, updates + 1)
    (posted,) = TaskUpdate.objects.filter(task_id=task.pk).order_by("-pk")[:1]
    assert posted.note == winner["update"]["note"]


def test_two_status_moves_without_etag_are_checked_one_after_the_other(team):
    """Both start from “In progress”: whichever goes second is checked against the first's
    status, where its move is no longer allowed, and told which moves are."""
    task = team["task"]
    version, history, updates = counts(task)
    url = f"/api/v1/tasks/{task.pk}/updates/"
    lead, member = team["tokens"]["race-lead"], team["tokens"]["race-member"]

    responses = race(
        lambda: client_for(lead).post(
            url, {"status": "ready", "note": "Draft agreed."}, format="json"
        ),
        lambda: client_for(member).post(
            url, {"status": "blocked", "note": "Waiting for legal advice."}, format="json"
        ),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 400], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 201).json()
    refused = next(r for r in responses if r.status_code == 400).json()
    moved_to = winner["task"]["status"]
    assert moved_to in ("ready", "blocked")
    allowed = {
        "ready": "Allowed from here: In progress, Ratified, Withdrawn.",
        "blocked": "Allowed from here: In progress, Withdrawn.",
    }[moved_to]
    message = " ".join(refused["status"])
    assert "Cannot move from" in message and allowed in message
    stored = Task.objects.get(pk=task.pk)
    assert stored.status == moved_to
    assert counts(task) == (version + 1, history + 1, updates + 1)
    (update,) = TaskUpdate.objects.filter(task_id=task.pk).order_by("-pk")[:1]
    assert (update.status_from, update.status_to) == ("in_progress", moved_to)


def test_many_writers_with_the_same_etag_exactly_one_wins(team):
    task = team["task"]
    version, history, updates = counts(task)
    etag = task.etag
    tokens = team["tokens"]

    def patch(token, n):
        return lambda: client_for(token).patch(
            f"/api/v1/tasks/{task.pk}/",
            {"description": f"Writer {n}"},
            format="json",
            HTTP_IF_MATCH=etag,
        )

    def post(token, n):
        return lambda: client_for(token).post(
            f"/api/v1/tasks/{task.pk}/updates/",
            {"note": f"Poster {n}"},
            format="json",
            HTTP_IF_MATCH=etag,
        )

    responses = race(
        patch(tokens["race-lead"], 1),
        patch(tokens["race-secretariat"], 2),
        post(tokens["race-member"], 3),
        post(tokens["race-lead"], 4),
    )

    statuses = [response.status_code for response in responses]
    assert sorted(statuses).count(412) == 3, [r.content for r in responses]
    assert set(statuses) - {412} <= {200, 201}
    won_update = 201 in statuses
    assert counts(task) == (version + 1, history + 1, updates + int(won_update))


@pytest.mark.skipif("not on_postgres()", reason=NEEDS_POSTGRES)
def test_a_writer_waits_for_the_row_lock_then_sees_the_new_version(team):
    """While one transaction holds the task's lock, a PATCH with the ETag read before it
    blocks; when the holder commits a new version, the PATCH answers 412."""
    task = team["task"]
    etag = task.etag
    locked = threading.Event()
    release = threading.Event()
    errors: list = []

    def holder():
        try:
            with transaction.atomic():
                row = lock_for_edit(Task.objects.all(), pk=task.pk, expected_version=None)
                locked.set()
                release.wait(timeout=20)
                row.version += 1
                row.save(update_fields=["version"])
        except BaseException as error:
            errors.append(error)
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(timeout=10)
    started = time.monotonic()
    releaser = threading.Timer(1.0, release.set)
    releaser.start()
    response = client_for(team["tokens"]["race-lead"]).patch(
        f"/api/v1/tasks/{task.pk}/", {"title": "Too late"}, format="json", HTTP_IF_MATCH=etag
    )
    waited = time.monotonic() - started
    thread.join(timeout=30)
    releaser.join()
    assert not errors, errors
    assert waited >= 0.9, f"the PATCH did not wait for the lock ({waited:.2f}s)"
    assert response.status_code == 412, response.content
    assert response["ETag"] == f'"{task.version + 1}"'
    assert Task.objects.get(pk=task.pk).title == task.title
