"""The leaders' brief on the meeting page: the chair's summary, the report form, the versions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.models import Chair
from forums.tlp import TLP
from reports.api import HTML_REPORT_POLICY
from reports.content import report_today
from reports.models import ChairSummary, GeneratedReport
from reports.services import chair_summary_save, report_generate
from tests.factories import ProfileFactory
from tests.pages.conftest import client_for

pytestmark = pytest.mark.django_db


def url(meeting, suffix: str = "") -> str:
    return f"/meetings/{meeting.pk}/{suffix}"


@pytest.fixture
def other_chair(team):
    """The chair of the 4th meeting: a chair of the forum, not of the 5th."""
    person = ProfileFactory.create(user__username="earlier.chair").user
    Chair.objects.create(meeting=team["established"], member=person.profile.member, person=person)
    return person


def summarise(team, who="chair", tlp=TLP.GREEN, **text):
    fields = {"key_messages": "The treaty is drafted.", "recommendations": "Endorse it."}
    return chair_summary_save(
        actor=team[who], meeting=team["next_meeting"], tlp=tlp, **(fields | text)
    )


def post_summary(client, meeting, *, version=0, tlp=TLP.GREEN, **text):
    data = {"key_messages": "", "recommendations": "", "tlp": int(tlp), "expected_version": version}
    return client.post(url(meeting, "summary/"), data | text)


# --- the chair's summary -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("chair", 200),
        ("officer", 200),
        ("other_chair", 403),
        ("member", 403),
        ("delegate", 403),
        ("stranger", 403),
    ],
)
def test_the_summary_page_is_for_the_meetings_chairs_and_the_secretariat(
    team, other_chair, reader, status
):
    person = other_chair if reader == "other_chair" else team[reader]
    client = client_for(person)
    assert client.get(url(team["next_meeting"], "summary/")).status_code == status
    posted = post_summary(client, team["next_meeting"], key_messages="Mine.")
    assert posted.status_code == (302 if status == 200 else 403)
    meeting_page = client.get(url(team["next_meeting"])).content.decode()
    assert ("Edit the chair's summary" in meeting_page) is (status == 200)


def test_the_summary_page_needs_a_sign_in(team):
    response = client_for(None).get(url(team["next_meeting"], "summary/"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_summary_is_shown_on_the_meeting_page_escaped(team):
    meeting = team["next_meeting"]
    chair = client_for(team["chair"])
    posted = post_summary(
        chair,
        meeting,
        key_messages="<script>alert('leak')</script>\r\nLeaders are asked to note it.",
        recommendations="<b>Endorse</b> the framework.",
    )
    assert posted.status_code == 302
    assert posted["Location"] == url(meeting) + "#summary"

    summary = ChairSummary.objects.get()
    assert summary.updated_by == team["chair"]
    for reader in ("delegate", "chair"):
        page = client_for(team[reader]).get(url(meeting)).content.decode()
        assert "&lt;script&gt;alert(&#x27;leak&#x27;)&lt;/script&gt;<br>Leaders are" in page
        assert "&lt;b&gt;Endorse&lt;/b&gt; the framework." in page
        assert "<script>alert" not in page and "<b>Endorse" not in page
    form = chair.get(url(meeting, "summary/")).content.decode()
    assert "&lt;script&gt;alert(&#x27;leak&#x27;)&lt;/script&gt;" in form
    assert "<script>alert" not in form


def test_too_long_is_refused_with_its_count_and_nothing_is_saved(team):
    typed = "Leaders " * 200  # 1,600 characters
    response = post_summary(client_for(team["chair"]), team["next_meeting"], key_messages=typed)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    message = "Keep it to 1,500 characters, so that it fits on the page: this has 1,599."
    assert message in page  # the text's ends are trimmed before it is counted
    assert typed.strip() in page  # what was typed stays in the form
    assert not ChairSummary.objects.exists()


def test_a_save_over_someone_elses_shows_theirs_and_keeps_yours(team):
    summarise(team)  # version 1: the chair opens the form on it
    summarise(team, who="officer", key_messages="The secretariat's wording.")  # version 2
    chair = client_for(team["chair"])

    response = post_summary(chair, team["next_meeting"], version=1, key_messages="My wording.")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved the summary while you were writing." in page
    assert "The secretariat&#x27;s wording." in page and "My wording." in page
    assert ChairSummary.objects.get().key_messages == "The secretariat's wording."
    # Saving again, knowingly, against the version now shown:
    again = post_summary(chair, team["next_meeting"], version=2, key_messages="My wording.")
    assert again.status_code == 302
    assert ChairSummary.objects.get().key_messages == "My wording."


@pytest.mark.parametrize(
    ("label", "readers"),
    [
        (TLP.GREEN, {"chair", "member", "delegate", "officer"}),
        (TLP.AMBER, {"chair", "member", "officer"}),
    ],
)
def test_the_summary_is_shown_within_its_label(team, label, readers):
    summarise(team, tlp=label)
    shown = {
        reader
        for reader in ("chair", "member", "delegate", "officer", "stranger", None)
        if "The treaty is drafted."
        in client_for(team[reader] if reader else None)
        .get(url(team["next_meeting"]))
        .content.decode()
    }
    assert shown == readers


# --- the report form -------------------------------------------------------------------------


def test_the_report_form_names_its_readers_and_offers_the_day_and_the_language(team):
    summarise(team, tlp=TLP.GREEN)
    response = client_for(team["chair"]).get(url(team["next_meeting"]))
    form = response.context["report_form"]
    assert [label for _value, label in form.fields["tlp"].choices] == [
        "Anyone; it may be published (TLP:CLEAR)",
        "The forum's members and observers; not to be published (TLP:GREEN)",
        "The forum's chairs, working groups and secretariat; each shares it within their own "
        "organisation, only with those who need to know (TLP:AMBER)",
    ]
    assert form.initial == {"as_of": report_today(), "language": "en"}
    page = response.content.decode()
    assert 'type="date"' in page and f'value="{report_today().isoformat()}"' in page
    assert "The chair's summary is TLP:GREEN: a report for more readers leaves it out." in page


def test_a_day_still_to_come_is_refused_on_the_page(team):
    later = report_today() + datetime.timedelta(days=2)
    response = client_for(team["chair"]).get(
        url(team["next_meeting"], "report/"), {"format": "html", "tlp": 1, "as_of": later}
    )
    assert response.status_code == 400
    assert "A report cannot be as of a day still to come." in response.content.decode()
    assert not GeneratedReport.objects.exists()


def test_the_html_opens_in_the_browser_as_of_the_day_and_in_the_language_chosen(team):
    response = client_for(team["chair"]).get(
        url(team["next_meeting"], "report/"),
        {"format": "html", "tlp": 1, "as_of": "2026-11-01", "language": "fr"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == HTML_REPORT_POLICY
    version = GeneratedReport.objects.get()
    assert (version.as_of, version.language) == (datetime.date(2026, 11, 1), "fr")


# --- the versions ----------------------------------------------------------------------------


def make_version(team, who="officer", level=TLP.GREEN) -> GeneratedReport:
    return report_generate(
        actor=team[who],
        meeting=team["next_meeting"],
        level=level,
        fmt="html",
        as_of=datetime.date(2026, 11, 20),
    )


def test_the_chair_sees_the_versions_and_marks_the_one_leaders_were_sent(team):
    version = make_version(team)
    meeting = team["next_meeting"]
    chair = client_for(team["chair"])

    page = chair.get(url(meeting)).content.decode()
    assert "The forum&#x27;s members and observers; not to be published (TLP:GREEN)" in page
    assert "HTML, English, as of Nov. 20, 2026" in page
    assert "by officer" in page and "Draft" in page
    sent_url = url(meeting, f"reports/{version.pk}/sent/")
    assert f'action="/meetings/{meeting.pk}/reports/{version.pk}/sent/"' in page

    response = chair.post(sent_url, follow=True)

    assert response.redirect_chain == [(url(meeting) + "#versions", 302)]
    version.refresh_from_db()
    assert version.sent_by == team["chair"]
    page = response.content.decode()
    assert "Marked sent" in page and "by chair" in page
    assert f'action="/meetings/{meeting.pk}/reports/{version.pk}/sent/"' not in page


def test_a_chair_of_another_meeting_neither_sees_nor_marks_this_ones_versions(team, other_chair):
    version = make_version(team)
    client = client_for(other_chair)
    response = client.get(url(team["next_meeting"]))
    # A chair of the forum has the report form, but not this meeting's versions or summary.
    assert response.context["report_form"] is not None
    assert list(response.context["versions"]) == []
    assert "Write the chair&#x27;s summary" not in response.content.decode()
    assert client.post(url(team["next_meeting"], f"reports/{version.pk}/sent/")).status_code == 404
    version.refresh_from_db()
    assert version.sent_at is None


def test_the_meeting_page_makes_no_query_per_version(team):
    summarise(team)
    client = client_for(team["chair"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(team["next_meeting"])).status_code == 200
        return len(captured)

    for _ in range(2):
        make_version(team)
    with_two = queries()
    for _ in range(10):
        make_version(team, who="chair")
    assert queries() == with_two
