"""The chair's summary and the versions in the API: read within the label, written by
who speaks for the meeting, a version's language, frozen summary and sent mark."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from forums.tlp import TLP
from reports.models import ChairSummary, GeneratedReport
from reports.services import chair_summary_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def client_for(brief, who: str | None) -> APIClient:
    client = APIClient()
    if who:
        client.force_authenticate(brief[who])
    return client


def summary_url(brief) -> str:
    return reverse("api:meeting-summary", kwargs={"pk": brief["meeting"].pk})


BODY = {"key_messages": "Progress.", "recommendations": "Endorse.", "tlp": "green"}


def test_the_chair_writes_the_summary_then_edits_it_with_its_etag(brief):
    chair = client_for(brief, "chair")
    assert chair.get(summary_url(brief)).status_code == 404  # none yet

    created = chair.put(summary_url(brief), BODY, format="json")
    assert created.status_code == 200, created.content
    assert created.json() | {"updated_at": None} == {
        "meeting": brief["meeting"].pk,
        "key_messages": "Progress.",
        "recommendations": "Endorse.",
        "tlp": "green",
        "updated_by": "chair",
        "updated_at": None,
        "version": 1,
        "etag": '"1"',
    }
    assert created["ETag"] == '"1"'

    # Once it exists, an edit names the version it read.
    assert chair.put(summary_url(brief), BODY, format="json").status_code == 428
    edit = BODY | {"key_messages": "Treaty signed."}
    edited = chair.put(summary_url(brief), edit, format="json", HTTP_IF_MATCH='"1"')
    assert edited.status_code == 200
    assert edited["ETag"] == '"2"'
    stale = chair.put(summary_url(brief), BODY, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert ChairSummary.objects.get().key_messages == "Treaty signed."


@pytest.mark.parametrize(("who", "status"), [("other_chair", 403), ("delegate", 403), (None, 401)])
def test_only_who_speaks_for_the_meeting_writes_it(brief, who, status):
    response = client_for(brief, who).put(summary_url(brief), BODY, format="json")
    assert response.status_code == status
    assert not ChairSummary.objects.exists()


def test_too_long_is_a_400_with_its_count_and_nothing_is_saved(brief):
    body = BODY | {"key_messages": "z" * 2000}
    response = client_for(brief, "officer").put(summary_url(brief), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "key_messages": [
            "Keep it to 1,500 characters, so that it fits on the page: this has 2,000."
        ]
    }
    assert not ChairSummary.objects.exists()


def test_the_summary_is_read_within_its_label_and_comes_as_typed(brief):
    chair_summary_save(
        actor=brief["chair"],
        meeting=brief["meeting"],
        key_messages="<script>alert(1)</script>",
        recommendations="",
        tlp=TLP.GREEN,
    )
    seen = client_for(brief, "delegate").get(summary_url(brief))
    assert seen.status_code == 200
    # JSON carries the text as typed: whoever shows it escapes it, as the pages do.
    assert seen.json()["key_messages"] == "<script>alert(1)</script>"
    assert client_for(brief, "stranger").get(summary_url(brief)).status_code == 404
    assert client_for(brief, None).get(summary_url(brief)).status_code == 404


# --- versions ----------------------------------------------------------------------------


def report_url(brief, **query) -> str:
    url = reverse("api:meeting-report", kwargs={"pk": brief["meeting"].pk})
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_a_version_record_has_its_language_frozen_summary_and_sent_mark(brief):
    chair_summary_save(
        actor=brief["chair"],
        meeting=brief["meeting"],
        key_messages="Treaty drafted.",
        recommendations="Endorse.",
    )
    chair = client_for(brief, "chair")
    made = chair.get(report_url(brief, format="html", tlp="green", language="fr"))
    assert made.status_code == 200
    version = GeneratedReport.objects.get()
    detail = reverse("api:report-detail", kwargs={"pk": version.pk})

    record = chair.get(detail).json()
    assert record["language"] == "fr"
    assert record["summary"] == {"key_messages": "Treaty drafted.", "recommendations": "Endorse."}
    assert record["distribution"].endswith("(TLP:GREEN)")
    assert (record["sent_at"], record["sent_by"]) == (None, None)

    sent = chair.post(reverse("api:report-sent", kwargs={"pk": version.pk}))
    assert sent.status_code == 200, sent.content
    assert sent.json()["sent_by"] == "chair" and sent.json()["sent_at"]


def test_an_unknown_language_is_a_400(brief):
    response = client_for(brief, "chair").get(report_url(brief, format="html", language="de"))
    assert response.status_code == 400
    assert "language" in response.json()
    assert not GeneratedReport.objects.exists()


def test_who_may_not_mark_a_version_sent_is_refused(brief):
    # A delegate's own public report: theirs to read, not theirs to call sent to leaders.
    client_for(brief, "delegate").get(report_url(brief, format="html", tlp="clear"))
    version = GeneratedReport.objects.get()
    url = reverse("api:report-sent", kwargs={"pk": version.pk})

    assert client_for(brief, "delegate").post(url).status_code == 403
    assert client_for(brief, "other_chair").post(url).status_code == 404  # not theirs to see
    version.refresh_from_db()
    assert version.sent_at is None
