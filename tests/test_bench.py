"""The benchmark's own parts: its generated data has the real shapes, its floor answers
the same page as the API, and the API's queries do not grow with the page's depth.

PostgreSQL only (the generator is INSERT … SELECT generate_series); skipped on SQLite
like the other PostgreSQL tests. No timings are asserted: `make bench` prints them.
"""

import datetime
from itertools import cycle
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from bench import data, floor
from bench.__main__ import deep_cursor, reader, update_targets
from forums.models import Chair, ForumMembership, Meeting, Profile
from forums.tokens import live_token_for_key
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from workinggroups.implementation import State
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


_moment = DateTimeField()


def floor_implementation(row: dict) -> dict:
    """The floor's `implementation` as the API writes it (its time as DRF's text)."""
    implementation = dict(row["implementation"])
    moved = implementation["last_moved_at"]
    implementation["last_moved_at"] = moved and _moment.to_representation(moved)
    return implementation


def vary_the_work(document_id: int, reader) -> None:
    """The reader's first outcomes of the report with work, each in another state (one
    with ready and ratified work mixed): a meeting's generated work is mostly stalled, and
    the comparison below should meet every state."""
    work = {}
    parents = set(Outcome.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    outcomes = Outcome.objects.visible_to(reader).filter(document_id=document_id)[:60]
    for outcome in outcomes:
        if outcome.pk in parents:
            continue  # a parent's standing is its sub-items' too
        tasks = list(Task.objects.visible_to(reader).filter(outcomes=outcome).order_by("pk"))
        if tasks:
            work[outcome] = tasks
    mixed = next(outcome for outcome, tasks in work.items() if len(tasks) >= 2)
    others = [outcome for outcome in work if outcome != mixed][:3]
    plans: list[tuple[Outcome, tuple[str, ...]]] = [(mixed, ("ready", "ratified"))]
    plans += zip(
        others, [("ratified",), ("not_started",), ("in_progress", "not_started")], strict=True
    )
    for outcome, statuses in plans:
        for task, status in zip(work[outcome], cycle(statuses), strict=False):
            Task.objects.filter(pk=task.pk).update(status=status)
            TaskUpdate.objects.create(
                task=task, status_from=status, status_to=status, progress=task.progress
            )


@pytest.mark.parametrize("path", PAGES)
def test_the_floor_answers_the_same_rows_in_the_same_order_as_the_api(api, path):
    client, token, audience = api
    path = path.format(group=min(audience.groups), document=data.report_meeting_id())
    make = floor.task_page if path.startswith("tasks") else floor.outcome_page
    if make is floor.outcome_page:
        vary_the_work(data.report_meeting_id(), live_token_for_key(token).user)
    query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    connection.ensure_connection()
    raw = connection.connection
    url = f"/api/v1/{path}{'&' if '?' in path else '?'}page_size=20"
    if make is floor.task_page:
        # An update the reader may not read, on the first row: it moves neither the
        # version nor the time the reader sees, in the floor as in the API.
        first = client.get(url).json()["results"][0]["id"]
        TaskUpdate.objects.create(
            task_id=first, status_from="in_progress", status_to="in_progress", progress=1, tlp=3
        )
    states = set()
    for _page in range(3):  # the first page, then two by their cursors
        body = client.get(url).json()
        page = make(raw, token=token, query=query, page_size=20)
        assert [row["id"] for row in page["results"]] == [row["id"] for row in body["results"]]
        assert page["results"], path
        assert set(page["results"][0]) == set(body["results"][0])
        if make is floor.task_page:
            # Whole bodies: `updated_at` and `version` as the reader may know them too.
            assert floor_json(page["results"]) == body["results"]
        if make is floor.outcome_page:
            # The floor derives each outcome's standing in SQL: the same figures.
            for ours, theirs in zip(page["results"], body["results"], strict=True):
                assert floor_implementation(ours) == theirs["implementation"], ours["id"]
                states.add(theirs["implementation"]["state"])
        if not body["next"]:
            break
        url = body["next"]
        query["cursor"] = parse_qs(urlsplit(url).query)["cursor"][0]
    if make is floor.outcome_page:
        assert states == set(State.values), states  # the comparison meets every state


def test_the_floors_overdue_work_is_the_apis(api):
    """Every overdue task the reader sees, undated work of a held meeting included."""
    _client, token, _audience = api
    user = live_token_for_key(token).user
    # Generated work always has a due day: one task of a meeting held is made undated.
    held = Meeting.objects.held().values("pk")
    undated = Task.objects.visible_to(user).filter(reports_to__in=held).order_by("pk")[0]
    Task.objects.filter(pk=undated.pk).update(due_on=None, status="in_progress")
    every = floor.task_page(
        connection.connection, token=token, query={"overdue": "true"}, page_size=10_000
    )
    expected = set(Task.objects.visible_to(user).overdue().values_list("pk", flat=True))
    assert {row["id"] for row in every["results"]} == expected
    assert undated.pk in expected


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


def floor_json(body):
    """A floor's answer as its client reads it: JSON, times written as the API writes them."""
    return orjson.loads(orjson.dumps(body, option=orjson.OPT_UTC_Z))


def test_the_detail_floors_answer_the_apis_bodies(api):
    client, token, audience = api
    user = live_token_for_key(token).user
    vary_the_work(data.report_meeting_id(), user)
    raw = connection.connection
    tasks = Task.objects.visible_to(user)
    # Some of the reader's own groups' work, and other work they may see.
    samples = [*tasks.filter(working_group_id__in=audience.groups)[:5], *tasks.order_by("?")[:10]]
    # An update the reader may not read moves neither the version nor the date they see.
    hidden = TaskUpdate.objects.create(
        task=samples[0], status_from="in_progress", status_to="in_progress", progress=1, tlp=3
    )
    assert not TaskUpdate.objects.visible_to(user).filter(pk=hidden.pk).exists()
    for task in samples:
        response = client.get(f"/api/v1/tasks/{task.pk}/")
        ours = floor_json(floor.task_detail(raw, token=token, task_id=task.pk))
        assert ours == response.json(), task.pk
        assert ours["etag"] == response["ETag"]
    outcomes = Outcome.objects.visible_to(user).filter(
        document__meeting_id=data.report_meeting_id()
    )
    states = set()
    for outcome in outcomes[:40]:
        response = client.get(f"/api/v1/outcomes/{outcome.pk}/").json()
        ours = floor_json(floor.outcome_detail(raw, token=token, outcome_id=outcome.pk))
        assert ours == response, outcome.pk
        states.add(ours["implementation"]["state"])
    assert len(states) >= 3, states
    # What the reader may not see, the floor does not show either (the API's 404).
    unseen = Task.objects.exclude(pk__in=tasks.values("pk")).first()
    assert unseen is not None
    assert client.get(f"/api/v1/tasks/{unseen.pk}/").status_code == 404
    assert floor.task_detail(raw, token=token, task_id=unseen.pk) is None


def history_of(task_id: int) -> list[tuple]:
    """The task's history rows, oldest first, with the number of outcomes each names."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT h.version, h.status, h.progress, h.updated_at, h.history_type,
                      h.history_change_reason, h.history_user_id,
                      (SELECT count(*) FROM workinggroups_historicaltask_outcomes AS o
                       WHERE o.history_id = h.history_id)
               FROM workinggroups_historicaltask AS h WHERE h.id = %s
               ORDER BY h.history_id""",
            [task_id],
        )
        return cursor.fetchall()


def test_the_update_floor_writes_what_the_service_writes(api):
    client, token, audience = api
    user = live_token_for_key(token).user
    task = Task.objects.get(pk=update_targets(user, audience)[0])
    outcomes = task.outcomes.count()
    etag = client.get(f"/api/v1/tasks/{task.pk}/")["ETag"]
    # The service first, through the API: its rows are the ones to match.
    posted = client.post(
        f"/api/v1/tasks/{task.pk}/updates/",
        {"note": "Through the API", "progress": 40},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert posted.status_code == 201
    raw = connection.connection
    ours = floor_json(
        floor.post_update(
            raw,
            token=token,
            task_id=task.pk,
            post={"note": " Through the floor ", "progress": 60},
            if_match=posted["ETag"],
        )
    )
    api_update, floor_update = TaskUpdate.objects.filter(task=task).order_by("-pk")[:2][::-1]
    fields = ("author_id", "status_from", "status_to", "tlp")
    assert [getattr(floor_update, f) for f in fields] == [getattr(api_update, f) for f in fields]
    assert (floor_update.note, floor_update.progress) == ("Through the floor", 60)
    assert floor_update.author_id == user.pk
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.version == task.version + 2  # one each
    assert (fresh.progress, fresh.status, fresh.updated_at) == (60, task.status, task.updated_at)
    *_, by_api, by_floor = history_of(task.pk)
    assert by_api == (
        task.version + 1,
        task.status,
        40,
        task.updated_at,
        "~",
        "Through the API",
        user.pk,
        outcomes,
    )
    assert by_floor == (
        task.version + 2,
        task.status,
        60,
        task.updated_at,
        "~",
        "Through the floor",
        user.pk,
        outcomes,
    )
    # The answer: the API's shape, its task as the API now shows it, the update its latest.
    detail = client.get(f"/api/v1/tasks/{task.pk}/")
    assert ours["task"] == detail.json()
    assert ours["update"] == detail.json()["latest_update"]
    assert set(ours) == set(posted.json())
    assert int(detail["ETag"].strip('"')) == posted.json()["task"]["version"] + 1
    # A stale ETag is refused and writes nothing, as the API refuses it.
    updates, history = TaskUpdate.objects.filter(task=task).count(), history_of(task.pk)
    with pytest.raises(floor.Refused) as refused:
        floor.post_update(
            raw, token=token, task_id=task.pk, post={"note": "Late"}, if_match=posted["ETag"]
        )
    assert refused.value.status.startswith("412")
    assert TaskUpdate.objects.filter(task=task).count() == updates
    assert history_of(task.pk) == history
    assert Task.objects.get(pk=task.pk).version == fresh.version
