"""A refused form says so at its top: on a phone the page reloads at the top, and an error
shown only beside its field may be a screen or more below (the GOV.UK error summary)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.pages.conftest import client_for
from workinggroups.models import Task
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

S = Task.Status
TEMPLATES = Path(settings.BASE_DIR) / "pages" / "templates" / "pages"
SUMMARY = re.compile(r'<div class="error-summary"(?P<attrs>[^>]*)>(?P<body>.*?)</div>', re.S)


def refuse_a_blocked_task_without_a_note(team):
    treaty, member = team["treaty"], team["member"]
    task_update_status(actor=member, task=treaty, status=S.IN_PROGRESS, note="Started.")
    treaty.refresh_from_db()
    return client_for(member).post(
        f"/tasks/{treaty.pk}/",
        {
            "status": S.BLOCKED,
            "progress": treaty.progress,
            "note": "",
            "expected_version": treaty.version,
        },
    )


def test_a_refused_update_is_summed_up_before_the_fields_with_a_link_to_its_field(team):
    response = refuse_a_blocked_task_without_a_note(team)
    html = response.content.decode()

    assert response.status_code == 400
    summary = SUMMARY.search(html)
    assert summary, "no error summary"
    assert 'role="alert"' in summary["attrs"]
    assert 'tabindex="-1"' in summary["attrs"]
    assert "autofocus" in summary["attrs"]  # the browser scrolls to it, no script needed
    assert "There is a problem" in summary["body"]
    assert '<a href="#id_note">Say why the task is blocked.</a>' in summary["body"]
    # At the top of the form: before its first field, the field it links to further down.
    assert summary.start() < html.index('name="status"') < html.index('id="id_note"')
    assert html.count("autofocus") == 1


def test_the_summary_is_in_french_for_a_french_reader(team):
    team["member"].profile.language = "fr"
    team["member"].profile.save()

    summary = SUMMARY.search(refuse_a_blocked_task_without_a_note(team).content.decode())

    assert summary, "no error summary"
    assert "Il y a un problème" in summary["body"]
    assert '<a href="#id_note">' in summary["body"]
    assert "There is a problem" not in summary["body"]


def test_a_form_without_errors_has_no_summary(team):
    html = client_for(team["member"]).get(f"/tasks/{team['treaty'].pk}/").content.decode()

    assert 'name="status"' in html
    assert "error-summary" not in html
    assert "autofocus" not in html


def test_an_error_of_the_whole_form_links_to_its_first_field(team):
    """The CSV import refuses an empty post with an error of no one field."""
    group = team["treaty"].working_group
    response = client_for(team["member"]).post(
        f"/working-groups/{group.pk}/import/", {"text": "", "action": "preview"}
    )
    summary = SUMMARY.search(response.content.decode())

    assert response.status_code == 400
    assert summary, "no error summary"
    assert '<a href="#id_file">Choose a CSV file or paste its rows.</a>' in summary["body"]


def test_every_page_form_shows_the_summary():
    """A template that renders a form's fields does it through _fields.html (which holds the
    summary) or includes the summary itself."""
    renders_fields = re.compile(r"\{\{\s*\w*form\.\w+|_fields\.html")
    missing = [
        template.name
        for template in sorted(TEMPLATES.glob("*.html"))
        if template.name not in {"_fields.html", "_error_summary.html"}
        and renders_fields.search(text := template.read_text())
        and "_fields.html" not in text
        and "_error_summary.html" not in text
    ]
    assert missing == []
    assert "_error_summary.html" in (TEMPLATES / "_fields.html").read_text()
