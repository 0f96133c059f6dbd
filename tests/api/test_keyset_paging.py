"""Keyset paging (forums.api.base.CursorPagination) on orderings full of ties.

Many tasks share a due date (or have none): every row must come exactly once, in the
ordering's order, walking forwards through `next` and back through `previous`.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from tests.factories import TaskFactory, UserFactory, WorkingGroupFactory, api_token_for
from workinggroups.models import Task

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 3, 1)


@pytest.fixture
def officer() -> APIClient:
    cache.clear()  # the API's rate limits count in the cache
    user = UserFactory.create(username="paging-officer")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.fixture
def tasks():
    """70 tasks due the same day, 30 with no due date, 20 on other days, shuffled ids."""
    group = WorkingGroupFactory.create()
    days = [DAY] * 70 + [None] * 30 + [DAY + datetime.timedelta(days=d - 10) for d in range(20)]
    for index, due_on in enumerate(days):
        TaskFactory.create(working_group=group, due_on=due_on, title=f"Task {index}")
    return list(Task.objects.all())


def due_key(task: Task):
    # The API's due order: no due date sorts last (Task.due_sort), ties by id.
    return (task.due_on or datetime.date.max, task.pk)


def walk(client: APIClient, url: str, link: str) -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
    return pages


@pytest.mark.parametrize(
    ("ordering", "key", "descending"),
    [
        ("due", due_key, False),
        ("-due", due_key, True),
        ("id", lambda task: task.pk, False),
        ("-id", lambda task: task.pk, True),
    ],
)
def test_every_task_comes_once_in_order_forwards_and_backwards(
    officer, tasks, ordering, key, descending
):
    expected = [task.pk for task in sorted(tasks, key=key, reverse=descending)]

    forwards = walk(officer, f"/api/v1/tasks/?ordering={ordering}&page_size=25", "next")

    assert [len(page) for page in forwards] == [25, 25, 25, 25, 20]
    assert [pk for page in forwards for pk in page] == expected

    # From the last page back to the first through `previous`: the same pages again.
    last = officer.get(f"/api/v1/tasks/?ordering={ordering}&page_size=25")
    url = last.json()["next"]
    while (body := officer.get(url).json())["next"]:
        url = body["next"]
    backwards = walk(officer, url, "previous")
    assert backwards[::-1] == forwards


def test_a_row_added_behind_the_cursor_does_not_shift_the_next_page(officer, tasks):
    first = officer.get("/api/v1/tasks/?page_size=25").json()
    TaskFactory.create(
        working_group=tasks[0].working_group, due_on=DAY - datetime.timedelta(days=99)
    )
    second = officer.get(first["next"]).json()
    expected = [task.pk for task in sorted(tasks, key=due_key)][25:50]
    assert [row["id"] for row in second["results"]] == expected
