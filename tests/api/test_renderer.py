"""The API's orjson renderer writes the bytes DRF's JSONRenderer would (forums/api/renderers.py)."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import Serializer
from rest_framework.test import APIClient
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from forums.api.renderers import OrjsonRenderer
from forums.tlp import TLP
from tests.factories import TaskFactory, UserFactory, api_token_for

SUVA = zoneinfo.ZoneInfo("Pacific/Fiji")

BODIES = [
    {"id": 7, "title": "Nadi's draft — “terms” ✓", "done": False, "note": None},
    [1, 2.5, -3, True, "x"],
    {"at": datetime.datetime(2026, 12, 7, 16, 2, 25, 123456, tzinfo=datetime.UTC)},
    {"at": datetime.datetime(2026, 12, 7, 16, 2, 25, tzinfo=SUVA)},
    {"at": datetime.datetime(2026, 12, 7, 16, 2, 25, 5)},
    {"on": datetime.date(2026, 12, 7), "time": datetime.time(9, 30, 0, 250000)},
    {"late": datetime.timedelta(days=2, seconds=5)},
    {"amount": decimal.Decimal("12.50"), "uuid": uuid.UUID(int=5)},
    {"label": gettext_lazy("Member"), "labels": [gettext_lazy("Chair")]},
    {"separators": "line\u2028paragraph\u2029end"},
    {3: "an int key", "nested": {"deep": [{"a": []}, {}]}},
    ReturnDict(
        {"results": ReturnList([{"id": 1}], serializer=Serializer())}, serializer=Serializer()
    ),
    "",
    0,
]


@pytest.mark.parametrize("body", BODIES)
def test_bodies_are_drf_s_byte_for_byte(body):
    assert OrjsonRenderer().render(body) == JSONRenderer().render(body)


def test_no_body_is_empty():
    assert OrjsonRenderer().render(None) == b""


def test_an_indent_asked_for_is_given_as_drf_gives_it():
    body = {"a": [1, {"b": "é"}]}
    media_type = "application/json; indent=4"

    assert OrjsonRenderer().render(body, media_type) == JSONRenderer().render(body, media_type)
    assert b"\n    " in OrjsonRenderer().render(body, media_type)


@pytest.fixture
def task_reader(db):
    task = TaskFactory.create(tlp=TLP.CLEAR, working_group__tlp=TLP.CLEAR)
    reader = UserFactory.create()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(reader)}")
    return client, task


def test_the_api_answers_with_the_orjson_renderer(task_reader):
    client, task = task_reader

    response = client.get(f"/api/v1/tasks/{task.pk}/")

    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, OrjsonRenderer)
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.data)


def test_the_browsable_api_still_renders(task_reader):
    client, task = task_reader

    response = client.get(f"/api/v1/tasks/{task.pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert task.title.encode() in response.content
