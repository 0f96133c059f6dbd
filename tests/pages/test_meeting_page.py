"""A meeting's page: documents and outcomes within clearance, its work, the chair's report."""

import datetime
import io

import pytest
import time_machine
from pypdf import PdfReader

from forums.tlp import TLP
from reports.models import GeneratedReport, StoredFile
from tests.factories import OutcomeDocumentFactory, OutcomeFactory, TaskFactory
from tests.pages.conftest import client_for

pytestmark = pytest.mark.django_db


def url(meeting, suffix: str = "") -> str:
    return f"/meetings/{meeting.pk}/{suffix}"


def files_kept() -> set[str]:
    return set(StoredFile.objects.values_list("name", flat=True))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def documents(team):
    """At the 4th meeting: the public Suva Outcome (team) and an AMBER record of discussion."""
    record = OutcomeDocumentFactory.create(
        meeting=team["established"],
        title="Record of the closed session",
        code="HOS/4/closed",
        tlp=TLP.AMBER,
    )
    OutcomeFactory.create(
        document=record, number="1", text="Heads discussed the sealed matter.", tlp=TLP.AMBER
    )
    return record


def test_meeting_page_shows_documents_and_outcomes_within_clearance(team, documents):
    meeting = team["established"]
    anonymous = client_for(None).get(url(meeting))
    assert anonymous.status_code == 200
    html = anonymous.content.decode()
    assert "2026 Suva Outcome" in html
    assert "HOS/4/15" in html and "Members agreed to consider a treaty." in html
    for hidden in ("HOS/4/16", "HOS/4/17", "Record of the closed session", "sealed matter"):
        assert hidden not in html

    as_member = client_for(team["member"]).get(url(meeting)).content.decode()
    # The group's members read the forum's AMBER outcomes and documents; RED only if named.
    assert "HOS/4/16" in as_member
    assert "Record of the closed session" in as_member and "sealed matter" in as_member
    assert "HOS/4/17" not in as_member

    as_officer = client_for(team["officer"]).get(url(meeting)).content.decode()
    assert "HOS/4/17" in as_officer


def test_meeting_page_lists_the_groups_it_set_up_and_the_work_due_at_the_next(team):
    established = client_for(team["delegate"]).get(url(team["established"])).content.decode()
    assert "Treaty working group" in established
    assert "Customs working group" in established

    upcoming = client_for(team["delegate"]).get(url(team["next_meeting"]))
    assert upcoming.status_code == 200
    # By group; the AMBER and RED work of the treaty group is not the delegate's to see.
    assert [task.title for task in upcoming.context["due_here"]] == [
        "Harmonise customs forms",
        "Consider a treaty framework",
    ]
    assert upcoming.context["carried_over"] == []


@pytest.mark.parametrize(
    ("reader", "has_form"),
    [
        ("chair", True),
        ("officer", True),
        ("member", False),
        ("lead", False),
        ("delegate", False),
        ("observer", False),
        ("stranger", False),
        (None, False),
    ],
)
def test_report_form_is_only_for_the_forums_chairs_and_the_secretariat(team, reader, has_form):
    person = team[reader] if reader else None
    response = client_for(person).get(url(team["next_meeting"]))
    assert response.status_code == 200
    assert (response.context["report_form"] is not None) is has_form
    assert (b"Make the report" in response.content) is has_form


def test_chair_sees_the_report_levels_up_to_their_clearance(team):
    form = client_for(team["chair"]).get(url(team["next_meeting"])).context["report_form"]
    assert [value for value, _label in form.fields["tlp"].choices] == [
        TLP.CLEAR,
        TLP.GREEN,
        TLP.AMBER,
    ]


def test_chair_downloads_the_report_as_a_pdf_naming_the_meeting(team):
    meeting = team["next_meeting"]
    response = client_for(team["chair"]).get(url(meeting, "report/"), {"format": "pdf", "tlp": 0})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Chair's report: 5th HOS" in text
    assert "TLP:CLEAR" in text
    # The groups and their work are TLP:GREEN: a public report does not name them.
    assert "Treaty working group" not in text
    assert "Serves: HOS/4/15" not in text

    report = GeneratedReport.objects.get()
    assert (report.meeting, report.requested_by, report.level, report.format) == (
        meeting,
        team["chair"],
        TLP.CLEAR,
        "pdf",
    )


def test_a_report_asked_for_west_of_utc_has_the_work_recorded_today(team):
    """At 05:00 UTC on 28 November it is still the 27th in the Cook Islands. A report's day
    ends at midnight UTC, so a report as of the chair's own date would leave out what was
    recorded since; it is as of the 28th, as the API's and the admin's are."""
    chair = team["chair"]
    chair.profile.time_zone = "Pacific/Rarotonga"
    chair.profile.save()
    morning = datetime.datetime(2026, 11, 28, 5, 0, tzinfo=datetime.UTC)
    with time_machine.travel(morning, tick=False):
        TaskFactory.create(working_group=team["group"], title="Recorded at dawn, UTC")
        response = client_for(chair).get(
            url(team["next_meeting"], "report/"), {"format": "html", "tlp": int(TLP.GREEN)}
        )

    assert response.status_code == 200
    assert GeneratedReport.objects.get().as_of == datetime.date(2026, 11, 28)
    assert "Recorded at dawn, UTC" in b"".join(response.streaming_content).decode()


def test_a_report_too_long_for_now_is_queued_and_listed_on_the_meeting_page(
    team, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_NOW_MAX_ROWS = 1  # the HOS meeting's GREEN report has more rows than that
    meeting = team["next_meeting"]
    chair = client_for(team["chair"])

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = chair.get(url(meeting, "report/"), {"format": "pdf", "tlp": 1}, follow=True)

    assert response.redirect_chain == [(url(meeting), 302)]
    assert len(jobs) == 1  # the worker's job, sent once the request commits
    report = GeneratedReport.objects.get()
    assert (report.status, report.format, report.requested_by) == ("queued", "pdf", team["chair"])
    assert not report.file
    page = response.content.decode()
    assert "it is being made for you" in page
    assert "Versions" in page and "Queued" in page

    # The HTML has no bound: it comes at once.
    html = chair.get(url(meeting, "report/"), {"format": "html", "tlp": 0})
    assert html.status_code == 200
    assert GeneratedReport.objects.count() == 2


def test_a_green_report_names_the_groups_work(team):
    response = client_for(team["chair"]).get(
        url(team["next_meeting"], "report/"), {"format": "pdf", "tlp": int(TLP.GREEN)}
    )
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert "TLP:GREEN" in text
    assert "Treaty working group" in text
    # The treaty task, by the plain name of the outcome it serves and its code (table cells
    # wrap its title).
    assert "Serves:" in text and "(HOS/4/15)" in text
    assert "informant" not in text  # the AMBER task
    assert GeneratedReport.objects.get().level == TLP.GREEN


@pytest.mark.parametrize(("reader", "level"), [("delegate", TLP.AMBER), ("chair", TLP.RED)])
def test_a_report_level_above_clearance_is_refused_with_no_file(team, reader, level):
    """The meeting page comes back with the form and the reason at its top."""
    meeting = team["next_meeting"]
    before = files_kept()
    client = client_for(team[reader])
    response = client.get(url(meeting, "report/"), {"format": "pdf", "tlp": int(level)})
    assert response.status_code == 400
    assert not GeneratedReport.objects.exists()
    assert files_kept() == before
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "Choose who may read it among the levels offered." in page


def test_a_report_needs_a_sign_in(team):
    response = client_for(None).get(
        url(team["next_meeting"], "report/"), {"format": "pdf", "tlp": 0}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not GeneratedReport.objects.exists()


def test_a_meeting_that_has_opened_shows_open_work_as_carried_over(team):
    opened = team["established"]  # 1 Aug 2026: already held
    group = team["group"]
    carried = TaskFactory.create(
        working_group=group, title="Still open at the 4th", reports_to=opened, status="in_progress"
    )
    presented = TaskFactory.create(
        working_group=group, title="Ratified at the 4th", reports_to=opened, status="ratified"
    )
    response = client_for(team["member"]).get(url(opened))
    assert response.context["carried_over"] == [carried]
    assert response.context["done_here"] == [presented]
    assert response.context["due_here"] == []
    html = response.content.decode()
    assert html.index("Carried over") < html.index("Still open at the 4th")
    assert html.index("Work presented") < html.index("Ratified at the 4th")
