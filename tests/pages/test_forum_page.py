"""A forum's public page: its meetings and its TLP:CLEAR outcomes, whoever reads it, 25 a page."""

import re

import pytest

from forums.tlp import TLP
from pages.views import PUBLIC_OUTCOMES_PER_PAGE
from tests.factories import OutcomeDocumentFactory, OutcomeFactory
from tests.pages.conftest import client_for

pytestmark = pytest.mark.django_db


def codes_in(html: str) -> list[str]:
    return re.findall(r'<a href="/outcomes/([A-Za-z0-9/]+)/">', html)


@pytest.fixture
def published(team):
    """30 public outcomes of a 5th-meeting document beside the team's 4th-meeting ones."""
    document = OutcomeDocumentFactory.create(
        meeting=team["next_meeting"], title="2027 Koror Outcome", code="HOS/5"
    )
    for number in range(1, 31):
        OutcomeFactory.create(document=document, number=str(number), position=number)
    OutcomeFactory.create(
        document=document, number="31", position=31, tlp=TLP.GREEN, text="Members only."
    )
    return document


@pytest.mark.parametrize("reader", [None, "delegate", "member", "officer"])
def test_public_page_shows_only_clear_outcomes_whoever_reads_it(team, reader):
    person = team[reader] if reader else None
    response = client_for(person).get("/forums/HOS/")
    assert response.status_code == 200
    html = response.content.decode()
    assert codes_in(html) == ["HOS/4/15"]
    for hidden in ("HOS/4/16", "HOS/4/17", "threat assessment", "liaison officers"):
        assert hidden not in html
    assert "2026 Suva Outcome" in html
    assert f'href="/meetings/{team["established"].pk}/"' in html


def test_public_page_is_paginated_25_a_page_newest_meeting_first(team, published):
    assert PUBLIC_OUTCOMES_PER_PAGE == 25
    client = client_for(team["officer"])  # sees everything elsewhere: not here
    first = client.get("/forums/HOS/")
    html = first.content.decode()
    assert first.context["page"].paginator.count == 31  # 30 of the 5th, 1 of the 4th
    assert codes_in(html) == [f"HOS/5/{n}" for n in range(1, 26)]
    assert "Page 1 of 2" in html
    assert 'href="?page=2" rel="next"' in html
    assert "Members only." not in html

    second = client.get("/forums/HOS/", {"page": 2}).content.decode()
    assert codes_in(second) == [f"HOS/5/{n}" for n in range(26, 31)] + ["HOS/4/15"]
    assert 'href="?page=1" rel="prev"' in second
    assert "HOS/5/31" not in second

    # A page number out of range shows the last page rather than failing.
    assert client.get("/forums/HOS/", {"page": 99}).context["page"].number == 2


def test_forum_page_links_its_state_of_implementation(team):
    html = client_for(None).get("/forums/HOS/").content.decode()
    assert 'href="/forums/HOS/implementation/"' in html


def test_forum_page_finds_the_forum_whatever_the_case_and_404s_an_unknown_one(team):
    assert client_for(None).get("/forums/hos/").status_code == 200
    assert client_for(None).get("/forums/NOPE/").status_code == 404


def test_home_lists_the_forums_for_the_public_and_members_their_own(team):
    home = client_for(None).get("/")
    assert home.status_code == 200
    assert 'href="/forums/HOS/"' in home.content.decode()
    signed_in = client_for(team["member"]).get("/")
    assert signed_in.status_code == 200
    assert [card.forum.acronym for card in signed_in.context["cards"]] == ["HOS"]
