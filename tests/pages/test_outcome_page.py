"""An outcome by its citation code: its text, and its lineage only through what the reader may see.

The chain planted here, oldest first:

    HOS/2/3  (CLEAR)   Nadi outcome 3
    HOS/4/15 (CLEAR)   reaffirms HOS/2/3                 (team's public outcome)
    HOS/6/1  (AMBER)   implements HOS/4/15
    HOS/6/2  (CLEAR)   pursuant to HOS/6/1
    HOS/6/4  (CLEAR)   reaffirms the whole Nadi document

A reader who may not see HOS/6/1 sees neither it nor what lies beyond it.
"""

import datetime
import re

import pytest

from fixtures.jhops import load_jhops
from forums.tlp import TLP
from outcomes.models import OutcomeLink
from outcomes.services import outcome_link_add
from tests.factories import MeetingFactory, OutcomeDocumentFactory, OutcomeFactory
from tests.pages.conftest import client_for
from workinggroups.models import Task

pytestmark = pytest.mark.django_db

K = OutcomeLink.Kind


@pytest.fixture
def chain(team):
    forum, actor = team["forum"], team["officer"]
    nadi = OutcomeDocumentFactory.create(
        meeting=MeetingFactory.create(
            forum=forum,
            sequence=2,
            start_date=datetime.date(2024, 8, 1),
            end_date=datetime.date(2024, 8, 2),
        ),
        title="2024 Nadi Outcome",
        short_title="Nadi Outcome",
        code="HOS/2",
    )
    later = OutcomeDocumentFactory.create(
        meeting=MeetingFactory.create(
            forum=forum,
            sequence=6,
            start_date=datetime.date(2028, 8, 1),
            end_date=datetime.date(2028, 8, 2),
        ),
        title="2028 Apia Outcome",
        short_title="Apia Outcome",
        code="HOS/6",
    )
    origin = OutcomeFactory.create(
        document=nadi, number="3", text="Members agreed to share watchlists."
    )
    reaffirmed = team["public_outcome"]  # HOS/4/15
    implementing = OutcomeFactory.create(
        document=later, number="1", text="Heads adopted the sealed protocol.", tlp=TLP.AMBER
    )
    pursuant = OutcomeFactory.create(
        document=later, number="2", text="Members will publish a summary of the protocol."
    )
    whole = OutcomeFactory.create(
        document=later, number="4", text="Members reaffirmed the Nadi Outcome in full."
    )
    outcome_link_add(actor=actor, source=reaffirmed, kind=K.REAFFIRMS, target_outcome=origin)
    outcome_link_add(actor=actor, source=implementing, kind=K.IMPLEMENTS, target_outcome=reaffirmed)
    outcome_link_add(actor=actor, source=pursuant, kind=K.PURSUANT_TO, target_outcome=implementing)
    outcome_link_add(actor=actor, source=whole, kind=K.REAFFIRMS, target_document=nadi)
    return {
        "origin": origin,
        "reaffirmed": reaffirmed,
        "implementing": implementing,
        "pursuant": pursuant,
        "whole": whole,
    }


def page(person, code: str):
    return client_for(person).get(f"/outcomes/{code}/")


def section(html: str, title: str) -> str:
    start = html.index(f"<h3>{title}</h3>")
    end = html.find("<h3>", start + 1)
    return html[start : end if end != -1 else len(html)]


def codes_in(html: str) -> list[str]:
    return re.findall(r'<a href="/outcomes/([A-Z0-9/]+)/">', html)


def test_outcome_page_is_found_by_its_citation_code_and_shows_its_text(team, chain):
    response = page(None, "HOS/4/15")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Members agreed to consider a treaty." in html
    assert "HOS/4/15" in html
    assert "2026 Suva Outcome" in html
    assert f'href="/meetings/{team["established"].pk}/"' in html


def test_lineage_for_the_public_stops_at_what_it_may_not_see(team, chain):
    html = page(None, "HOS/4/15").content.decode()
    assert codes_in(section(html, "Builds on")) == ["HOS/2/3"]
    assert "reaffirms" in section(html, "Builds on")
    forward = section(html, "Taken forward by")
    assert codes_in(forward) == []
    for hidden in ("HOS/6/1", "sealed protocol", "HOS/6/2", "summary of the protocol"):
        assert hidden not in html
    # The treaty task serving it is TLP:GREEN.
    assert "Consider a treaty framework" not in section(html, "Work serving it")


def test_lineage_for_a_reader_cleared_for_it_is_the_whole_chain(team, chain):
    html = page(team["member"], "HOS/4/15").content.decode()
    forward = section(html, "Taken forward by")
    assert codes_in(forward) == ["HOS/6/1", "HOS/6/2"]
    # HOS/6/2 took HOS/6/1 forward: it is nested under it, a readable chain.
    nested = forward[forward.index("HOS/6/1") :]
    assert nested.index("<ul>") < nested.index("HOS/6/2")
    assert "implements" in forward and "pursuant to" in forward
    assert "Consider a treaty framework" in section(html, "Work serving it")


def test_builds_on_follows_links_back_through_the_years(team, chain):
    as_member = page(team["member"], "HOS/6/2").content.decode()
    assert codes_in(section(as_member, "Builds on")) == ["HOS/6/1", "HOS/4/15", "HOS/2/3"]

    public = page(None, "HOS/6/2")
    assert public.status_code == 200
    # Its only step back is AMBER: nothing beyond it is shown either.
    assert codes_in(section(public.content.decode(), "Builds on")) == []
    assert "It cites no earlier outcome you may read." in public.content.decode()


def test_an_outcome_citing_a_whole_document_takes_each_of_its_outcomes_forward(team, chain):
    html = page(None, "HOS/2/3").content.decode()
    forward = codes_in(section(html, "Taken forward by"))
    assert sorted(forward) == ["HOS/4/15", "HOS/6/4"]


def test_an_invisible_outcome_is_not_found(team, chain):
    assert page(None, "HOS/6/1").status_code == 404
    assert page(team["delegate"], "HOS/6/1").status_code == 404
    assert page(team["stranger"], "HOS/6/1").status_code == 404
    assert page(team["member"], "HOS/6/1").status_code == 200

    assert page(team["member"], "HOS/4/17").status_code == 404  # RED, not named
    assert page(team["officer"], "HOS/4/17").status_code == 200
    team["red_outcome"].recipients.add(team["member"])
    assert page(team["member"], "HOS/4/17").status_code == 200

    assert page(team["officer"], "HOS/9/99").status_code == 404


def test_jhops_outcome_page_shows_denarau_16_taken_forward_at_koror():
    load_jhops(demo_users=True)
    response = page(None, "JHOPS/4/16")
    assert response.status_code == 200
    html = response.content.decode()
    assert "JHOPS/5/6" in codes_in(section(html, "Taken forward by"))
    assert "pursuant to" in section(html, "Taken forward by")


def test_a_sub_item_never_cites_a_parent_the_reader_may_not_open(team):
    parent = OutcomeFactory.create(
        document=team["document"], number="20", text="Parent for the lead.", tlp=TLP.RED
    )
    parent.recipients.add(team["lead"])
    child = OutcomeFactory.create(
        document=team["document"], number="20.a", text="Part for both.", tlp=TLP.RED, parent=parent
    )
    child.recipients.add(team["member"], team["lead"])

    as_member = page(team["member"], "HOS/4/20.a")
    assert as_member.status_code == 200
    assert "Part for both." in as_member.content.decode()
    assert "HOS/4/20/" not in as_member.content.decode()
    assert "Part of" not in as_member.content.decode()
    assert page(team["member"], "HOS/4/20").status_code == 404

    as_lead = page(team["lead"], "HOS/4/20.a").content.decode()
    assert 'Part of HOS/4/20 — <a href="/outcomes/HOS/4/20/">' in as_lead
    parent_page = page(team["lead"], "HOS/4/20").content.decode()
    assert 'href="/outcomes/HOS/4/20.a/"' in parent_page  # its parts, within clearance


def test_a_cycle_in_the_links_shows_each_outcome_once_and_ends(team, chain):
    # A data error: the Nadi outcome "reaffirms" the Suva one that reaffirms it.
    outcome_link_add(
        actor=team["officer"],
        source=chain["origin"],
        kind=K.REAFFIRMS,
        target_outcome=chain["reaffirmed"],
    )
    html = page(None, "HOS/4/15").content.decode()
    builds_on = codes_in(section(html, "Builds on"))
    assert builds_on == ["HOS/2/3", "HOS/4/15"]  # back to itself once, then it stops
    forward = codes_in(section(html, "Taken forward by"))
    assert forward == ["HOS/2/3", "HOS/4/15"]


# --- the same lineage through the API ------------------------------------------------------


def lineage_api(person, outcome):
    return client_for(person).get(f"/api/v1/outcomes/{outcome.pk}/lineage/")


def test_api_lineage_is_the_page_chain_flat_with_depths(team, chain):
    body = lineage_api(team["member"], chain["reaffirmed"]).json()
    assert body["outcome"]["citation_code"] == "HOS/4/15"
    forward = [(s["depth"], s["outcome"]["citation_code"]) for s in body["taken_forward_by"]]
    assert forward == [(0, "HOS/6/1"), (1, "HOS/6/2")]
    back = body["builds_on"]
    assert [(s["depth"], s["relation"], s["outcome"]["citation_code"]) for s in back] == [
        (0, "reaffirms", "HOS/2/3")
    ]
    assert [t["title"] for t in body["serving_tasks"]] == ["Consider a treaty framework"]


def test_api_lineage_stops_where_the_reader_may_not_see(team, chain):
    public = lineage_api(None, chain["reaffirmed"]).json()
    assert public["taken_forward_by"] == []
    assert public["serving_tasks"] == []  # the treaty task is TLP:GREEN
    assert "HOS/6/1" not in str(public)
    assert lineage_api(None, chain["implementing"]).status_code == 404
    whole = lineage_api(None, chain["whole"]).json()["builds_on"]
    assert [(s["relation"], s["outcome"], s["document"]["code"]) for s in whole] == [
        ("reaffirms 2024 Nadi Outcome", None, "HOS/2")
    ]


# --- where it stands ----------------------------------------------------------------------------


def where_it_stands(html: str) -> str:
    start = html.index(">Where it stands<")
    return html[start : html.index(">Lineage<", start)]


def test_where_it_stands_counts_only_the_work_the_reader_may_read(team):
    outcome, red = team["public_outcome"], team["red_task"]  # red names the lead only
    red.outcomes.add(outcome)
    Task.objects.filter(pk=red.pk).update(status=Task.Status.IN_PROGRESS, progress=60)

    as_lead = client_for(team["lead"]).get("/outcomes/HOS/4/15/")
    assert (as_lead.context["outcome"].work_total, as_lead.context["outcome"].progress) == (2, 30)
    lead_view = where_it_stands(as_lead.content.decode())
    assert "Under way" in lead_view
    assert '<progress max="100" value="30" aria-label="Progress"></progress> 30%' in lead_view
    assert "2 open of 2" in lead_view

    member_view = where_it_stands(client_for(team["member"]).get("/outcomes/HOS/4/15/").text)
    assert "Not started" in member_view and "1 open of 1" in member_view
    assert "Figures count only the work you may read." in member_view
    assert 'href="/forums/HOS/implementation/"' in member_view


def test_where_it_stands_without_work_says_so_and_draws_no_bar(team):
    html = client_for(None).get("/outcomes/HOS/4/15/").content.decode()
    view = where_it_stands(html)
    assert "No work assigned" in view  # the group's work is TLP:GREEN
    assert "<progress" not in view
