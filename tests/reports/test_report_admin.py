"""The chair's report in the admin: the action on meetings, its page, the queued job, the list."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.urls import reverse

from fixtures.jhops import load_jhops
from forums.tlp import TLP
from reports.content import report_today
from reports.models import GeneratedReport
from tests.factories import UserFactory
from tests.reports.planted import koror

pytestmark = pytest.mark.django_db

MEETINGS = reverse("admin:forums_meeting_changelist")
REPORTS = reverse("admin:reports_generatedreport_changelist")


@pytest.fixture
def officer(db):
    user = UserFactory.create(username="sione.officer", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def officer_client(client, officer):
    load_jhops(demo_users=True)
    client.force_login(officer)
    return client


def choose(meeting, **fields) -> dict:
    return {"action": "chairs_report", "_selected_action": [meeting.pk], **fields}


def test_the_action_opens_a_page_to_choose_format_level_and_date(officer_client):
    meetings = officer_client.get(MEETINGS)
    actions = dict(meetings.context["action_form"].fields["action"].choices)
    assert actions["chairs_report"] == "Chair's report…"

    page = officer_client.post(MEETINGS, choose(koror()))

    assert page.status_code == 200
    assert page.templates[0].name == "admin/reports/chairs_report.html"
    content = page.content.decode()
    assert "5th JHOPS" in content
    form = page.context["form"]
    assert set(form.fields) == {"format", "level", "as_of", "language"}
    assert [value for value, _label in form.fields["level"].choices] == [0, 1, 2]
    assert f'name="_selected_action" value="{koror().pk}"' in content
    assert not GeneratedReport.objects.exists()  # nothing queued until the officer confirms


def test_confirming_queues_the_job_and_leads_to_the_reports_list(
    officer_client, officer, django_capture_on_commit_callbacks
):
    data = choose(koror(), apply="1", format="pdf", level=str(TLP.AMBER.value), as_of="2023-09-01")

    # Eager only to see the admin wire the job; the job itself: tests/reports/test_report_api.py.
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=True),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = officer_client.post(MEETINGS, data)

    assert len(callbacks) == 1
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{REPORTS}?id__in={report.pk}"
    assert (report.requested_by, report.level, report.format) == (officer, TLP.AMBER, "pdf")
    assert report.as_of == datetime.date(2023, 9, 1)
    assert report.status == GeneratedReport.Status.DONE, report.error

    listing = officer_client.get(response["Location"])
    content = listing.content.decode()
    assert "Queued 1 chair&#x27;s report(s)" in content
    assert "TLP:AMBER" in content and "sione.officer" in content
    download = reverse("api:report-file", kwargs={"pk": report.pk})
    assert f'href="{download}"' in content
    assert report.download_name in content
    # The link works for the officer signed in to the admin (the API takes the session).
    pdf = officer_client.get(download)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_an_incomplete_choice_shows_the_page_again_and_queues_nothing(
    officer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        page = officer_client.post(MEETINGS, choose(koror(), apply="1", level="1"))
    assert page.status_code == 200
    assert page.context["form"].errors.keys() == {"format", "as_of"}
    assert callbacks == []
    assert not GeneratedReport.objects.exists()


def test_a_day_still_to_come_is_refused_as_the_api_refuses_it(
    officer_client, django_capture_on_commit_callbacks
):
    day_after_tomorrow = report_today() + datetime.timedelta(days=2)
    data = choose(koror(), apply="1", format="html", level="0", as_of=day_after_tomorrow)
    with django_capture_on_commit_callbacks() as callbacks:
        page = officer_client.post(MEETINGS, data)

    assert page.status_code == 200
    assert page.context["form"].errors["as_of"] == ["A report cannot be as of a day still to come."]
    assert callbacks == []
    assert not GeneratedReport.objects.exists()


def test_a_level_above_the_askers_clearance_is_refused_with_the_reason(
    client, django_capture_on_commit_callbacks
):
    """Staff who may read the reports but have no standing in the forum: CLEAR only."""
    load_jhops(demo_users=True)
    clerk = UserFactory.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_meeting", "view_generatedreport"])
    )
    client.force_login(clerk)
    data = choose(koror(), apply="1", format="html", level="2", as_of="2023-09-01")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(MEETINGS, data, follow=True)

    assert "5th JHOPS: You may ask for a report at: clear." in response.content.decode()
    assert callbacks == []
    assert not GeneratedReport.objects.exists()


def test_staff_who_may_not_read_reports_are_not_offered_the_action(client):
    load_jhops(demo_users=True)
    clerk = UserFactory.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    client.force_login(clerk)

    # The meeting list has no other action: without this one, no action form at all.
    assert client.get(MEETINGS).context["action_form"] is None
    client.post(MEETINGS, choose(koror(), apply="1", format="pdf", level="0", as_of="2023-09-01"))
    assert not GeneratedReport.objects.exists()
    assert client.get(REPORTS).status_code == 403


def test_the_reports_list_is_read_only_and_keeps_every_report(officer_client, officer):
    kept = GeneratedReport.objects.create(
        meeting=koror(),
        requested_by=officer,
        level=TLP.GREEN,
        format="docx",
        as_of=datetime.date.today(),
    )
    failed = GeneratedReport.objects.create(
        meeting=koror(),
        requested_by=UserFactory.create(),
        level=TLP.CLEAR,
        format="pdf",
        as_of=datetime.date.today(),
        status=GeneratedReport.Status.FAILED,
        error="The PDF could not be laid out.",
    )
    listing = officer_client.get(REPORTS)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [failed, kept]  # newest first
    # No delete, not even the site-wide bulk one (the one action says a version was
    # sent); no add; the page shows, never saves.
    actions = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "mark_sent"]
    filters = [spec.title for spec in listing.context["cl"].filter_specs]
    assert {"status", "format", "TLP level", "requested by"} <= set(filters)
    assert officer_client.get(reverse("admin:reports_generatedreport_add")).status_code == 403
    change = reverse("admin:reports_generatedreport_change", args=[kept.pk])
    assert officer_client.get(change).status_code == 200
    assert officer_client.post(change, {"status": "done"}).status_code == 403
    delete = reverse("admin:reports_generatedreport_delete", args=[kept.pk])
    assert officer_client.post(delete, {"post": "yes"}).status_code == 403
    kept.refresh_from_db()
    assert kept.status == GeneratedReport.Status.QUEUED
    assert GeneratedReport.objects.count() == 2
