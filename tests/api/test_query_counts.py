"""Every list and detail makes a fixed number of queries, however many rows it shows.

Rows are planted with the nested data their representations carry (a task's outcomes,
lead and latest update; an outcome's links and responsible members; a group's members;
a meeting's chairs and hostings), then each endpoint is read once with 1 unit planted
and once with 50: the two counts must be equal. Readers are a working-group member (the
TLP filters of forums.access are in the queries) and the secretariat (they are not).

Clients sign in with a token, so every request loads its user afresh: a user object
reused between requests would carry its cached audience and hide its queries.
"""

import datetime
import itertools
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.models import Chair, ForumMembership, Hosting
from forums.tlp import TLP
from outcomes.models import OutcomeLink
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.models import TaskUpdate, WorkingGroupMembership

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/forums/",
    "/api/v1/members/",
    "/api/v1/meetings/",
    "/api/v1/outcome-documents/",
    "/api/v1/outcomes/",
    "/api/v1/working-groups/",
    "/api/v1/tasks/",
]

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


class Planting:
    """One forum; `plant(n)` adds n units of everything, each with its nested rows."""

    def __init__(self):
        self.forum = ForumFactory.create(secretariat=MemberFactory.create(name="SPC"))
        # The meeting every group reports to: far in the sequence, so always later.
        self.report_meeting = MeetingFactory.create(
            forum=self.forum,
            sequence=30000,
            start_date=datetime.date(2030, 8, 1),
            end_date=datetime.date(2030, 8, 2),
        )
        self.member = UserFactory.create(username="qc-member")
        ProfileFactory.create(user=self.member, member=MemberFactory.create(name="Tonga"))
        ForumMembership.objects.create(forum=self.forum, member=self.member.profile.member)
        self.secretariat = UserFactory.create(username="qc-secretariat")
        self.secretariat.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
        self.tasks = []
        self.previous_document = None

    def plant(self, count: int) -> None:
        for _ in range(count):
            self._unit()

    def _unit(self) -> None:
        n = next(_numbers)
        country = MemberFactory.create(name=f"Island state {n}", parent=self.forum.secretariat)
        meeting = MeetingFactory.create(forum=self.forum, sequence=n, title="")
        Chair.objects.create(meeting=meeting, member=country, person=UserFactory.create())
        Hosting.objects.create(
            meeting=meeting, member=country, status=Hosting.Status.PLANNED, announced_at=meeting
        )
        document = OutcomeDocumentFactory.create(meeting=meeting, tlp=TLP.GREEN, code=f"QC/{n}")
        first = OutcomeFactory.create(document=document, tlp=TLP.GREEN)
        second = OutcomeFactory.create(document=document, tlp=TLP.AMBER, parent=first)
        hidden = OutcomeFactory.create(document=document, tlp=TLP.RED)  # the member may not see it
        first.responsible.add(country, self.forum.secretariat)
        OutcomeLink.objects.create(
            source=second, kind=OutcomeLink.Kind.REAFFIRMS, target_outcome=first
        )
        OutcomeLink.objects.create(
            source=hidden, kind=OutcomeLink.Kind.SUPERSEDES, target_outcome=first
        )
        if self.previous_document is not None:
            OutcomeLink.objects.create(
                source=first,
                kind=OutcomeLink.Kind.PURSUANT_TO,
                target_document=self.previous_document,
            )
        self.previous_document = document

        group = WorkingGroupFactory.create(
            established_by=meeting,
            reports_to=self.report_meeting,
            establishing_outcome=first,
            tlp=TLP.AMBER,
        )
        lead = UserFactory.create(first_name="Lead", last_name=str(n))
        WorkingGroupMembershipFactory.create(
            working_group=group,
            person=lead,
            role=WorkingGroupMembership.Role.LEAD,
            represents=country,
        )
        WorkingGroupMembershipFactory.create(
            working_group=group, person=self.member, represents=country
        )
        WorkingGroupMembershipFactory.create(working_group=group)

        task = TaskFactory.create(working_group=group, lead=lead, tlp=TLP.AMBER)
        task.outcomes.set([first, second])
        for author, tlp in [(lead, TLP.AMBER), (self.member, TLP.AMBER), (lead, TLP.RED)]:
            TaskUpdate.objects.create(
                task=task,
                author=author,
                status_from="not_started",
                status_to="not_started",
                progress=10,
                note=f"Update by {author}",
                tlp=tlp,
            )
        secret = TaskFactory.create(
            working_group=group, lead=lead, tlp=TLP.RED
        )  # hidden from member
        secret.recipients.add(lead)
        secret.outcomes.add(first)  # counted in the secretariat's figures, not the member's
        self.tasks.append(task)

    def client(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client


@pytest.fixture
def planting(db):
    return Planting()


def measured(client, url, **params):
    """(number of queries, response) of one GET.

    The read log's INSERT is not counted: a request writes it once if it read anything
    TLP:RED (one task's latest update may be RED and another's not), never once per row.
    A first request keeps the reader's standing in the cache (forums/standing.py), as
    their requests find it in practice: the one measured then counts no query for it.
    """
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    logged = [q for q in queries if q["sql"].startswith('INSERT INTO "readlog_redread"')]
    assert len(logged) <= 1
    return len(queries) - len(logged), response.json()


def rows(body) -> list:
    return body["results"] if isinstance(body, dict) and "results" in body else body


def query_text(client, url, **params) -> str:
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_every_list_makes_as_many_queries_for_50_rows_as_for_1(planting, reader):
    client = planting.client(getattr(planting, reader))
    planting.plant(1)
    few = {url: measured(client, url) for url in LISTS}
    planting.plant(49)
    many = {url: measured(client, url) for url in LISTS}

    # The planting is seen: each list grew, and the member sees only their share.
    for url in LISTS[1:]:
        assert len(rows(many[url][1])) > len(rows(few[url][1])), url
    tasks = rows(many["/api/v1/tasks/"][1])
    assert len(tasks) == 50
    if reader == "member":
        assert {task["tlp"] for task in tasks} == {"amber"}
        assert all(len(task["outcomes"]) == 2 for task in tasks)
        assert all(task["latest_update"]["tlp"] == "amber" for task in tasks)
        outcomes = rows(many["/api/v1/outcomes/"][1])
        assert "red" not in {outcome["tlp"] for outcome in outcomes}
        assert any(outcome["links_out"] for outcome in outcomes)
        assert any(outcome["links_in"] for outcome in outcomes)
        assert any(outcome["responsible"] for outcome in outcomes)
        # Each first outcome is served by its unit's AMBER task, directly and through its
        # sub-item; the RED task serving it too is not counted for the member.
        firsts = [o for o in outcomes if o["tlp"] == "green"]
        assert {o["implementation"]["work_total"] for o in firsts} == {1}
    else:
        assert {task["tlp"] for task in tasks} == {"amber", "red"}
        firsts = [o for o in rows(many["/api/v1/outcomes/"][1]) if o["tlp"] == "green"]
        assert {o["implementation"]["work_total"] for o in firsts} == {2}
    groups = rows(many["/api/v1/working-groups/"][1])
    assert all(len(group["members"]) == 3 for group in groups)
    meetings = rows(many["/api/v1/meetings/"][1])
    assert sum(len(m["chairs"]) + len(m["hostings"]) for m in meetings) >= 2 * 49

    grown = {url: (few[url][0], many[url][0]) for url in LISTS if few[url][0] != many[url][0]}
    assert not grown, f"queries (1 row, 50 rows) grew for {grown}"


@pytest.mark.parametrize("reader", ["member", "secretariat"])
@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "-updated"},
        {"ordering": "-due", "due_after": "2000-01-01", "due_before": "2031-01-01"},
        {"overdue": "false", "open": "true"},
        {"stalled": "false", "overdue": "false"},
        {"search": "Draft reference", "status": "not_started"},
        {"forum": "{forum}", "tlp": "amber"},
        {"meeting": "{report_meeting}"},
    ],
)
def test_filtered_task_lists_keep_a_fixed_count(planting, reader, params):
    params = {
        key: value.format(forum=planting.forum.pk, report_meeting=planting.report_meeting.pk)
        for key, value in params.items()
    }
    client = planting.client(getattr(planting, reader))
    planting.plant(1)
    few, body = measured(client, "/api/v1/tasks/", **params)
    assert len(body["results"]) >= 1
    planting.plant(49)
    many, body = measured(client, "/api/v1/tasks/", **params)
    assert len(body["results"]) >= 49
    assert few == many


@pytest.mark.parametrize("reader", ["member", "secretariat"])
@pytest.mark.parametrize(
    "params",
    [
        {"state": ["not_started", "under_way"]},
        {"stalled": "false", "overdue": "false"},
        {"forum": "{forum}", "state": "not_started", "ordering": "-id"},
    ],
)
def test_filtered_outcome_lists_keep_a_fixed_count(planting, reader, params):
    params = {
        key: value.format(forum=planting.forum.pk) if isinstance(value, str) else value
        for key, value in params.items()
    }
    client = planting.client(getattr(planting, reader))
    planting.plant(2)
    few, body = measured(client, "/api/v1/outcomes/", **params)
    assert len(body["results"]) >= 2
    planting.plant(48)
    many, body = measured(client, "/api/v1/outcomes/", **params)
    assert len(body["results"]) == 50
    assert few == many


def test_my_tasks_and_my_groups_keep_a_fixed_count(planting):
    client = planting.client(planting.member)
    planting.plant(1)
    few = [
        measured(client, url, mine="true") for url in ("/api/v1/tasks/", "/api/v1/working-groups/")
    ]
    planting.plant(49)
    many = [
        measured(client, url, mine="true") for url in ("/api/v1/tasks/", "/api/v1/working-groups/")
    ]
    assert [len(body["results"]) for _, body in few] == [1, 1]
    assert [len(body["results"]) for _, body in many] == [50, 50]
    assert [count for count, _ in few] == [count for count, _ in many]


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_a_tasks_updates_list_makes_as_many_queries_for_50_updates_as_for_1(planting, reader):
    planting.plant(1)
    task = planting.tasks[0]
    TaskUpdate.objects.filter(task=task).delete()
    client = planting.client(getattr(planting, reader))
    url = f"/api/v1/tasks/{task.pk}/updates/"

    def add(count):
        for i in range(count):
            TaskUpdate.objects.create(
                task=task,
                author=UserFactory.create(),
                status_from="not_started",
                status_to="not_started",
                progress=i % 100,
                note=f"Note {i}",
                tlp=TLP.AMBER,
            )

    add(1)
    few, body = measured(client, url)
    assert len(body["results"]) == 1
    add(49)
    many, body = measured(client, url)
    assert len(body["results"]) == 50
    assert few == many


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_a_task_detail_has_a_fixed_count_however_much_it_carries(planting, reader):
    planting.plant(2)
    small, rich = planting.tasks
    outcomes = [
        OutcomeFactory.create(document=rich.outcomes.first().document, tlp=TLP.GREEN)
        for _ in range(10)
    ]
    rich.outcomes.add(*outcomes)
    for i in range(20):
        TaskUpdate.objects.create(
            task=rich,
            author=UserFactory.create(),
            status_from="not_started",
            status_to="not_started",
            progress=i,
            note=f"n{i}",
            tlp=TLP.AMBER,
        )
    client = planting.client(getattr(planting, reader))
    few, body = measured(client, f"/api/v1/tasks/{small.pk}/")
    assert len(body["outcomes"]) == 2
    many, body = measured(client, f"/api/v1/tasks/{rich.pk}/")
    assert len(body["outcomes"]) == 12
    assert body["latest_update"]["note"] == "n19"
    assert few == many


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_an_outcome_detail_has_a_fixed_count_however_many_links_it_has(planting, reader):
    planting.plant(2)
    client = planting.client(getattr(planting, reader))
    lonely = OutcomeFactory.create(document=planting.previous_document, tlp=TLP.GREEN)
    linked = OutcomeFactory.create(document=planting.previous_document, tlp=TLP.GREEN)
    linked.responsible.add(*[MemberFactory.create() for _ in range(5)])
    for target in planting.tasks[0].outcomes.all():
        OutcomeLink.objects.create(
            source=linked, kind=OutcomeLink.Kind.IMPLEMENTS, target_outcome=target
        )
    for kind in OutcomeLink.Kind.values:
        OutcomeLink.objects.create(
            source=lonely.document.outcomes.first(), kind=kind, target_outcome=linked
        )
    few, body = measured(client, f"/api/v1/outcomes/{lonely.pk}/")
    assert body["links_out"] == [] and body["links_in"] == []
    many, body = measured(client, f"/api/v1/outcomes/{linked.pk}/")
    assert len(body["links_out"]) == 2
    assert len(body["links_in"]) == 4
    assert len(body["responsible"]) == 5
    assert few == many


def test_the_member_reads_through_the_tlp_filter_and_the_secretariat_without(planting):
    """The two readers above really differ: only the member's task query filters on TLP."""
    planting.plant(1)

    def task_query(user) -> str:
        text = query_text(planting.client(user), "/api/v1/tasks/")
        (main,) = [q for q in text.split("\n") if q.startswith('SELECT "workinggroups_task"')]
        return main

    assert '"workinggroups_task"."tlp"' in task_query(planting.member)
    assert '"workinggroups_task"."tlp" =' not in task_query(planting.secretariat)


# A query that reads a task table (tasks, their updates, their links to outcomes).
READS_TASKS = re.compile(r'"workinggroups_task(_outcomes|update)?"')


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_a_task_page_and_a_task_detail_are_one_query_each_besides_the_reader(planting, reader):
    """Rows and all they show (forum, meeting, lead, outcomes, latest update) come in the
    page's own query; the others are the reader's token and standing, the same for both
    (the secretariat's rows are RED too: the read log's INSERT, not counted). The reader's
    standing is cached after a first request: a warm-up makes both counts the steady ones."""
    planting.plant(3)
    client = planting.client(getattr(planting, reader))
    assert client.get("/api/v1/tasks/").status_code == 200
    counts = []
    for url in ("/api/v1/tasks/", f"/api/v1/tasks/{planting.tasks[0].pk}/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        reads = [q["sql"] for q in queries if READS_TASKS.search(q["sql"])]
        assert len(reads) == 1, reads
        assert reads[0].startswith('SELECT "workinggroups_task"."id"')
        # The read log's one INSERT aside, as in measured().
        counts.append(len([q for q in queries if not q["sql"].startswith("INSERT")]))
    assert counts[0] == counts[1] <= 2


def reads_of_outcomes_and_work(client, url, **params) -> tuple[int, int]:
    """(queries of the whole request, those that read outcomes or work) of one GET, the
    read log's INSERT left out (as `measured` does)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    sql = [q["sql"] for q in queries.captured_queries]
    sql = [q for q in sql if not q.startswith('INSERT INTO "readlog_redread"')]
    reading = [q for q in sql if '"outcomes_outcome"' in q or '"workinggroups_task"' in q]
    return len(sql), len(reading)


@pytest.mark.parametrize("reader", ["member", "secretariat"])
@pytest.mark.parametrize(
    "params",
    [{}, {"state": "stalled"}, {"state": ["done", "under_way"]}, {"stalled": "true"}],
)
def test_an_outcome_page_and_its_nested_rows_are_one_query(planting, reader, params):
    """The page's outcomes, their parents, members, links and implementation figures are
    read by one query (outcome_list.py), the forums' stalled periods included; the rest of
    the request is the reader's own (their token, and their standing until it is cached:
    the warm-up)."""
    planting.plant(3)
    client = planting.client(getattr(planting, reader))
    assert client.get("/api/v1/outcomes/").status_code == 200
    total, reading = reads_of_outcomes_and_work(client, "/api/v1/outcomes/", **params)
    assert reading == 1
    plain_total, _ = reads_of_outcomes_and_work(client, "/api/v1/outcomes/")
    assert total == plain_total <= 2


@pytest.mark.parametrize("reader", ["member", "secretariat"])
def test_an_outcome_detail_costs_what_a_page_of_the_list_costs(planting, reader):
    planting.plant(3)
    client = planting.client(getattr(planting, reader))
    outcome = planting.tasks[0].outcomes.order_by("pk").first()
    assert client.get("/api/v1/outcomes/").status_code == 200  # the standing is cached
    detail = reads_of_outcomes_and_work(client, f"/api/v1/outcomes/{outcome.pk}/")
    assert detail == reads_of_outcomes_and_work(client, "/api/v1/outcomes/")
    assert detail[1] == 1


@pytest.mark.parametrize("url", ["/api/v1/tasks/", "/api/v1/outcomes/", "/api/v1/tasks/{task}/"])
def test_on_postgresql_a_page_statement_is_prepared_and_answers_as_before(planting, url):
    """The parameters are bound on the server, so a page's statement has the same text on
    every request: psycopg prepares it after five runs on the connection (settings: the
    PostgreSQL options), and PostgreSQL no longer plans it. The answers do not change."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's: run with DATABASE_URL=postgres://…")
    planting.plant(3)
    client = planting.client(planting.member)
    url = url.format(task=planting.tasks[0].pk)
    first = client.get(url).json()
    answers = [client.get(url).json() for _ in range(6)]

    assert answers == [first] * 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    table = "outcomes_outcome" if "outcomes" in url else "workinggroups_task"
    (page,) = [statement for statement in prepared if f'FROM "{table}"' in statement]
    if url == "/api/v1/tasks/":
        # The standing is written into the statement (forums/compiled_once.py): nothing
        # is left to bind, and PostgreSQL runs the plan it made once.
        assert "$1" not in page
        assert prepared[page] >= 1
