"""The versions of the chair's report: each keeps what it was made with, and one sent is
never remade in place."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from forums.tlp import TLP
from reports.models import GeneratedReport
from reports.services import (
    chair_summary_save,
    report_generate,
    report_mark_sent,
    report_request,
    report_run,
)
from tests.reports.test_render import html_text

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 28)


def summarise(brief, tlp=TLP.GREEN, key_messages="Treaty drafted.", recommendations="Endorse."):
    return chair_summary_save(
        actor=brief["chair"],
        meeting=brief["meeting"],
        key_messages=key_messages,
        recommendations=recommendations,
        tlp=tlp,
    )


def make(brief, who="chair", level=TLP.GREEN, **choices) -> GeneratedReport:
    return report_generate(
        actor=brief[who], meeting=brief["meeting"], level=level, fmt="html", as_of=AS_OF, **choices
    )


def file_of(report: GeneratedReport) -> bytes:
    with report.file.open("rb") as stored:
        return stored.read()


def test_a_version_keeps_the_summary_and_distribution_it_was_made_with(brief):
    summarise(brief)
    first = make(brief)
    summarise(brief, key_messages="Treaty signed.")
    second = make(brief)

    first.refresh_from_db()
    assert (first.key_messages, first.recommendations) == ("Treaty drafted.", "Endorse.")
    assert first.distribution == (
        "The forum's members and observers; not to be published (TLP:GREEN)"
    )
    assert (first.level, first.as_of, first.language) == (TLP.GREEN, AS_OF, "en")
    assert second.key_messages == "Treaty signed."
    assert second.pk != first.pk


def test_a_summary_above_the_versions_level_is_left_out(brief):
    summarise(brief, tlp=TLP.AMBER)
    public = make(brief, level=TLP.CLEAR)
    amber = make(brief, level=TLP.AMBER)
    assert (public.key_messages, public.recommendations) == ("", "")
    assert public.distribution == "Anyone; it may be published (TLP:CLEAR)"
    assert amber.key_messages == "Treaty drafted."


def test_a_version_without_a_summary_keeps_none(brief):
    assert (make(brief).key_messages, make(brief).recommendations) == ("", "")


def test_the_language_is_the_askers_unless_chosen(brief):
    profile = brief["chair"].profile
    profile.language = "fr"
    profile.save()

    assert make(brief).language == "fr"
    assert make(brief, language="en").language == "en"
    with pytest.raises(ValidationError) as refused:
        make(brief, language="de")
    assert "language" in refused.value.message_dict
    assert GeneratedReport.objects.count() == 2


def test_a_queued_version_keeps_the_summary_as_it_was_when_asked(
    brief, django_capture_on_commit_callbacks
):
    summarise(brief)
    with django_capture_on_commit_callbacks(execute=False):
        queued = report_request(
            actor=brief["officer"],
            meeting=brief["meeting"],
            level=TLP.GREEN,
            fmt="html",
            as_of=AS_OF,
            language="fr",
        )
    summarise(brief, key_messages="Changed before the worker ran.")

    assert report_run(queued.pk) == "done"
    queued.refresh_from_db()
    assert (queued.key_messages, queued.language) == ("Treaty drafted.", "fr")
    # And its file says so: the worker lays out the summary the version kept.
    text = html_text(file_of(queued))
    assert "Treaty drafted." in text and "Changed before" not in text
    assert " ".join(queued.distribution.split()) in text  # in French, as kept


# --- sent --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "officer"])
def test_the_meetings_chair_or_the_secretariat_marks_a_version_sent(brief, who):
    version = make(brief, who="officer")
    moment = datetime.datetime(2026, 11, 30, 3, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        report_mark_sent(actor=brief[who], report=version)

    version.refresh_from_db()
    assert (version.sent_at, version.sent_by) == (moment, brief[who])
    assert version.is_sent


def test_marking_a_version_sent_again_keeps_the_first_mark(brief):
    version = make(brief)
    report_mark_sent(actor=brief["chair"], report=version)
    first = (version.sent_at, version.sent_by)

    report_mark_sent(actor=brief["officer"], report=GeneratedReport.objects.get(pk=version.pk))

    version.refresh_from_db()
    assert (version.sent_at, version.sent_by) == first


@pytest.mark.parametrize("who", ["other_chair", "delegate", "stranger"])
def test_only_who_speaks_for_the_meeting_marks_a_version_sent(brief, who):
    version = make(brief, who="delegate" if who == "delegate" else "chair")
    with pytest.raises(PermissionDenied):
        report_mark_sent(actor=brief[who], report=version)
    version.refresh_from_db()
    assert version.sent_at is None


def test_a_version_not_yet_made_cannot_be_sent(brief, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = report_request(
            actor=brief["chair"], meeting=brief["meeting"], level=0, fmt="pdf", as_of=AS_OF
        )
    with pytest.raises(ValidationError):
        report_mark_sent(actor=brief["chair"], report=queued)
    queued.refresh_from_db()
    assert queued.sent_at is None


def test_a_sent_version_is_never_remade_in_place(brief):
    summarise(brief)
    sent = make(brief)
    report_mark_sent(actor=brief["chair"], report=sent)
    kept = (sent.file.name, sent.size, file_of(sent), sent.key_messages)

    # The worker's job, delivered again for it, does nothing.
    assert report_run(sent.pk) == "taken"
    # And the database refuses to put it back in the queue.
    with pytest.raises(IntegrityError), transaction.atomic():
        GeneratedReport.objects.filter(pk=sent.pk).update(status="queued")

    # Asking again, with the same choices and a new summary, makes a new version.
    summarise(brief, key_messages="Since the leaders' meeting.")
    again = make(brief)
    assert again.pk != sent.pk and again.sent_at is None
    sent.refresh_from_db()
    assert (sent.file.name, sent.size, file_of(sent), sent.key_messages) == kept
    assert sent.is_sent


# --- who sees a version ------------------------------------------------------------------


def test_the_chairs_see_the_versions_made_for_their_meeting_not_a_delegates_own(brief):
    for_the_chair = make(brief, who="officer")
    own = make(brief, who="chair")
    delegates = make(brief, who="delegate", level=TLP.CLEAR)

    def seen_by(who):
        return set(GeneratedReport.objects.visible_to(brief[who]))

    assert seen_by("chair") == {for_the_chair, own}
    assert seen_by("officer") == {for_the_chair, own, delegates}
    assert seen_by("delegate") == {delegates}
    assert seen_by("other_chair") == set()
    assert not GeneratedReport.objects.visible_to(None).exists()
