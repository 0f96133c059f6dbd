"""The benchmark's own parts: its generated data has the real shapes, its floor answers
the same page as the API, and the API's queries do not grow with the page's depth.

PostgreSQL only (the generator is INSERT … SELECT generate_series); skipped on SQLite
like the other PostgreSQL tests. No timings are asserted: `make bench` prints them.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench import data, floor
from bench.__main__ import deep_cursor, reader
from forums.models import Chair, ForumMembership, Meeting, Profile
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from workinggroups.models import (
    ReminderPreference,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)

TODAY = datetime.date(2027, 3, 1)


@pytest.fixture
def tiny(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the benchmark generates its data in PostgreSQL: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/talanoa_benchtest"
        )
    cache.clear()
    return data.generate("tiny", TODAY, log=lambda message: None)


@pytest.fixture
def api(tiny):
    _user, token, audience = reader()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, token, audience


def test_the_generator_makes_the_asked_counts_in_the_real_shapes(tiny):
    size = data.SIZES["tiny"]
    assert Meeting.objects.count() == size["forums"] * data.MEETINGS_PER_FORUM
    assert Outcome.objects.count() == size["outcomes"]
    assert Task.objects.count() == size["tasks"]
    assert Profile.objects.count() == size["people"]
    assert ReminderPreference.objects.count() == size["people"]
    assert WorkingGroup.objects.count() == size["people"] // 10
    assert Chair.objects.count() == Meeting.objects.count()
    assert ForumMembership.objects.count() == size["forums"] * data.SEATS_PER_FORUM
    # The report's meeting adopts 500 outcomes (tiny: a quarter of them) and has work.
    report = Meeting.objects.get(pk=data.report_meeting_id())
    assert OutcomeDocument.objects.get(meeting=report).outcomes.count() == min(
        data.REPORT_OUTCOMES, size["outcomes"] // 4
    )
    assert Task.objects.filter(reports_to=report).exists()
    # People sit on several groups; each group has one lead; work has updates and links.
    seats = WorkingGroupMembership.objects.filter(person_id=50).count()
    assert 2 <= seats <= 3
    leads = WorkingGroupMembership.objects.filter(role="lead")
    assert leads.count() == WorkingGroup.objects.count()
    assert TaskUpdate.objects.count() > size["tasks"]
    assert OutcomeLink.objects.filter(target_document__isnull=False).exists()
    assert OutcomeLink.objects.filter(target_outcome__isnull=False).exists()
    assert Outcome.objects.filter(parent__isnull=False).exists()
    # Due dates spread around today: some overdue, some still ahead; every status used.
    open_tasks = Task.objects.open()
    assert open_tasks.filter(due_on__lt=TODAY).exists()
    assert open_tasks.filter(due_on__gte=TODAY).exists()
    assert set(Task.objects.values_list("status", flat=True)) == set(Task.Status.values)


def test_generated_rows_pass_the_models_own_validation(tiny):
    """The generator skips the services: its rows must still be ones they would accept."""
    samples = [
        *Task.objects.order_by("?")[:25],
        *Outcome.objects.filter(parent__isnull=False).order_by("?")[:25],
        *Outcome.objects.order_by("?")[:25],
        *WorkingGroup.objects.order_by("?")[:10],
        *WorkingGroupMembership.objects.order_by("?")[:10],
        *Meeting.objects.all()[:10],
        *OutcomeLink.objects.all()[:10],
    ]
    for row in samples:
        row.full_clean(validate_unique=False)
    # Foreign keys were not checked while loading (session_replication_role): check them.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM workinggroups_task AS t
               LEFT JOIN auth_user AS u ON u.id = t.lead_id
               LEFT JOIN forums_meeting AS m ON m.id = t.reports_to_id
               WHERE u.id IS NULL OR m.id IS NULL"""
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            """SELECT count(*) FROM workinggroups_task_outcomes AS x
               JOIN workinggroups_task AS t ON t.id = x.task_id
               JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
               JOIN outcomes_outcome AS o ON o.id = x.outcome_id
               WHERE o.document_id <> g.established_by_id"""
        )
        assert cursor.fetchone()[0] == 0


def test_a_second_run_reuses_the_data_set_it_finds(tiny):
    assert data.current()["size"] == "tiny"
    again = data.ensure("tiny", TODAY, log=lambda message: None)
    assert again["seconds"] == tiny["seconds"]  # read from the marker, not generated


PAGES = [
    "tasks/?mine=true",
    "tasks/?working_group={group}",
    "tasks/?overdue=true",
    "tasks/",
    "outcomes/?document={document}",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_floor_answers_the_same_rows_in_the_same_order_as_the_api(api, path):
    client, token, audience = api
    path = path.format(group=min(audience.groups), document=data.report_meeting_id())
    make = floor.task_page if path.startswith("tasks") else floor.outcome_page
    query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    connection.ensure_connection()
    raw = connection.connection
    url = f"/api/v1/{path}{'&' if '?' in path else '?'}page_size=20"
    for _page in range(3):  # the first page, then two by their cursors
        body = client.get(url).json()
        page = make(raw, token=token, query=query, page_size=20)
        assert [row["id"] for row in page["results"]] == [row["id"] for row in body["results"]]
        assert page["results"], path
        assert set(page["results"][0]) == set(body["results"][0])
        if not body["next"]:
            break
        url = body["next"]
        query["cursor"] = parse_qs(urlsplit(url).query)["cursor"][0]


def test_the_api_makes_as_many_queries_for_a_deep_page_as_for_the_first(api):
    client, token, _audience = api
    cursor = deep_cursor(token, 20)
    assert cursor is not None
    counts = []
    for url in ("/api/v1/tasks/", f"/api/v1/tasks/?cursor={cursor}"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.json()["results"]) == 50
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # And the deep page is the one the floor says it is.
    deep = client.get(f"/api/v1/tasks/?cursor={cursor}").json()["results"]
    expected = floor.task_page(connection.connection, token=token, query={"cursor": cursor})
    assert [row["id"] for row in deep] == [row["id"] for row in expected["results"]]
