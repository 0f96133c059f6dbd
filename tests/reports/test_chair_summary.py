"""The chair's summary: who may write it, how long it may be, what is kept, who reads it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from forums.audit import PreconditionFailed
from forums.tlp import TLP
from reports.models import SUMMARY_MAX_CHARS, ChairSummary
from reports.services import chair_summary_save

pytestmark = pytest.mark.django_db


def write(brief, who="chair", **text):
    actor = AnonymousUser() if who is None else brief[who]
    fields = {"key_messages": "Progress on the treaty.", "recommendations": "Endorse it."}
    return chair_summary_save(actor=actor, meeting=brief["meeting"], **(fields | text))


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("chair", True),
        ("officer", True),  # the secretariat, for the chair
        ("other_chair", False),  # chairs another meeting of the same forum
        ("delegate", False),
        ("stranger", False),
        (None, False),  # never matched to the empty chair seat, whose person is NULL
    ],
)
def test_who_may_write_the_summary(brief, who, may):
    if not may:
        with pytest.raises(PermissionDenied):
            write(brief, who)
        assert not ChairSummary.objects.exists()
        return
    summary = write(brief, who)
    assert (summary.key_messages, summary.recommendations) == (
        "Progress on the treaty.",
        "Endorse it.",
    )
    assert summary.updated_by == brief[who]
    assert summary.updated_at is not None
    assert summary.history.get().history_user == brief[who]


def test_too_long_is_refused_with_its_count_and_nothing_is_saved(brief):
    before = write(brief)
    with pytest.raises(ValidationError) as refused:
        write(brief, recommendations="x" * (SUMMARY_MAX_CHARS + 234))

    assert refused.value.message_dict == {
        "recommendations": [
            "Keep it to 1,500 characters, so that it fits on the page: this has 1,734."
        ]
    }
    summary = ChairSummary.objects.get()
    assert (summary.recommendations, summary.version) == ("Endorse it.", before.version)
    assert summary.history.count() == 1


def test_a_line_break_counts_once_however_the_browser_sent_it(brief):
    # 700 lines: 2,100 characters as a form posts them (CR LF), 1,400 as written.
    typed = "a\r\n" * 700
    summary = write(brief, key_messages=typed)
    assert summary.key_messages == ("a\n" * 700).strip()
    with pytest.raises(ValidationError):
        write(brief, key_messages="a\r\n" * 751)


def test_it_is_kept_as_plain_text_as_typed(brief):
    summary = write(brief, key_messages="  <script>alert(1)</script>  \r\n\r\nSecond. \r\n")
    assert summary.key_messages == "<script>alert(1)</script>\n\nSecond."


def test_each_change_is_a_version_in_the_history_and_no_change_is_none(brief):
    first = write(brief)
    second = write(brief, who="officer", key_messages="Revised by the secretariat.")
    assert (first.version, second.version) == (1, 2)
    assert write(brief, who="officer", key_messages="Revised by the secretariat.").version == 2
    assert [h.history_user for h in ChairSummary.objects.get().history.order_by("history_id")] == [
        brief["chair"],
        brief["officer"],
    ]


def test_a_save_over_someone_elses_is_refused_not_lost(brief):
    write(brief)  # version 1, read by both the chair and the officer
    write(brief, who="officer", key_messages="The secretariat's words.", expected_version=1)

    with pytest.raises(PreconditionFailed):
        write(brief, key_messages="The chair's words.", expected_version=1)
    assert ChairSummary.objects.get().key_messages == "The secretariat's words."

    # Two first saves: the second writer saw none (0) and is refused too.
    with pytest.raises(PreconditionFailed):
        chair_summary_save(
            actor=brief["chair"],
            meeting=brief["meeting"],
            key_messages="",
            recommendations="",
            expected_version=0,
        )


def test_the_label_is_kept_unless_changed_and_never_red(brief):
    assert write(brief).tlp == TLP.GREEN
    assert write(brief, tlp=TLP.AMBER).tlp == TLP.AMBER
    assert write(brief, key_messages="Later.").tlp == TLP.AMBER
    with pytest.raises(ValidationError):
        write(brief, tlp=TLP.RED)


@pytest.mark.parametrize(
    ("label", "readers"),
    [
        (TLP.CLEAR, {"chair", "other_chair", "delegate", "officer", "stranger", None}),
        (TLP.GREEN, {"chair", "other_chair", "delegate", "officer"}),
        (TLP.AMBER, {"chair", "other_chair", "officer"}),
    ],
)
def test_it_is_read_within_its_label(brief, label, readers):
    write(brief, tlp=label)
    who_reads = {
        who
        for who in ("chair", "other_chair", "delegate", "officer", "stranger", None)
        if ChairSummary.objects.visible_to(brief[who] if who else None).exists()
    }
    assert who_reads == readers
