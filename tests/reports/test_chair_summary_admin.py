"""The chair's summary and the versions in the secretariat's admin."""

import datetime

import pytest
from django.urls import reverse

from forums.tlp import TLP
from reports.models import ChairSummary, GeneratedReport
from reports.services import chair_summary_save, report_generate

pytestmark = pytest.mark.django_db

SUMMARIES = reverse("admin:reports_chairsummary_changelist")
REPORTS = reverse("admin:reports_generatedreport_changelist")


@pytest.fixture
def officer_client(client, brief):
    officer = brief["officer"]
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    return client


def test_the_secretariat_writes_a_summary_for_the_chair_through_the_service(officer_client, brief):
    response = officer_client.post(
        reverse("admin:reports_chairsummary_add"),
        {
            "meeting": brief["meeting"].pk,
            "tlp": TLP.GREEN,
            "key_messages": "Leaders are asked to note progress.",
            "recommendations": "Endorse the framework.",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    summary = ChairSummary.objects.get()
    assert (summary.meeting, summary.updated_by) == (brief["meeting"], brief["officer"])
    assert summary.history.get().history_user == brief["officer"]


def test_too_long_in_the_admin_is_refused_with_its_count(officer_client, brief):
    summary = chair_summary_save(
        actor=brief["chair"], meeting=brief["meeting"], key_messages="Short.", recommendations=""
    )
    url = reverse("admin:reports_chairsummary_change", args=[summary.pk])

    response = officer_client.post(
        url, {"tlp": TLP.GREEN, "key_messages": "y" * 1600, "recommendations": ""}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["key_messages"]
    assert errors == ["Keep it to 1,500 characters, so that it fits on the page: this has 1,600."]
    summary.refresh_from_db()
    assert (summary.key_messages, summary.version) == ("Short.", 1)


def test_the_versions_list_shows_language_and_sent_and_marks_them_sent(officer_client, brief):
    version = report_generate(
        actor=brief["chair"],
        meeting=brief["meeting"],
        level=TLP.GREEN,
        fmt="html",
        as_of=datetime.date(2026, 11, 28),
        language="fr",
    )
    listing = officer_client.get(REPORTS)
    filters = [spec.title for spec in listing.context["cl"].filter_specs]
    assert {"language", "sent at"} <= set(filters)
    assert "Français" in listing.content.decode()

    officer_client.post(REPORTS, {"action": "mark_sent", "_selected_action": [version.pk]})

    version.refresh_from_db()
    assert version.sent_by == brief["officer"]
    page = officer_client.get(reverse("admin:reports_generatedreport_change", args=[version.pk]))
    content = page.content.decode()
    # The distribution as the French version carries it.
    assert "Les membres et observateurs du forum\u00a0; à ne pas publier (TLP:GREEN)" in content
    assert GeneratedReport.objects.count() == 1
