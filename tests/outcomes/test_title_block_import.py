"""A statement's title block becomes the document's title, kind, adoption day and place
(issue 22): in the import service, so the admin and the API get it alike."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from fixtures.jhops import load_jhops
from forums.models import Meeting
from outcomes.importing.services import document_kind_named_in, outcome_statement_import
from outcomes.importing.statement import parse_statement
from outcomes.models import OutcomeDocument
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

# As published: an en dash between the days.
WITH_TITLE_BLOCK = """\
PACIFIC ISLANDS FORUM
Regional Security Committee
Apia, Samoa
17 {DASH} 18 June 2026

OUTCOMES COMMUNIQUÉ

1. The Committee welcomed the new members of the regional policing network.
2. The Committee agreed to hold its next meeting in Honiara.
""".replace("{DASH}", "\N{EN DASH}")
WITHOUT_TITLE_BLOCK = """\
1. The Committee welcomed the new members of the regional policing network.
2. The Committee agreed to hold its next meeting in Honiara.
"""


@pytest.fixture
def secretariat(db):
    load_jhops(demo_users=True)
    return get_user_model().objects.get(username="secretariat")


def sixth() -> Meeting:
    return Meeting.objects.get(forum__acronym="JHOPS", sequence=6)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("FORUM COMMUNIQUÉ", "communique"),
        ("Joint Communique of the 6th JHoPS", "communique"),
        ("Boe Declaration on Regional Security", "declaration"),
        ("Boe Declaration Action Plan", "action_plan"),
        ("SECURITY COOPERATION PLAN 2025", "action_plan"),
        ("Implementation Plan 2025–2027", "action_plan"),  # noqa: RUF001
        ("Outcomes of the Forum Regional Security Committee", "outcome_statement"),
    ],
)
def test_the_kind_is_the_one_the_title_names(title, kind):
    assert document_kind_named_in(title) == kind


def test_details_left_empty_come_from_the_title_block(secretariat):
    draft = parse_statement(WITH_TITLE_BLOCK)
    assert draft.title and draft.place == "Apia, Samoa"

    document = outcome_statement_import(actor=secretariat, meeting=sixth(), draft=draft)

    assert document.title == draft.title
    assert document.kind == OutcomeDocument.Kind.COMMUNIQUE
    assert document.adopted_on == datetime.date(2026, 6, 18)
    assert document.place == "Apia, Samoa"
    assert document.outcomes.count() == 2


def test_details_given_win_over_the_title_block(secretariat):
    document = outcome_statement_import(
        actor=secretariat,
        meeting=sixth(),
        draft=parse_statement(WITH_TITLE_BLOCK),
        kind=OutcomeDocument.Kind.OUTCOME_STATEMENT,
        title="Outcomes of the 2026 Regional Security Committee",
        adopted_on=datetime.date(2026, 6, 17),
        place="Apia",
    )
    assert (document.kind, document.title, document.adopted_on, document.place) == (
        "outcome_statement",
        "Outcomes of the 2026 Regional Security Committee",
        datetime.date(2026, 6, 17),
        "Apia",
    )


def test_without_a_title_anywhere_nothing_is_saved(secretariat):
    with pytest.raises(ValidationError) as refusal:
        outcome_statement_import(
            actor=secretariat, meeting=sixth(), draft=parse_statement(WITHOUT_TITLE_BLOCK)
        )
    assert "title block" in refusal.value.message_dict["title"][0]
    assert not OutcomeDocument.objects.filter(meeting=sixth()).exists()


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def test_the_api_saves_a_statement_sent_with_its_text_alone(secretariat):
    body = {"meeting": sixth().pk, "text": WITH_TITLE_BLOCK, "preview": False}
    response = api(secretariat).post("/api/v1/outcome-documents/import/", body, format="json")
    assert response.status_code == 201, response.content
    saved = response.json()
    assert (saved["kind"], saved["adopted_on"], saved["place"]) == (
        "communique",
        "2026-06-18",
        "Apia, Samoa",
    )


def test_the_api_asks_for_a_title_the_text_does_not_give(secretariat):
    body = {"meeting": sixth().pk, "text": WITHOUT_TITLE_BLOCK, "preview": False}
    response = api(secretariat).post("/api/v1/outcome-documents/import/", body, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    assert not OutcomeDocument.objects.filter(meeting=sixth()).exists()


def test_the_admin_review_offers_the_title_block_for_checking(secretariat, client):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:outcomes_outcomedocument_import"),
        {"meeting": str(sixth().pk), "tlp": "0", "text": WITH_TITLE_BLOCK, "_preview": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    title = parse_statement(WITH_TITLE_BLOCK).title
    assert re.search(rf'name="title" value="{re.escape(html.escape(title))}"', page)
    assert re.search(r'name="place" value="Apia, Samoa"', page)
    assert 'value="2026-06-18"' in page
    assert '<option value="communique" selected>' in page


def test_the_admin_review_shows_annexes_apart_from_the_outcomes(secretariat, client):
    text = WITH_TITLE_BLOCK + (
        "\nAnnex A: List of Participants\n\nFiji Police Force\nTonga Police\n"
    )
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:outcomes_outcomedocument_import"),
        {"meeting": str(sixth().pk), "tlp": "0", "text": text, "_preview": "1"},
    )
    page = response.content.decode()
    assert "Annexes, kept apart: not read as outcomes" in page
    assert "<summary>Annex A: List of Participants</summary>" in page
    # Two outcomes, none of them an annex line.
    assert len(response.context["items"]) == 2
