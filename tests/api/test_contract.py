"""The OpenAPI schema says what the API does, and the API does what the schema says.

Schemathesis (test_schemathesis.py) checks this on generated requests; these tests name
each promise, so that a regression says which one broke.
"""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from forums.api.base import MAX_ID
from forums.api.schema import NO_NUL
from tests.api.test_errors import World, error_body
from workinggroups.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.fixture
def world(db):
    return World()


# --- who may call -----------------------------------------------------------------------


def test_reads_open_to_anyone_say_so_and_writes_do_not(schema):
    for path, method, operation in operations(schema):
        anonymous = {} in operation.get("security", [])
        if method == "get":
            assert anonymous, f"GET {path} is open to anonymous readers but does not say so"
        else:
            assert not anonymous, f"{method.upper()} {path} needs a sign-in but says it does not"


def test_an_anonymous_read_gets_what_the_schema_promises(world):
    response = APIClient().get("/api/v1/meetings/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic dXNlcjpwYXNz", "Tokn abc", "abc", "Token", "Token a b"]
)
def test_an_authorization_header_of_another_scheme_is_refused(world, header):
    response = APIClient().get("/api/v1/meetings/", HTTP_AUTHORIZATION=header)
    assert error_body(response, 401)
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["", "   "])
def test_a_blank_authorization_header_is_an_anonymous_read(world, header):
    response = APIClient().get("/api/v1/meetings/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200


def test_a_token_still_signs_in_beside_the_refusal_of_other_schemes(world):
    response = world.client(world.lead).get(world.task_url)
    assert response.status_code == 200


# --- parameters -------------------------------------------------------------------------


def query_parameters(schema: dict, name: str):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] == name:
                yield f"{method.upper()} {path}", parameter


def test_the_tlp_filter_is_declared_as_the_labels_it_takes(schema):
    found = list(query_parameters(schema, "tlp"))
    assert found
    for operation, parameter in found:
        assert parameter["schema"]["type"] == "string", operation
        assert set(parameter["schema"]["enum"]) <= {"clear", "green", "amber", "red"}, operation


@pytest.mark.parametrize("name", ["meeting", "links_to", "document", "outcome", "forum"])
def test_id_filters_are_whole_numbers_within_a_bigint(schema, name):
    found = list(query_parameters(schema, name))
    assert found
    for operation, parameter in found:
        assert parameter["schema"]["type"] == "integer", operation
        assert parameter["schema"]["minimum"] == 1, operation
        assert parameter["schema"]["maximum"] == MAX_ID, operation


def test_ids_in_paths_are_whole_numbers(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "integer", f"{method} {path}"


def test_page_size_is_declared_with_its_bounds(schema):
    found = list(query_parameters(schema, "page_size"))
    assert found
    for operation, parameter in found:
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, 200)
        assert not parameter.get("allowEmptyValue"), operation


def _strings(schema: dict):
    pending = [schema]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if item.get("type") == "string" and not ({"enum", "format"} & set(item)):
                yield item
            pending.extend(item.get("properties", {}).values())
            pending.extend(item[key] for key in ("items",) if key in item)


def test_every_text_a_client_sends_has_a_length_limit_and_refuses_nul(schema):
    components = schema["components"]["schemas"]
    bodies = [body for name, body in components.items() if name.endswith("Request")]
    assert bodies
    for body in bodies:
        for name, field in body.get("properties", {}).items():
            for text in _strings(field):
                # NO_NUL, or a stricter pattern of the field's own (an outcome's number).
                assert "pattern" in text, name
                assert "maxLength" in text, name
    for path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] not in ("cursor", "ordering"):
                for text in _strings(parameter["schema"]):
                    assert text.get("pattern") == NO_NUL, (path, parameter["name"])
                    assert "maxLength" in text, (path, parameter["name"])


def test_text_over_a_declared_limit_is_refused(world):
    response = world.client(world.lead).get("/api/v1/tasks/", {"search": "x" * 201})
    assert "search" in error_body(response, 400)


@pytest.mark.parametrize(
    "value", ["", "0", "-3", str(MAX_ID + 1), "1.5", "120.0", " 12", "+3", "1e2", "x"]
)
def test_an_id_filter_out_of_bounds_is_refused_or_empty_is_none(world, value):
    response = world.client(world.lead).get("/api/v1/tasks/", {"meeting": value})
    if value == "":
        # Declared allowEmptyValue: an empty filter filters nothing.
        assert len(response.json()["results"]) == 1
    else:
        assert "meeting" in error_body(response, 400)


@pytest.mark.parametrize("path", ["/api/v1/tasks/abc/", "/api/v1/tasks/1.5/", "/api/v1/nothing/"])
@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_a_json_404_with_debug_on_too(world, settings, path, debug):
    settings.DEBUG = debug
    response = world.client(world.lead).get(path)
    assert error_body(response, 404)["detail"]


# --- bodies: the JSON types the schema declares ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"note": 0},
        {"note": True},
        {"note": ["text"]},
        {"progress": "50"},
        {"progress": True},
        {"status": 1},
        {"tlp": 2},
    ],
)
def test_an_update_of_the_wrong_json_type_is_refused_and_changes_nothing(world, body):
    before = world.task.updates.count()
    response = world.client(world.lead).post(world.updates_url, body, format="json")
    field = next(iter(body))
    assert error_body(response, 400)[field]
    assert world.task.updates.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"title": 5},
        {"outcomes": {}},
        {"outcomes": True},
        {"outcomes": ["1"]},
        {"reports_to": "1"},
        {"reports_to": ""},
        {"lead": ""},
        {"recipients": "err-lead"},
        {"due_on": 20260101},
    ],
)
def test_an_edit_of_the_wrong_json_type_is_refused_and_changes_nothing(world, body):
    before = Task.objects.values().get(pk=world.task.pk)
    response = world.client(world.lead).patch(
        world.task_url, body, format="json", **world.if_match()
    )
    assert next(iter(body)) in error_body(response, 400)
    assert Task.objects.values().get(pk=world.task.pk) == before


def test_a_task_created_with_a_numeric_text_group_id_is_refused(world):
    body = {"working_group": str(world.group.pk), "title": "Draft the terms of reference"}
    response = world.client(world.lead).post("/api/v1/tasks/", body, format="json")
    assert "working_group" in error_body(response, 400)
    assert not Task.objects.filter(title="Draft the terms of reference").exists()


@pytest.mark.parametrize("username", ["", 0, None])
def test_a_token_request_without_a_username_is_refused(world, username):
    body = {"username": username, "password": "whatever"}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert "username" in error_body(response, 400)
