"""The chair's report through the API: files in three formats, levels, the queued job, records.

The files are read back (PDF text with pypdf, DOCX with python-docx and its XML parts) and
searched: a GREEN report of the JHoPS record with planted AMBER and RED rows names Palau,
Denarau Outcomes 15 and 16 and PNG, and none of the planted words, in any format.
"""

import datetime
import io
import zipfile

import docx
import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from fixtures.jhops import load_jhops
from forums.models import Chair
from forums.tlp import TLP
from reports.api import HTML_REPORT_POLICY
from reports.content import report_today
from reports.jobs import generate_report
from reports.models import MEDIA_TYPES, GeneratedReport, StoredFile
from reports.services import report_request, report_run
from tests.reports.planted import AMBER_WORDS, RED_WORDS, koror, plant, user

pytestmark = pytest.mark.django_db

MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "html": b"<!doctype html>"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Report requests are throttled per caller, counted in the cache across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def jhops():
    load_jhops(demo_users=True)


def client_for(username: str | None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(user(username))
    return client


def report_url(meeting=None, **query) -> str:
    url = reverse("api:meeting-report", kwargs={"pk": (meeting or koror()).pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text_of(fmt: str, content: bytes) -> str:
    """What a reader (or a search) finds in the file: its text and its properties."""
    if fmt == "pdf":
        reader = PdfReader(io.BytesIO(content))
        pages = "\n".join(page.extract_text() for page in reader.pages)
        return f"{pages}\n{dict(reader.metadata or {})}"
    if fmt == "docx":
        document = docx.Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts.extend(cell.text for row in table.rows for cell in row.cells)
        for section in document.sections:
            parts.extend(p.text for p in section.header.paragraphs)
            parts.extend(p.text for p in section.footer.paragraphs)
        # Every XML part too: document properties, comments, anything Word keeps.
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            parts.extend(
                package.read(name).decode("utf-8", "replace")
                for name in package.namelist()
                if name.endswith((".xml", ".rels"))
            )
        return "\n".join(parts)
    return content.decode("utf-8")


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_each_format_is_its_file_and_is_kept(jhops, fmt):
    response = client_for("chair").get(report_url(format=fmt, tlp="green", as_of="2026-01-15"))

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].split(";")[0] == MEDIA_TYPES[fmt]
    content = response.content
    assert content[: len(MAGIC[fmt])].lower() == MAGIC[fmt].lower()
    disposition = "inline" if fmt == "html" else "attachment"
    assert response["Content-Disposition"] == (
        f'{disposition}; filename="JHOPS-5-chairs-report-TLP-GREEN-2026-01-15.{fmt}"'
    )
    assert response["Cache-Control"] == "private, no-store"
    if fmt == "html":  # its own policy: no script, no outside file, its <style> only
        assert response["Content-Security-Policy"] == HTML_REPORT_POLICY

    kept = GeneratedReport.objects.get()
    assert (kept.meeting, kept.requested_by, kept.level, kept.format, kept.status) == (
        koror(),
        user("chair"),
        TLP.GREEN,
        fmt,
        GeneratedReport.Status.DONE,
    )
    assert kept.as_of == datetime.date(2026, 1, 15)
    assert kept.size == len(content)
    with kept.file.open("rb") as stored:
        assert stored.read() == content
    # Named for what it is, with a part nobody can guess.
    name = kept.file.name.rsplit("/", 1)[-1]
    assert name.startswith("jhops-5-green-") and name.endswith(f".{fmt}")
    assert len(name.removeprefix("jhops-5-green-").removesuffix(f".{fmt}")) == 32

    text = text_of(fmt, content)
    for expected in ("Palau", "JHOPS/4/15", "JHOPS/4/16", "Papua New Guinea", "TLP:GREEN"):
        assert expected in text, f"{expected} missing from the {fmt}"


def test_without_format_the_pdf_comes_and_tlp_defaults_to_clear(jhops):
    response = client_for("chair").get(report_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert GeneratedReport.objects.get().level == TLP.CLEAR
    assert "TLP:CLEAR" in text_of("pdf", response.content)


# --- nothing above the level, in any format -------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_a_green_report_has_no_amber_or_red_word_in_any_format(jhops, actor, fmt):
    plant(actor)
    chair = client_for("chair")

    green = text_of(fmt, chair.get(report_url(format=fmt, tlp="green")).content)
    amber = text_of(fmt, chair.get(report_url(format=fmt, tlp="amber")).content)

    assert "Palau" in green  # the extraction reads the file …
    for word in (*AMBER_WORDS, *RED_WORDS):
        assert word not in green, f"{word} in the GREEN {fmt}"
    for word in AMBER_WORDS:
        assert word in amber, f"{word} missing from the AMBER {fmt}"  # … and would find them
    for word in RED_WORDS:
        assert word not in amber, f"{word} in the AMBER {fmt}"


# --- who may ask for what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "tlp", "allowed"),
    [
        (None, "green", "clear"),
        (None, "amber", "clear"),
        ("delegate", "amber", "clear, green"),
        ("observer", "amber", "clear, green"),
    ],
)
def test_a_level_above_clearance_is_a_400_naming_the_allowed_levels(
    jhops,
    username,
    tlp,
    allowed,
):
    response = client_for(username).get(report_url(format="html", tlp=tlp))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"tlp": [f"You may ask for a report at: {allowed}."]}
    assert not GeneratedReport.objects.exists()


def test_anyone_gets_the_clear_report_and_an_anonymous_one_is_not_kept(jhops):
    response = client_for(None).get(report_url(format="html", tlp="clear"))
    assert response.status_code == 200
    assert "TLP:CLEAR" in response.content.decode()
    assert not GeneratedReport.objects.exists()

    delegate = client_for("delegate").get(report_url(format="html", tlp="green"))
    assert delegate.status_code == 200
    assert GeneratedReport.objects.get().requested_by == user("delegate")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"format": "xlsx"}, 404, "detail"),  # DRF's answer to a format it does not offer
        ({"format": "json"}, 404, "detail"),
        ({"format": "pdf", "tlp": "red"}, 400, "tlp"),
        ({"format": "pdf", "tlp": "purple"}, 400, "tlp"),
        ({"format": "pdf", "as_of": "2023-02-30"}, 400, "as_of"),
        ({"format": "pdf", "as_of": "9999-12-31"}, 400, "as_of"),
    ],
)
def test_bad_queries_are_json_errors_whatever_the_format(jhops, query, status, field):
    response = client_for("chair").get(report_url(**query))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert field in response.json()
    assert not GeneratedReport.objects.exists()


def test_an_unknown_meeting_is_a_404(db):
    response = client_for(None).get(reverse("api:meeting-report", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- the queued report ----------------------------------------------------------------------


def test_a_queued_report_is_generated_by_the_job_and_downloaded(
    jhops,
    actor,
    django_capture_on_commit_callbacks,
):
    plant(actor)
    chair = client_for("chair")
    url = reverse("api:meeting-reports", kwargs={"pk": koror().pk})

    # Eager only here, to run the job in the test; the real-worker path is the same job
    # code as the reminders' (tests/workinggroups/test_reminders_worker.py).
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=True),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = chair.post(url, {"format": "docx", "tlp": "amber"}, format="json")

    assert response.status_code == 202, response.content
    assert len(callbacks) == 1
    queued = response.json()
    assert (queued["status"], queued["tlp"], queued["format"]) == ("queued", "amber", "docx")
    assert queued["download_url"] is None
    assert queued["requested_by"] == "chair"

    status = chair.get(reverse("api:report-detail", kwargs={"pk": queued["id"]}))
    assert status.status_code == 200
    done = status.json()
    assert done["status"] == "done", done["error"]
    assert done["download_url"].endswith(f"/api/v1/reports/{queued['id']}/file/")
    assert done["size"] > 0 and done["finished_at"]

    download = chair.get(done["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == MEDIA_TYPES["docx"]
    assert download["Content-Disposition"].startswith("attachment; filename=")
    content = b"".join(download.streaming_content)
    assert len(content) == done["size"]
    text = text_of("docx", content)
    assert "Tarsier" in text and "Narwhal" not in text


def test_a_report_too_long_for_now_is_queued_by_the_get(
    jhops, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_NOW_MAX_ROWS = 1  # Koror's report has more rows than that
    chair = client_for("chair")

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = chair.get(report_url(format="pdf", tlp="green"))

    assert response.status_code == 202, response.content
    assert response["Content-Type"] == "application/json"
    queued = response.json()
    assert (queued["status"], queued["format"], queued["tlp"]) == ("queued", "pdf", "green")
    assert response["Location"] == reverse("api:report-detail", kwargs={"pk": queued["id"]})
    assert len(jobs) == 1
    assert GeneratedReport.objects.get().status == GeneratedReport.Status.QUEUED

    # HTML has no bound; an anonymous caller, who cannot queue, is told what to do.
    assert chair.get(report_url(format="html", tlp="green")).status_code == 200
    refused = client_for(None).get(report_url(format="docx"))
    assert refused.status_code == 400
    assert "too long to lay out now" in refused.json()["format"][0]
    assert GeneratedReport.objects.count() == 2


def test_a_queued_report_above_clearance_is_refused_before_it_is_queued(
    jhops,
    django_capture_on_commit_callbacks,
):
    url = reverse("api:meeting-reports", kwargs={"pk": koror().pk})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for("delegate").post(url, {"format": "pdf", "tlp": "amber"})
    assert response.status_code == 400
    assert response.json() == {"tlp": ["You may ask for a report at: clear, green."]}
    assert callbacks == []
    assert not GeneratedReport.objects.exists()
    assert client_for(None).post(url, {"format": "pdf"}).status_code == 401
    unknown = client_for("chair").post(url, {"format": "pdf", "colour": "blue"})
    assert unknown.status_code == 400 and "colour" in unknown.json()


def test_the_job_is_idempotent(jhops, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = report_request(
            actor=user("chair"), meeting=koror(), level=TLP.GREEN, fmt="html", as_of=report_today()
        )
    assert len(callbacks) == 1  # enqueued once, on commit

    assert report_run(report.pk) == "done"
    written = list(StoredFile.objects.values_list("name", flat=True))
    assert report_run(report.pk) == "taken"  # a redelivered job does nothing

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE
    assert written == [report.file.name]
    assert list(StoredFile.objects.values_list("name", flat=True)) == written  # nothing more


def test_a_dead_workers_claim_is_taken_over_but_a_live_one_is_not(jhops, settings):
    report = GeneratedReport.objects.create(
        meeting=koror(),
        requested_by=user("chair"),
        level=TLP.CLEAR,
        format="html",
        as_of=report_today(),
    )
    # Alive well past the other jobs' limit: a long PDF has its own (REPORT_JOB_TIME_LIMIT).
    live = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    GeneratedReport.objects.filter(pk=report.pk).update(status="running", started_at=live)
    assert report_run(report.pk) == "taken"

    dead = timezone.now() - datetime.timedelta(seconds=settings.REPORT_JOB_TIME_LIMIT + 1)
    GeneratedReport.objects.filter(pk=report.pk).update(started_at=dead)
    assert report_run(report.pk) == "done"
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE and report.size > 0


def test_the_job_fails_with_the_reason_when_clearance_has_dropped(jhops):
    report = GeneratedReport.objects.create(
        meeting=koror(),
        requested_by=user("chair"),
        level=TLP.AMBER,
        format="pdf",
        as_of=report_today(),
    )
    Chair.objects.filter(person=user("chair")).update(person=None)  # no longer the chair

    assert report_run(report.pk) == "failed"

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED
    assert report.error == "You may ask for a report at: clear, green."
    assert not report.file
    assert report.finished_at is not None


# --- records: the requester's and the secretariat's -----------------------------------------


def test_a_report_record_is_seen_by_its_requester_and_the_secretariat_only(jhops):
    client_for("chair").get(report_url(format="html", tlp="amber"))
    client_for("delegate").get(report_url(format="html", tlp="green"))
    mine = GeneratedReport.objects.get(requested_by__username="chair")
    detail = reverse("api:report-detail", kwargs={"pk": mine.pk})
    file_url = reverse("api:report-file", kwargs={"pk": mine.pk})

    def listed(who):
        return [r["id"] for r in client_for(who).get("/api/v1/reports/").json()["results"]]

    assert listed("chair") == [mine.pk]
    assert len(listed("secretariat")) == 2
    assert listed(None) == []
    for who, expected in (("chair", 200), ("secretariat", 200), ("delegate", 404), (None, 404)):
        assert client_for(who).get(detail).status_code == expected, who
        assert client_for(who).get(file_url).status_code == expected, who

    html = client_for("chair").get(file_url)
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Disposition"].startswith("inline")
    assert html["Content-Security-Policy"] == HTML_REPORT_POLICY


def test_a_kept_amber_report_is_refused_once_clearance_has_dropped(jhops):
    client_for("chair").get(report_url(format="html", tlp="amber"))
    kept = GeneratedReport.objects.get()
    for seat in Chair.objects.filter(person=user("chair")):
        seat.person = None
        seat.save()  # as the admin would: the reader's kept standing is dropped

    chair = client_for("chair")
    assert chair.get(reverse("api:report-detail", kwargs={"pk": kept.pk})).status_code == 200
    refused = chair.get(reverse("api:report-file", kwargs={"pk": kept.pk}))
    assert refused.status_code == 403
    assert "no longer covers" in refused.json()["detail"]
    # The secretariat keeps access: it is their record of what was sent.
    secretariat = client_for("secretariat")
    assert secretariat.get(reverse("api:report-file", kwargs={"pk": kept.pk})).status_code == 200


def test_a_report_not_yet_done_has_no_file(jhops):
    queued = GeneratedReport.objects.create(
        meeting=koror(),
        requested_by=user("chair"),
        level=TLP.CLEAR,
        format="pdf",
        as_of=report_today(),
    )
    response = client_for("chair").get(reverse("api:report-file", kwargs={"pk": queued.pk}))
    assert response.status_code == 404
    body = client_for("chair").get(reverse("api:report-detail", kwargs={"pk": queued.pk})).json()
    assert (body["status"], body["download_url"]) == ("queued", None)


def test_the_report_job_has_its_own_longer_time_limits(settings):
    assert generate_report.time_limit == settings.REPORT_JOB_TIME_LIMIT
    assert generate_report.soft_time_limit == settings.REPORT_JOB_TIME_LIMIT - 60
    assert generate_report.soft_time_limit > settings.CELERY_TASK_TIME_LIMIT
