"""The task and outcome lists build their pages from rows (workinggroups/api/task_list.py,
outcomes/api/outcome_list.py), not through their serializers: every row they show must be
exactly what the item's detail shows, to every reader, or the list and the detail would
disagree and the list's schema would lie.

The visibility world (test_tlp_visibility.py) plants every label on every kind of row,
links both ways between labels, and recipients; the fixture adds what it leaves empty."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from forums.models import Meeting
from outcomes.api.views import outcomes_for
from outcomes.models import OutcomeDocument, OutcomeLink
from tests.api.test_tlp_visibility import ROLES, World, read_all
from tests.factories import MemberFactory, OutcomeFactory, UserFactory
from workinggroups.api.outcomes import OutcomeWithImplementationSerializer
from workinggroups.api.serializers import TaskSerializer
from workinggroups.api.views import tasks_for
from workinggroups.implementation import with_standings
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = World()
    tasks = list(Task.objects.order_by("pk"))
    # What the visibility world leaves empty: a lead with and without a full name, a
    # meeting named by its title and one with no time zone, an update nobody wrote, and
    # outcomes of two documents (their order).
    named = UserFactory.create(username="row-lead", first_name="Mere", last_name="Tuilagi")
    bare = UserFactory.create(username="row-lead-2", first_name="", last_name="")
    titled = Meeting.objects.create(
        forum=world.vis,
        sequence=9,
        title="Special Session",
        start_date=datetime.date(2031, 3, 1),
        time_zone=None,
    )
    for n, task in enumerate(tasks):
        task.lead = (named, bare, None)[n % 3]
        task.reports_to = (titled, task.reports_to, None)[n % 3]
        task.due_on = None if n % 4 == 0 else task.due_on
        task.save()
    later = OutcomeDocument.objects.filter(tlp=0).order_by("-pk").first()
    extra = OutcomeFactory.create(document=later, number="99", position=99, tlp=0)
    for task in tasks[:3]:
        task.outcomes.add(extra)
    TaskUpdate.objects.create(
        task=tasks[0],
        author=None,
        status_from="not_started",
        status_to="not_started",
        progress=0,
        note="x",
    )
    # An outcome's parent, responsible members, and links to whole documents (one the
    # delegate may read, one they may not).
    clear = world.o_clear
    OutcomeFactory.create(document=clear.document, number="1(a)", position=98, parent=clear, tlp=0)
    clear.responsible.set([MemberFactory.create(name="Fiji"), MemberFactory.create(name="Samoa")])
    for document in OutcomeDocument.objects.filter(tlp__in=[0, 3]):
        OutcomeLink.objects.create(source=clear, kind="implements", target_document=document)
    return world


@pytest.mark.parametrize("resource", ["tasks", "outcomes"])
@pytest.mark.parametrize("role", ROLES)
def test_every_list_row_is_the_items_detail(world, role, resource):
    cache.clear()
    client = world.client(role)
    rows = read_all(client, f"/api/v1/{resource}/")
    assert rows or role == "anonymous"
    for row in rows:
        detail = client.get(f"/api/v1/{resource}/{row['id']}/")
        assert detail.status_code == 200
        assert row == detail.json()
        # Key order too: clients that diff JSON text see the same document.
        assert list(row) == list(detail.json())


@pytest.mark.parametrize("role", ROLES)
def test_every_task_row_is_the_serializers_representation(world, role):
    """A task's detail is the list's one-row page: both are held to the contract itself,
    TaskSerializer over the models, as the answers of the writes still make it."""
    cache.clear()
    rows = read_all(world.client(role), "/api/v1/tasks/")
    reader = world.users.get(role, AnonymousUser())
    tasks = {task.pk: task for task in tasks_for(reader)}
    assert set(tasks) == {row["id"] for row in rows}
    for row in rows:
        expected = json.loads(JSONRenderer().render(TaskSerializer(tasks[row["id"]]).data))
        assert row == expected
        assert list(row) == list(expected)


@pytest.mark.parametrize("role", ROLES)
def test_every_outcome_row_is_the_serializers_representation(world, role):
    """The outcome list and detail share one query (outcome_list.py), so the test above
    cannot tell them apart from the contract: each row is held against what the serializer
    gives for the outcome read as a model, as an edit answers it."""
    cache.clear()
    user = world.users.get(role, AnonymousUser())
    rows = read_all(world.client(role), "/api/v1/outcomes/")
    outcomes = with_standings(outcomes_for(user).filter(pk__in=[row["id"] for row in rows]), user)
    expected = {
        outcome.pk: json.loads(
            JSONRenderer().render(OutcomeWithImplementationSerializer(outcome).data)
        )
        for outcome in outcomes
    }
    assert rows or role == "anonymous"
    for row in rows:
        assert row == expected[row["id"]]
        assert list(row) == list(expected[row["id"]])
        for field in ("links_out", "links_in", "responsible"):
            assert [list(item) for item in row[field]] == [
                list(item) for item in expected[row["id"]][field]
            ]


def test_task_rows_carry_every_part_the_world_planted(world):
    """The comparison above is not vacuous: the secretariat's list holds each shape."""
    cache.clear()
    rows = read_all(world.client("secretariat"), "/api/v1/tasks/")
    assert {row["lead"]["name"] if row["lead"] else None for row in rows} == {
        "Mere Tuilagi",
        "",
        None,
    }
    assert {row["reports_to"]["name"] for row in rows if row["reports_to"]} >= {"Special Session"}
    assert any(row["reports_to"] is None for row in rows)
    assert any(row["due_on"] is None for row in rows)
    assert any(len({o["citation_code"].split("/")[0] for o in row["outcomes"]}) for row in rows)
    assert any(row["latest_update"] and row["latest_update"]["author"] is None for row in rows)


def test_outcome_rows_carry_every_part_the_world_planted(world):
    cache.clear()
    rows = read_all(world.client("secretariat"), "/api/v1/outcomes/")
    assert any(row["parent"] for row in rows)
    assert any(row["responsible"] for row in rows)
    links = [link for row in rows for link in row["links_out"] + row["links_in"]]
    assert any(link["target_outcome"] for link in links)
    assert any(link["target_document"] for link in links)
    assert any(len(row["links_out"]) > 1 for row in rows)
