"""Every 4xx of the API is JSON with messages a person can act on, and nothing is a 500.

Runs on SQLite and, in CI, on PostgreSQL (`DATABASE_URL=postgres://…`): both refuse the
same inputs, although they fail differently underneath (bigint overflow, NUL bytes and
lone surrogates are errors in PostgreSQL's driver, not in SQLite's).
"""

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
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

pytestmark = pytest.mark.django_db

BIG = 99999999999999999999  # beyond a bigint: PostgreSQL refuses it as a parameter
BEYOND_BIGINT = 2**63


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The API's rate limits count in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


class World:
    """A forum with a working group, its lead, a member, the secretariat and one task."""

    def __init__(self):
        forum = ForumFactory.create()
        self.meeting = MeetingFactory.create(forum=forum)
        self.next_meeting = MeetingFactory.create(forum=forum, start_date=self.meeting.start_date)
        self.group = WorkingGroupFactory.create(
            established_by=self.meeting, reports_to=self.next_meeting, tlp=TLP.GREEN
        )
        self.lead = UserFactory.create(username="err-lead")
        self.member = UserFactory.create(username="err-member")
        WorkingGroupMembershipFactory.create(
            working_group=self.group, person=self.lead, role=WorkingGroupMembership.Role.LEAD
        )
        WorkingGroupMembershipFactory.create(working_group=self.group, person=self.member)
        self.secretariat = UserFactory.create(username="err-secretariat")
        self.secretariat.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
        document = OutcomeDocumentFactory.create(meeting=self.meeting)
        self.outcome = OutcomeFactory.create(document=document)
        self.task = TaskFactory.create(
            working_group=self.group,
            lead=self.lead,
            status=Task.Status.IN_PROGRESS,
            progress=20,
        )
        self.task.outcomes.set([self.outcome])

    def client(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client

    @property
    def task_url(self) -> str:
        return f"/api/v1/tasks/{self.task.pk}/"

    @property
    def updates_url(self) -> str:
        return f"/api/v1/tasks/{self.task.pk}/updates/"

    @property
    def outcome_url(self) -> str:
        return f"/api/v1/outcomes/{self.outcome.pk}/"

    def if_match(self) -> dict:
        self.task.refresh_from_db()
        return {"HTTP_IF_MATCH": self.task.etag}


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def lead(world):
    return world.client(world.lead)


@pytest.fixture
def secretariat(world):
    return world.client(world.secretariat)


def error_body(response, status: int) -> dict:
    """The response is `status`, JSON, and an object of messages; returns it."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, dict) and body, body
    return body


def messages(body: dict, field: str) -> str:
    """The messages for one field (or `detail`) as one string, to look for words in."""
    value = body[field]
    return " ".join(value) if isinstance(value, list) else str(value)


def raw(client, method: str, url: str, body: bytes | str, **extra):
    """Send bytes exactly as given, as application/json unless told otherwise."""
    extra.setdefault("content_type", "application/json")
    return getattr(client, method)(url, data=body, **extra)


def unchanged(world, before: tuple) -> bool:
    world.task.refresh_from_db()
    state = (world.task.version, world.task.title, TaskUpdate.objects.count())
    return state == before


def state_of(world) -> tuple:
    world.task.refresh_from_db()
    return (world.task.version, world.task.title, TaskUpdate.objects.count())


# --- malformed bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"note": ',
        "{note: 'single quotes'}",
        '{"note": "x",}',
        '{"progress": NaN}',
        '{"progress": Infinity}',
        b'{"note": "\xff\xfe"}',  # not UTF-8
        "[" * 100_000,  # nesting deep enough to exhaust the parser's recursion
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"progress": 1' + "0" * 5000 + "}",  # an integer too long to convert
    ],
    ids=[
        "truncated",
        "single-quotes",
        "trailing-comma",
        "nan",
        "infinity",
        "not-utf8",
        "deep-array",
        "deep-object",
        "huge-integer",
    ],
)
def test_malformed_json_is_a_400_naming_the_parse_error(world, lead, body):
    before = state_of(world)
    for method, url, headers in [
        ("post", world.updates_url, {}),
        ("patch", world.task_url, world.if_match()),
        ("post", "/api/v1/tasks/", {}),
    ]:
        body_json = error_body(raw(lead, method, url, body, **headers), 400)
        assert "JSON parse error" in messages(body_json, "detail")
    assert unchanged(world, before)


def test_lone_surrogates_in_strings_are_a_400_not_a_database_error(world, lead):
    """JSON may escape half a UTF-16 pair; no database can store it as text."""
    before = state_of(world)
    body = '{"note": "half a pair: \\ud800", "progress": 30}'
    assert "JSON" in messages(error_body(raw(lead, "post", world.updates_url, body), 400), "detail")
    patch = raw(lead, "patch", world.task_url, '{"title": "\\udfff"}', **world.if_match())
    error_body(patch, 400)
    token = raw(
        APIClient(), "post", "/api/v1/auth/token/", '{"username": "\\ud800", "password": "x"}'
    )
    error_body(token, 400)
    assert unchanged(world, before)


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null", "true", '[{"note": "x"}]'])
def test_a_body_that_is_not_an_object_is_a_400(world, lead, body):
    before = state_of(world)
    error_body(raw(lead, "post", world.updates_url, body), 400)
    error_body(raw(lead, "patch", world.task_url, body, **world.if_match()), 400)
    error_body(raw(lead, "post", "/api/v1/tasks/", body), 400)
    assert unchanged(world, before)


# --- wrong types and values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"progress": "abc"}, "progress"),
        ({"progress": 1.5}, "progress"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": 10**30}, "progress"),
        ({"progress": True}, "progress"),
        ({"progress": [50]}, "progress"),
        ({"status": "done"}, "status"),
        ({"status": ["ready"]}, "status"),
        ({"status": None}, "status"),
        ({"note": {"text": "x"}}, "note"),
        ({"note": ["x"]}, "note"),
        ({"note": "x" * 10_001}, "note"),
        ({"tlp": "purple"}, "tlp"),
        ({"tlp": 3}, "tlp"),
        ({"tlp": {"red": True}}, "tlp"),
    ],
)
def test_wrong_types_in_an_update_are_a_400_on_the_field(world, lead, body, field):
    before = state_of(world)
    response = lead.post(world.updates_url, body, format="json")
    assert field in error_body(response, 400), response.json()
    assert unchanged(world, before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcomes": ["x"]}, "outcomes"),
        ({"outcomes": "x"}, "outcomes"),
        ({"outcomes": [None]}, "outcomes"),
        ({"outcomes": [1.5]}, "outcomes"),
        ({"outcomes": [True]}, "outcomes"),
        ({"outcomes": [{"id": 1}]}, "outcomes"),
        ({"outcomes": [BIG]}, "outcomes"),
        ({"outcomes": [BEYOND_BIGINT]}, "outcomes"),
        ({"outcomes": [-1]}, "outcomes"),
        ({"outcomes": [0]}, "outcomes"),
        ({"outcomes": [str(BIG)]}, "outcomes"),
        ({"lead": 123}, "lead"),
        ({"lead": ["err-lead"]}, "lead"),
        ({"lead": {"username": "err-lead"}}, "lead"),
        ({"lead": "nobody-here"}, "lead"),
        ({"reports_to": BIG}, "reports_to"),
        ({"reports_to": "abc"}, "reports_to"),
        ({"reports_to": -5}, "reports_to"),
        ({"title": ""}, "title"),
        ({"title": ["x"]}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"due_on": "2027-13-45"}, "due_on"),
        ({"due_on": "99999-01-01"}, "due_on"),
        ({"due_on": 20270101}, "due_on"),
        ({"tlp": "CLEAR!"}, "tlp"),
        ({"description": {"a": 1}}, "description"),
    ],
)
def test_wrong_types_in_a_task_edit_are_a_400_on_the_field(world, lead, body, field):
    before = state_of(world)
    response = lead.patch(world.task_url, body, format="json", **world.if_match())
    assert field in error_body(response, 400), response.json()
    assert unchanged(world, before)


def test_a_label_more_open_than_the_group_is_a_400_and_a_lead_may_not_open_one(
    world, lead, secretariat
):
    before = state_of(world)
    # The group is TLP:GREEN: the model refuses a CLEAR task, whoever asks.
    response = secretariat.patch(
        world.task_url, {"tlp": "clear"}, format="json", **world.if_match()
    )
    assert "tlp" in error_body(response, 400), response.json()
    # A lead may not open a label at all (workinggroups/policy.py), before any other check.
    refused = lead.patch(world.task_url, {"tlp": "clear"}, format="json", **world.if_match())
    assert refused.status_code == 403
    assert unchanged(world, before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"working_group": BIG, "title": "t"}, "working_group"),
        ({"working_group": BEYOND_BIGINT, "title": "t"}, "working_group"),
        ({"working_group": -1, "title": "t"}, "working_group"),
        ({"working_group": "abc", "title": "t"}, "working_group"),
        ({"working_group": None, "title": "t"}, "working_group"),
        ({"title": "no group"}, "working_group"),
        ({"working_group": "{group}", "title": "t", "outcomes": [BIG]}, "outcomes"),
        ({"working_group": "{group}", "title": "t", "reports_to": BEYOND_BIGINT}, "reports_to"),
        ({"working_group": "{group}", "title": "t", "lead": 123}, "lead"),
        ({"working_group": "{group}"}, "title"),
    ],
)
def test_out_of_range_ids_in_a_new_task_are_a_400(world, lead, body, field):
    body = {k: world.group.pk if v == "{group}" else v for k, v in body.items()}
    count = Task.objects.count()
    response = lead.post("/api/v1/tasks/", body, format="json")
    assert field in error_body(response, 400), response.json()
    assert Task.objects.count() == count


@pytest.mark.parametrize(
    "body",
    [
        {"text": ["x"], "kind": "agreement", "status": "active", "tlp": "clear"},
        {"text": ""},
        {"tlp": "amber", "text": {"a": 1}},
        {"responsible": [BIG]},
        {"responsible": ["abc"]},
        {"status": "finished"},
        {"kind": ["agreement"]},
    ],
)
def test_wrong_types_in_an_outcome_edit_are_a_400(world, secretariat, body):
    version = world.outcome.version
    response = secretariat.patch(
        world.outcome_url, body, format="json", HTTP_IF_MATCH=world.outcome.etag
    )
    body_json = error_body(response, 400)
    assert set(body_json) <= set(body), body_json
    world.outcome.refresh_from_db()
    assert world.outcome.version == version


# --- unknown fields ---------------------------------------------------------------------


def test_unknown_fields_are_a_400_naming_each_field(world, lead, secretariat):
    before = state_of(world)
    response = lead.post(world.updates_url, {"note": "x", "percent": 5}, format="json")
    assert error_body(response, 400) == {"percent": ["Unknown field."]}

    response = lead.patch(
        world.task_url,
        {"title": "x", "status": "ready", "zzz": 1},
        format="json",
        **world.if_match(),
    )
    assert set(error_body(response, 400)) == {"status", "zzz"}

    response = lead.patch(world.task_url, {"working_group": 1}, format="json", **world.if_match())
    assert set(error_body(response, 400)) == {"working_group"}  # a task stays in its group

    response = lead.post(
        "/api/v1/tasks/",
        {"working_group": world.group.pk, "title": "New", "version": 7},
        format="json",
    )
    assert set(error_body(response, 400)) == {"version"}

    response = secretariat.patch(
        world.outcome_url,
        {"citation_code": "X/1", "number": "2"},
        format="json",
        HTTP_IF_MATCH=world.outcome.etag,
    )
    assert set(error_body(response, 400)) == {"citation_code", "number"}

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "a", "password": "b", "remember": "1"}, format="json"
    )
    assert set(error_body(response, 400)) == {"remember"}
    assert unchanged(world, before)


# --- huge bodies ------------------------------------------------------------------------


def test_a_body_larger_than_the_upload_limit_is_a_413_json(world, lead):
    before = state_of(world)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"note": "x" * (limit + 10)})
    response = raw(lead, "post", world.updates_url, body)
    assert "too large" in messages(error_body(response, 413), "detail")

    response = raw(lead, "patch", world.task_url, body, **world.if_match())
    error_body(response, 413)
    # Also when the client does not say how long the body is (chunked upload).
    response = raw(lead, "post", world.updates_url, body, CONTENT_LENGTH="")
    assert response.status_code in (400, 413), response.status_code
    assert unchanged(world, before)


def test_a_body_just_under_the_limit_is_read_and_judged_on_its_fields(world, lead):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"note": "x" * (limit - 100)})
    response = raw(lead, "post", world.updates_url, body)
    assert "note" in error_body(response, 400)  # longer than a note may be, but not a 413


# --- NUL bytes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("post", "updates", {"note": "before\x00after", "progress": 30}, "note"),
        ("patch", "task", {"title": "nul\x00title"}, "title"),
        ("patch", "task", {"description": "\x00"}, "description"),
        ("patch", "task", {"lead": "err-lead\x00"}, "lead"),
        ("patch", "task", {"outcomes": ["1\x00"]}, "outcomes"),
        ("post", "tasks", {"working_group": "1\x00", "title": "t"}, "working_group"),
    ],
)
def test_nul_bytes_in_body_strings_are_a_400(world, lead, method, url, body, field):
    before = state_of(world)
    path = {"updates": world.updates_url, "task": world.task_url, "tasks": "/api/v1/tasks/"}[url]
    headers = world.if_match() if method == "patch" else {}
    response = getattr(lead, method)(path, body, format="json", **headers)
    assert field in error_body(response, 400), response.json()
    assert unchanged(world, before)


def test_nul_bytes_in_the_token_request_are_a_400(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "err-lead\x00", "password": "x\x00"}, format="json"
    )
    assert {"username", "password"} <= set(error_body(response, 400))


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/tasks/", {"search": "a\x00b"}),
        ("/api/v1/tasks/", {"outcome_code": "X/\x00"}),
        ("/api/v1/tasks/", {"status": "\x00"}),
        ("/api/v1/tasks/", {"forum": "1\x00"}),
        ("/api/v1/tasks/", {"due_before": "2027-01-01\x00"}),
        ("/api/v1/tasks/", {"ordering": "\x00"}),
        ("/api/v1/outcomes/", {"citation_code": "\x00"}),
        ("/api/v1/outcomes/", {"search": "\x00"}),
        ("/api/v1/outcome-documents/", {"search": "\x00"}),
        ("/api/v1/working-groups/", {"search": "\x00"}),
        ("/api/v1/meetings/", {"forum_acronym": "\x00"}),
        ("/api/v1/meetings/", {"search": "\x00"}),
        ("/api/v1/members/", {"search": "x\x00"}),
        ("/api/v1/members/", {"kind": "\x00"}),
    ],
)
def test_nul_bytes_in_query_parameters_are_a_400(world, lead, url, params):
    for client in (lead, APIClient()):
        body = error_body(client.get(url, params), 400)
        assert set(body) & set(params), body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tasks/?cursor=%00",
        "/api/v1/members/?page=%00",
        "/api/v1/members/?page_size=%00",
        "/api/v1/tasks/{task}/updates/?cursor=%00",
    ],
)
def test_nul_bytes_in_paging_parameters_are_refused_as_json(world, lead, url):
    response = lead.get(url.format(task=world.task.pk))
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code != 200:
        error_body(response, response.status_code)


# --- bad ids in paths and filters -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks/abc/",
        f"/api/v1/tasks/{BIG}/",
        f"/api/v1/tasks/{BEYOND_BIGINT}/",
        "/api/v1/tasks/999999999999999999/",  # 18 digits: a bigint no row has
        "/api/v1/tasks/0/",
        "/api/v1/tasks/-1/",
        "/api/v1/tasks/1.5/",
        "/api/v1/tasks/%00/",
        "/api/v1/tasks/%F0%9F%98%80/",
        f"/api/v1/tasks/{BIG}/updates/",
        "/api/v1/tasks/abc/updates/",
        "/api/v1/outcomes/abc/",
        f"/api/v1/outcomes/{BIG}/",
        f"/api/v1/outcome-documents/{BIG}/",
        f"/api/v1/working-groups/{BIG}/",
        f"/api/v1/meetings/{BIG}/",
        f"/api/v1/members/{BIG}/",
        f"/api/v1/forums/{BIG}/",
        "/api/v1/forums/abc/",
        "/api/v1/no-such-resource/",
    ],
)
def test_bad_ids_in_paths_are_a_404_json(world, lead, path):
    body = error_body(lead.get(path), 404)
    assert "detail" in body
    for method in ("patch", "put"):
        response = getattr(lead, method)(path, {"title": "x"}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code in (404, 405), response.status_code
        error_body(response, response.status_code)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/tasks/", {"forum": BIG}),
        ("/api/v1/tasks/", {"forum": BEYOND_BIGINT}),
        ("/api/v1/tasks/", {"working_group": -1}),
        ("/api/v1/tasks/", {"working_group": "abc"}),
        ("/api/v1/tasks/", {"meeting": "1.5"}),
        ("/api/v1/tasks/", {"meeting": "1e5"}),
        ("/api/v1/tasks/", {"outcome": BIG}),
        ("/api/v1/tasks/", {"document": 0}),
        ("/api/v1/tasks/", {"due_before": "2027-02-30"}),
        ("/api/v1/tasks/", {"due_after": "yesterday"}),
        ("/api/v1/tasks/", {"status": "done"}),
        ("/api/v1/tasks/", {"tlp": "purple"}),
        ("/api/v1/tasks/", {"assigned": "you"}),
        ("/api/v1/tasks/", {"search": "x" * 201}),
        ("/api/v1/outcomes/", {"document": BIG}),
        ("/api/v1/outcomes/", {"links_to": BEYOND_BIGINT}),
        ("/api/v1/outcomes/", {"meeting": -3}),
        ("/api/v1/outcome-documents/", {"meeting": BIG}),
        ("/api/v1/outcome-documents/", {"forum": "x"}),
        ("/api/v1/working-groups/", {"forum": BIG}),
        ("/api/v1/working-groups/", {"established_by": -1}),
        ("/api/v1/meetings/", {"forum": BIG}),
        ("/api/v1/meetings/", {"after": "2027-99-01"}),
        ("/api/v1/members/", {"forum": BIG}),
    ],
)
def test_out_of_range_ids_and_bad_values_in_filters_are_a_400(world, lead, url, params):
    body = error_body(lead.get(url, params), 400)
    assert set(body) == set(params), body


def test_an_id_within_range_that_matches_nothing_filters_to_an_empty_list(world, lead):
    response = lead.get("/api/v1/tasks/", {"forum": 2**63 - 1, "outcome": 2**63 - 1})
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- paging and ordering ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tasks/?cursor=garbage",
        "/api/v1/tasks/?cursor=cD0xMjM%3D%3D%3D",
        "/api/v1/outcomes/?cursor=bz1hYmMmcD14",
        "/api/v1/tasks/{task}/updates/?cursor=garbage",
        "/api/v1/members/?page=abc",
        "/api/v1/members/?page=999999999999999999999",
        "/api/v1/members/?page=-1",
    ],
)
def test_an_invalid_cursor_or_page_is_a_json_404_or_400(world, lead, url):
    response = lead.get(url.format(task=world.task.pk))
    assert response.status_code in (400, 404), response.status_code
    assert "detail" in error_body(response, response.status_code)


@pytest.mark.parametrize(
    "page_size", ["abc", "-1", "0", "201", "99999999999999999999", "1e3", "", " 5", "٣"]
)
@pytest.mark.parametrize("url", ["/api/v1/tasks/", "/api/v1/working-groups/"])
def test_a_strange_page_size_is_refused_saying_what_is_allowed(world, lead, url, page_size):
    # Cursor pages (tasks) and numbered pages (working groups) alike.
    response = lead.get(url, {"page_size": page_size})
    assert error_body(response, 400) == {"page_size": ["A whole number from 1 to 200."]}


@pytest.mark.parametrize("page_size", ["1", "200"])
def test_a_page_size_from_1_to_200_is_taken(world, lead, page_size):
    response = lead.get("/api/v1/tasks/", {"page_size": page_size})
    assert response.status_code == 200
    assert 1 <= len(response.json()["results"]) <= int(page_size)


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("/api/v1/tasks/", "title"),
        ("/api/v1/tasks/", "due; DROP TABLE"),
        ("/api/v1/tasks/", "-due,id"),
        ("/api/v1/outcomes/", "text"),
        ("/api/v1/outcome-documents/", "tlp"),
        ("/api/v1/working-groups/", "-name"),
        ("/api/v1/meetings/", "venue"),
        ("/api/v1/members/", "password"),
        ("/api/v1/forums/", ""),
    ],
)
def test_an_invalid_ordering_is_a_400_listing_the_choices(world, lead, url, value):
    body = error_body(lead.get(url, {"ordering": value}), 400)
    assert "Choose one of" in messages(body, "ordering")


# --- preconditions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "1",  # not quoted
        '"abc"',
        'W/"x"',
        '"1',
        "''",
        "",
        "   ",
        '"-1"',
        '"1.0"',
        f'"{BIG}"',
        '"0"',
        '"1"\x00',
        "**",
    ],
)
def test_an_if_match_that_names_no_version_is_a_412(world, lead, secretariat, header):
    before = state_of(world)
    response = lead.patch(
        world.task_url, {"title": "New title"}, format="json", HTTP_IF_MATCH=header
    )
    body = error_body(response, 412)
    assert "changed" in messages(body, "detail")
    assert response["ETag"] == world.task.etag  # the current version, to read again

    response = lead.post(world.updates_url, {"note": "x"}, format="json", HTTP_IF_MATCH=header)
    error_body(response, 412)

    outcome_version = world.outcome.version
    response = secretariat.patch(
        world.outcome_url, {"text": "New"}, format="json", HTTP_IF_MATCH=header
    )
    error_body(response, 412)
    assert unchanged(world, before)
    world.outcome.refresh_from_db()
    assert world.outcome.version == outcome_version


def test_a_stale_if_match_is_a_412_and_the_current_one_is_accepted(world, lead):
    old = world.task.etag
    ok = lead.patch(world.task_url, {"title": "First"}, format="json", HTTP_IF_MATCH=old)
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] == f'"{world.task.version + 1}"'
    stale = lead.patch(world.task_url, {"title": "Second"}, format="json", HTTP_IF_MATCH=old)
    assert "now version" in messages(error_body(stale, 412), "detail")
    assert stale["ETag"] == ok["ETag"]
    weak = lead.patch(
        world.task_url, {"title": "Third"}, format="json", HTTP_IF_MATCH=f"W/{ok['ETag']}"
    )
    assert weak.status_code == 200


@pytest.mark.parametrize("method", ["put", "patch"])
def test_writes_without_if_match_are_a_428_json_saying_what_to_send(
    world, lead, secretariat, method
):
    before = state_of(world)
    body = {"title": "Renamed"}
    response = getattr(lead, method)(world.task_url, body, format="json")
    assert "If-Match" in messages(error_body(response, 428), "detail")

    outcome = {"text": "x", "kind": "agreement", "status": "active", "tlp": "clear"}
    response = getattr(secretariat, method)(world.outcome_url, outcome, format="json")
    assert "If-Match" in messages(error_body(response, 428), "detail")
    assert unchanged(world, before)


def test_a_stale_if_match_on_an_update_is_a_412(world, lead):
    stale = world.task.etag
    first = lead.post(world.updates_url, {"progress": 30}, format="json", HTTP_IF_MATCH=stale)
    assert first.status_code == 201, first.content
    count = TaskUpdate.objects.count()
    second = lead.post(world.updates_url, {"progress": 40}, format="json", HTTP_IF_MATCH=stale)
    error_body(second, 412)
    assert TaskUpdate.objects.count() == count


# --- status moves -----------------------------------------------------------------------


def test_an_illegal_status_move_is_a_400_naming_the_allowed_moves(world, lead):
    before = state_of(world)
    response = lead.post(world.updates_url, {"status": "ratified"}, format="json")
    text = messages(error_body(response, 400), "status")
    assert "Cannot move from “In progress” to “Ratified”" in text
    assert "Allowed from here: Blocked, Ready for ratification, Withdrawn." in text
    assert unchanged(world, before)


def test_a_final_status_says_no_move_is_allowed(world, secretariat):
    world.task.status, world.task.progress = Task.Status.RATIFIED, 100
    world.task.save()
    response = secretariat.post(world.updates_url, {"status": "in_progress"}, format="json")
    assert "none: it is final" in messages(error_body(response, 400), "status")


def test_an_update_that_says_nothing_is_a_400_on_the_note(world, lead):
    response = lead.post(world.updates_url, {}, format="json")
    assert "Say what changed" in messages(error_body(response, 400), "note")


def test_status_is_not_moved_by_editing_the_task(world, lead):
    response = lead.patch(world.task_url, {"status": "ready"}, format="json", **world.if_match())
    assert "status" in error_body(response, 400)


# --- content types and methods ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"note": "x"}'),
        ("application/x-www-form-urlencoded", "note=x"),
        ("multipart/form-data; boundary=xx", '--xx\r\nContent-Disposition: form-data; name="note"'),
        ("application/xml", "<note>x</note>"),
        ("application/json-patch+json", '[{"op": "add"}]'),
        ("application/jso", '{"note": "x"}'),
    ],
)
def test_a_body_that_is_not_json_is_a_415(world, lead, content_type, body):
    before = state_of(world)
    response = lead.post(world.updates_url, body, content_type=content_type)
    assert "Unsupported media type" in messages(error_body(response, 415), "detail")
    response = lead.patch(world.task_url, body, content_type=content_type, **world.if_match())
    error_body(response, 415)
    response = APIClient().post("/api/v1/auth/token/", body, content_type=content_type)
    error_body(response, 415)
    assert unchanged(world, before)


def test_a_body_without_a_content_type_is_not_read_and_the_answer_says_so(world, lead):
    """DRF reads no body without a media type: the post is empty, and told what is missing."""
    before = state_of(world)
    response = lead.generic("POST", world.updates_url, '{"note": "x"}', content_type=None)
    assert "Say what changed" in messages(error_body(response, 400), "note")
    assert unchanged(world, before)


def test_json_with_a_charset_is_accepted(world, lead):
    response = lead.post(
        world.updates_url,
        json.dumps({"note": "Kia orana"}).encode(),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "task"),
        ("post", "task"),
        ("delete", "updates"),
        ("put", "updates"),
        ("delete", "/api/v1/outcomes/{outcome}/"),
        ("post", "/api/v1/outcomes/"),
        ("post", "/api/v1/forums/"),
        ("delete", "/api/v1/meetings/"),
        ("get", "/api/v1/auth/token/"),
    ],
)
def test_a_method_the_resource_does_not_have_is_a_405_json(world, secretariat, method, path):
    path = {"task": world.task_url, "updates": world.updates_url}.get(path, path)
    response = getattr(secretariat, method)(
        path.format(outcome=world.outcome.pk), {}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert "not allowed" in messages(error_body(response, 405), "detail")
    assert Task.objects.filter(pk=world.task.pk).exists()


def test_an_accept_header_nothing_satisfies_is_a_406(world, lead):
    response = lead.get(world.task_url, HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "detail" in json.loads(response.content)


def test_unauthenticated_writes_are_a_401_json_with_a_challenge(world):
    anonymous = APIClient()
    response = anonymous.post(world.updates_url, {"note": "x"}, format="json")
    assert "detail" in error_body(response, 401)
    assert response["WWW-Authenticate"].startswith("Token")
    bad_token = APIClient(HTTP_AUTHORIZATION="Token nope")
    error_body(bad_token.get("/api/v1/tasks/"), 401)
    error_body(APIClient(HTTP_AUTHORIZATION="Token a b").get("/api/v1/tasks/"), 401)
    error_body(APIClient(HTTP_AUTHORIZATION="Token \x00").get("/api/v1/tasks/"), 401)
