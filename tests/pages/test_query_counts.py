"""Each page makes the same number of queries with 2 rows as with 20: no query per row.

Rows are planted with what the page shows of them (a task's group and meeting, a group's
members, an outcome's document and meeting), spread over several groups, documents and
meetings so that a lookup per group or per document would show too. Every request is a
fresh one from a signed-in browser, so nothing is cached on the user between them.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.tlp import TLP
from tests.factories import (
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.pages.conftest import client_for
from workinggroups.models import Task, WorkingGroupMembership
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

S = Task.Status
STATUSES = [S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.READY]
_numbers = itertools.count(1)


def queries_for(client, path: str) -> int:
    """The steady count: a first request keeps the reader's standing in the cache."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def plant_tasks(team, count: int, *, spread: bool = True) -> list[Task]:
    """`count` open tasks, due on days around now, of the team's group and (`spread`)
    of a second group the member sits on."""
    groups = [team["group"]]
    if spread:
        second = WorkingGroupFactory.create(
            name=f"Second group {next(_numbers)}",
            established_by=team["established"],
            reports_to=team["next_meeting"],
        )
        WorkingGroupMembershipFactory.create(working_group=second, person=team["member"])
        groups.append(second)
    today = datetime.date.today()
    tasks = []
    for i in range(count):
        task = TaskFactory.create(
            working_group=groups[i % len(groups)],
            title=f"Planted task {next(_numbers)}",
            due_on=today + datetime.timedelta(days=(i * 11) % 40 - 10),
            status=STATUSES[i % len(STATUSES)],
            lead=team["lead"] if i % 3 else None,
        )
        tasks.append(task)
    return tasks


def plant_members(group, count: int) -> None:
    for _i in range(count):
        WorkingGroupMembershipFactory.create(
            working_group=group,
            person=UserFactory.create(username=f"seat{next(_numbers)}"),
            role=WorkingGroupMembership.Role.MEMBER,
        )


def plant_outcomes(team, count: int) -> None:
    """`count` public outcomes over several documents of several meetings."""
    documents = []
    for _i in range(max(1, count // 5)):
        sequence = 10 + next(_numbers)
        meeting = MeetingFactory.create(
            forum=team["forum"],
            sequence=sequence,
            start_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=sequence),
            end_date=datetime.date(2030, 1, 2) + datetime.timedelta(days=sequence),
        )
        documents.append(OutcomeDocumentFactory.create(meeting=meeting, code=f"HOS/{sequence}"))
    for i in range(count):
        OutcomeFactory.create(document=documents[i % len(documents)], tlp=TLP.CLEAR)


def test_my_work_queries_do_not_grow_with_tasks(team):
    plant_tasks(team, 2)
    small = queries_for(client_for(team["member"]), "/work/")
    plant_tasks(team, 18)
    response = client_for(team["member"]).get("/work/")
    assert sum(len(section.tasks) for section in response.context["sections"]) >= 20
    big = queries_for(client_for(team["member"]), "/work/")
    assert small == big


@pytest.mark.parametrize("reader", ["member", "delegate", "officer"])
def test_working_group_page_queries_do_not_grow_with_tasks_or_members(team, reader):
    group = team["group"]
    path = f"/working-groups/{group.pk}/"
    plant_tasks(team, 2, spread=False)
    plant_members(group, 2)
    small = queries_for(client_for(team[reader]), path)
    plant_tasks(team, 18, spread=False)
    plant_members(group, 18)
    big = queries_for(client_for(team[reader]), path)
    assert group.tasks.count() > 20 and group.memberships.count() > 20
    assert small == big


@pytest.mark.parametrize("reader", [None, "officer"])
def test_public_forum_page_queries_do_not_grow_with_outcomes(team, reader):
    person = team[reader] if reader else None
    plant_outcomes(team, 2)
    small = queries_for(client_for(person), "/forums/HOS/")
    plant_outcomes(team, 18)
    response = client_for(person).get("/forums/HOS/")
    assert len(response.context["page"].object_list) == 21  # 20 planted + HOS/4/15
    big = queries_for(client_for(person), "/forums/HOS/")
    assert small == big


def test_task_page_queries_do_not_grow_with_updates_or_outcomes(team):
    treaty, member = team["treaty"], team["member"]
    path = f"/tasks/{treaty.pk}/"

    def plant(count: int) -> None:
        for _i in range(count):
            task_update_status(actor=member, task=treaty, note=f"Note {next(_numbers)}.")
        document = OutcomeDocumentFactory.create(
            meeting=team["established"], code=f"HOS/4/x{next(_numbers)}"
        )
        treaty.outcomes.add(*[OutcomeFactory.create(document=document) for _i in range(count)])

    plant(2)
    small = queries_for(client_for(member), path)
    plant(18)
    big = queries_for(client_for(member), path)
    assert treaty.updates.count() == 20
    assert small == big


def test_meeting_page_queries_do_not_grow_with_outcomes_or_tasks(team):
    meeting = team["next_meeting"]
    path = f"/meetings/{meeting.pk}/"

    def plant(count: int) -> None:
        document = OutcomeDocumentFactory.create(meeting=meeting, code=f"HOS/5/d{next(_numbers)}")
        for _i in range(count):
            OutcomeFactory.create(document=document)
        plant_tasks(team, count)

    plant(2)
    small = queries_for(client_for(team["chair"]), path)
    plant(18)
    big = queries_for(client_for(team["chair"]), path)
    assert small == big
