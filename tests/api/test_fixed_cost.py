"""What every API request pays before its own rows: the token and its owner in one query,
the standing from the cache, a detail read once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.tlp import TLP
from tests.factories import TaskFactory, UserFactory, WorkingGroupMembershipFactory, api_token_for


@pytest.fixture
def seated(db):
    """A working-group member reading one of their group's AMBER tasks with a token."""
    task = TaskFactory.create(tlp=TLP.AMBER, working_group__tlp=TLP.AMBER)
    person = UserFactory.create()
    WorkingGroupMembershipFactory.create(working_group=task.working_group, person=person)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(person)}")
    return client, task


def sql_of(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return [query["sql"] for query in queries.captured_queries]


def test_the_token_and_its_owner_are_one_query(seated):
    client, task = seated

    first, *rest = sql_of(client, f"/api/v1/tasks/{task.pk}/")

    assert '"forums_apitoken"' in first and '"auth_user"' in first
    assert not [sql for sql in rest if '"forums_apitoken"' in sql]


def test_a_task_detail_reads_the_task_once(seated):
    client, task = seated
    client.get(f"/api/v1/tasks/{task.pk}/")  # the standing is kept

    queries = sql_of(client, f"/api/v1/tasks/{task.pk}/")

    reads_of_the_task = [sql for sql in queries if sql.startswith('SELECT "workinggroups_task"')]
    assert len(reads_of_the_task) == 1
    # The token, then the task with all it shows (the list's one-row page).
    assert len(queries) == 2


def test_a_detail_still_honours_a_filter_it_is_sent(seated):
    client, task = seated
    other = task.working_group.pk + 1000

    assert client.get(f"/api/v1/tasks/{task.pk}/", {"working_group": other}).status_code == 404
    assert client.get(f"/api/v1/tasks/{task.pk}/", {"page_size": 5}).status_code == 200
