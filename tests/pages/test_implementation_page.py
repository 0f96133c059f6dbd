"""A forum's state of implementation: every active outcome and where it stands, as the
reader may know it; filters from the address; the same rows as CSV."""

import csv
import io
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.tlp import TLP
from outcomes.models import Outcome
from pages.implementation import CSV_COLUMNS
from tests.factories import (
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    TaskFactory,
)
from tests.pages.conftest import client_for
from workinggroups.implementation import State
from workinggroups.models import Task

pytestmark = pytest.mark.django_db

_planted = itertools.count(1)
PAGE = "/forums/HOS/implementation/"
CSV = "/forums/HOS/implementation.csv"


def codes(response) -> list[str]:
    return [row.citation_code for row in response.context["page"].object_list]


def row_of(response, code: str):
    return next(row for row in response.context["page"].object_list if row.citation_code == code)


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


@pytest.fixture
def later_outcome(team):
    """An outcome of the 5th meeting, with work under way."""
    document = OutcomeDocumentFactory.create(meeting=team["next_meeting"], code="HOS/5")
    outcome = OutcomeFactory.create(document=document, number="3", text="Members agreed more.")
    work = TaskFactory.create(
        working_group=team["group"], title="Follow up", status=Task.Status.IN_PROGRESS, progress=40
    )
    work.outcomes.add(outcome)
    return outcome


def test_active_outcomes_come_newest_meeting_first_each_in_document_order(team, later_outcome):
    OutcomeFactory.create(
        document=team["document"], number="18", text="Done with.", status=Outcome.Status.ELAPSED
    )
    response = client_for(team["officer"]).get(PAGE)
    assert response.status_code == 200
    assert codes(response) == ["HOS/5/3", "HOS/4/15", "HOS/4/16", "HOS/4/17"]
    html = response.content.decode()
    assert html.index("5th HOS") < html.index("4th HOS")
    assert "Figures count only the work you may read." in html
    assert "Done with." not in html  # elapsed: no longer followed up


def test_each_row_says_where_its_outcome_stands_with_an_accessible_progress_bar(
    team, later_outcome
):
    response = client_for(team["officer"]).get(PAGE)
    row = row_of(response, "HOS/5/3")
    assert (row.implementation, row.progress, row.work_open, row.work_total) == (
        State.UNDER_WAY,
        40,
        1,
        1,
    )
    html = response.content.decode()
    assert '<progress max="100" value="40" aria-label="Progress"></progress> 40%' in html
    assert "1 open of 1" in html
    assert 'href="/outcomes/HOS/5/3/"' in html  # the full text and its lineage


def test_a_delegate_neither_sees_nor_counts_what_they_may_not_read(team):
    # A TLP:RED task serving the public outcome, and the RED outcome itself.
    team["red_task"].outcomes.add(team["public_outcome"])
    as_officer = client_for(team["officer"]).get(PAGE)
    as_delegate = client_for(team["delegate"]).get(PAGE)

    assert codes(as_officer) == ["HOS/4/15", "HOS/4/16", "HOS/4/17"]
    assert codes(as_delegate) == ["HOS/4/15"]
    assert row_of(as_officer, "HOS/4/15").work_total == 2
    assert row_of(as_delegate, "HOS/4/15").work_total == 1
    html = as_delegate.content.decode()
    for hidden in ("HOS/4/16", "HOS/4/17", "liaison officers", "undercover"):
        assert hidden not in html
    delegate_csv = csv_rows(client_for(team["delegate"]).get(CSV))
    assert [(r["citation_code"], r["total_work"]) for r in delegate_csv] == [("HOS/4/15", "1")]


def test_anyone_reads_the_page_within_tlp_clear(team):
    response = client_for(None).get(PAGE)
    assert response.status_code == 200
    assert codes(response) == ["HOS/4/15"]
    assert row_of(response, "HOS/4/15").work_total == 0  # the group's work is TLP:GREEN


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("meeting=5", ["HOS/5/3"]),
        ("meeting=4", ["HOS/4/15", "HOS/4/16", "HOS/4/17"]),
        ("kind=decision", ["HOS/4/16"]),
        ("state=under_way", ["HOS/5/3"]),
        ("state=not_started&meeting=4", ["HOS/4/15", "HOS/4/16", "HOS/4/17"]),
        ("state=stalled", []),
    ],
)
def test_filters_narrow_the_page_and_the_csv_alike(team, later_outcome, query, expected):
    Outcome.objects.filter(citation_code="HOS/4/16").update(kind=Outcome.Kind.DECISION)
    client = client_for(team["officer"])
    assert codes(client.get(f"{PAGE}?{query}")) == expected
    assert [row["citation_code"] for row in csv_rows(client.get(f"{CSV}?{query}"))] == expected


@pytest.mark.parametrize("query", ["state=finished", "meeting=99", "meeting=five", "kind=wish"])
def test_an_unknown_filter_is_a_form_error_not_a_list(team, query):
    client = client_for(team["officer"])
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert "page" not in response.context
    html = response.content.decode()
    assert 'class="errorlist"' in html  # beside the field
    assert '<div class="error-summary"' in html  # and summed up above the form
    refused = client.get(f"{CSV}?{query}")
    assert refused.status_code == 400
    assert "valid choice" in refused.content.decode()


def test_the_csv_is_a_named_utf8_attachment_with_the_pages_columns(team, later_outcome):
    Outcome.objects.filter(citation_code="HOS/4/15").update(text="=HYPERLINK(evil)")
    response = client_for(team["officer"]).get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="talanoa-hos-implementation-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    assert response.content.decode().splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = csv_rows(response)
    first = rows[0]
    assert (first["meeting"], first["citation_code"], first["state"]) == (
        "5th HOS",
        "HOS/5/3",
        "under_way",
    )
    assert (first["progress"], first["open_work"], first["total_work"]) == ("40", "1", "1")
    assert rows[1]["text"] == "'=HYPERLINK(evil)"  # a formula is neutralised
    assert rows[1]["progress"] == "0" and rows[3]["state"] == "not_started"


def test_an_unknown_forum_is_404(team):
    assert client_for(team["officer"]).get("/forums/NOPE/implementation/").status_code == 404
    assert client_for(team["officer"]).get("/forums/NOPE/implementation.csv").status_code == 404


# --- weight and queries ------------------------------------------------------------------------


def plant_outcomes(team, count: int) -> None:
    """`count` active outcomes with long texts over ten meetings, a fifth served by work."""
    meetings = [team["established"], team["next_meeting"]]
    documents = [
        OutcomeDocumentFactory.create(
            meeting=meetings[i % 2], code=f"HOS/{4 + i % 2}-P{next(_planted)}"
        )
        for i in range(10)
    ]
    text = "Members agreed to strengthen cooperation between their agencies. " * 6
    made = Outcome.objects.bulk_create(
        Outcome(
            document=documents[i % 10],
            number=f"{1000 + i}",
            position=1000 + i,
            text=text,
            kind=Outcome.Kind.AGREEMENT,
            tlp=TLP.CLEAR,
            citation_code=f"{documents[i % 10].code}/{1000 + i}",
        )
        for i in range(count)
    )
    work = TaskFactory.create(
        working_group=team["group"], title=f"Planted work {count}", status="in_progress"
    )
    work.outcomes.add(*made[::5])


@pytest.mark.parametrize("reader", ["officer", "delegate", None])
def test_the_page_costs_the_same_queries_at_10_and_500_outcomes(team, reader):
    def queries() -> int:
        client = client_for(team[reader] if reader else None)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        return len(captured)

    plant_outcomes(team, 10)
    few = queries()
    plant_outcomes(team, 490)
    for sequence in range(6, 11):  # more meetings to filter by, too
        MeetingFactory.create(forum=team["forum"], sequence=sequence)
    assert Outcome.objects.filter(document__meeting__forum=team["forum"]).count() > 500
    assert queries() == few


def test_a_page_of_500_outcomes_stays_under_100_kb(team):
    plant_outcomes(team, 500)
    response = client_for(team["officer"]).get(PAGE)
    assert response.context["page"].paginator.count == 503
    assert len(response.content) < 100 * 1024
    assert 'rel="next"' in response.content.decode()
    last = client_for(team["officer"]).get(f"{PAGE}?page=6")
    assert len(last.context["page"].object_list) == 3
