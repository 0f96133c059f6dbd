"""Nothing about a hidden thing shows through what the reader may read: not a parent's
code, not a version, not a time, not an ETag.

A RED outcome may name other recipients than its RED parent; a GREEN task may carry
AMBER or RED updates its GREEN readers may not read. Each test reads as someone who sees
the item but not the hidden thing, and looks for the hidden thing's trace.
"""

import pytest
from rest_framework.test import APIClient

from forums.tlp import TLP
from tests.factories import (
    OutcomeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def red_parent_and_named_child():
    """JHOPS/5/12 and its sub-item, both RED: the reader is named on the sub-item only."""
    reader = UserFactory.create(username="named-on-the-child")
    parent = OutcomeFactory.create(tlp=TLP.RED, number="12")
    parent.recipients.set([UserFactory.create(username="named-on-the-parent")])
    child = OutcomeFactory.create(document=parent.document, parent=parent, number="13", tlp=TLP.RED)
    child.recipients.set([reader])
    return reader, parent, child


def test_an_outcomes_hidden_parent_is_not_cited_in_its_detail(red_parent_and_named_child):
    reader, parent, child = red_parent_and_named_child
    client = client_of(reader)
    assert client.get(f"/api/v1/outcomes/{parent.pk}/").status_code == 404
    response = client.get(f"/api/v1/outcomes/{child.pk}/")
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert parent.citation_code not in response.content.decode()


def test_an_outcomes_hidden_parent_is_not_cited_in_the_list(red_parent_and_named_child):
    reader, _parent, child = red_parent_and_named_child
    rows = client_of(reader).get("/api/v1/outcomes/").json()["results"]
    assert [(row["id"], row["parent"]) for row in rows] == [(child.pk, None)]


def test_a_visible_parent_is_still_cited(red_parent_and_named_child):
    reader, parent, child = red_parent_and_named_child
    parent.recipients.add(reader)
    client = client_of(reader)
    assert client.get(f"/api/v1/outcomes/{child.pk}/").json()["parent"] == parent.citation_code
    rows = client.get("/api/v1/outcomes/").json()["results"]
    assert {row["id"]: row["parent"] for row in rows}[child.pk] == parent.citation_code
