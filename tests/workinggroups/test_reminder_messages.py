"""What a reminder says: what, why now, due when (theirs and the meeting's), the outcomes it
serves, a link, how to stop; and never a word beyond the recipient's TLP clearance."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import translation

from forums.models import Chair
from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    TaskFactory,
)
from tests.workinggroups.test_reminder_rules import (
    APIA,
    RAROTONGA,
    at,
    day,
    group_for,
    meeting_at,
    person,
    plan_hourly,
    utc,
)
from workinggroups.models import Reason, Reminder, Task
from workinggroups.reminders import compose, deliver, plan_reminders
from workinggroups.reminders.compose import describe_due
from workinggroups.services import reminder_preference_for

pytestmark = pytest.mark.django_db

S = Task.Status
SITE = settings.SITE_URL.rstrip("/")


def html_of(message) -> str:
    (alternative,) = message.alternatives
    assert alternative.mimetype == "text/html"
    return alternative.content


def task_due_reminder():
    """A Rarotonga member reminded 3 days before a task due 30 June at an Apia meeting."""
    forum = ForumFactory.create(acronym="HOSX")
    meeting = meeting_at(APIA, day(9, 30), forum=forum)
    member = person("mere", RAROTONGA)
    member.first_name, member.last_name = "Mere", "Tuara"
    member.save()
    task = TaskFactory.create(
        working_group=group_for(meeting, member),
        title="Draft the maritime surveillance framework",
        due_on=day(6, 30),
        status=S.IN_PROGRESS,
        progress=40,
    )
    earlier = MeetingFactory.create(
        forum=forum, start_date=day(1, 5), end_date=None, time_zone=APIA
    )
    served = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=earlier, code="HOSX/4"), number="16"
    )
    secret = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=earlier, code="HOSX/4B"),
        number="99",
        tlp=TLP.RED,
    )
    elsewhere = OutcomeFactory.create(  # AMBER in a forum the member has no seat in
        document=OutcomeDocumentFactory.create(code="OTHER/1"), number="7", tlp=TLP.AMBER
    )
    task.outcomes.add(served, secret, elsewhere)
    plan_reminders(at(RAROTONGA, 2027, 6, 27, 0, 5))
    reminder = Reminder.objects.get(person=member, reason=Reason.TASK_DUE)
    return reminder, task


def test_a_reminder_is_written_in_the_recipients_language_whatever_the_worker_speaks():
    reminder, _task = task_due_reminder()
    reminder.person.profile.language = "fr"
    reminder.person.profile.save()
    now = at(RAROTONGA, 2027, 6, 27, 8)

    with translation.override("en"):  # the worker (or the officer previewing) reads English
        message = compose(Reminder.objects.get(pk=reminder.pk), now)
        assert translation.get_language() == "en"

    assert message.subject == (
        "[HOSX] Échéance dans 3\u00a0jours\u00a0: Draft the maritime surveillance framework"
    )
    for body in (message.body, html_of(message)):
        assert "Bonjour Mere Tuara," in body
        assert "arrive à échéance dans" in body
        assert "Statut\u00a0: En cours, réalisé à 40\u00a0%" in body
        assert "30 juin 2027, 23:59, heure de Pacific/Apia" in body
        assert "30 juin 2027, 00:59, votre heure (Pacific/Rarotonga)" in body
        assert "Arrêter tous les rappels" in body
    assert '<html lang="fr">' in html_of(message)


def test_an_english_reader_gets_english_from_a_worker_running_in_french():
    reminder, _task = task_due_reminder()
    with translation.override("fr"):
        message = compose(reminder, at(RAROTONGA, 2027, 6, 27, 8))
    assert message.subject == "[HOSX] Due in 3 days: Draft the maritime surveillance framework"
    assert "30 June 2027, 23:59 Pacific/Apia time" in message.body
    assert "Status: In progress, 40% done" in message.body


def test_a_task_due_reminder_says_what_why_when_which_outcomes_where_and_how_to_stop():
    reminder, task = task_due_reminder()
    now = at(RAROTONGA, 2027, 6, 27, 8)
    assert deliver(reminder.pk, now) == "sent"
    (message,) = mail.outbox
    html = html_of(message)
    token = reminder_preference_for(reminder.person).unsubscribe_token
    preferences = f"{SITE}/reminders/preferences/{token}/"
    unsubscribe = f"{SITE}/reminders/unsubscribe/{token}/"
    task_url = f"{SITE}{reverse('pages:task', args=[task.pk])}"

    assert message.to == [reminder.person.email]
    assert message.subject == "[HOSX] Due in 3 days: Draft the maritime surveillance framework"
    for body in (message.body, html):
        assert "Mere Tuara" in body
        assert "Draft the maritime surveillance framework" in body  # what
        assert "falls due in" in body and "3 days" in body  # why now
        assert "In progress, 40% done" in body
        # When: the meeting's day ending 23:59 at the venue, and the same instant for them.
        assert "30 June 2027, 23:59 Pacific/Apia time" in body
        assert "30 June 2027, 00:59 your time (Pacific/Rarotonga)" in body
        assert "ending 23:59 there" in body
        assert "HOSX/4/16" in body  # the outcome it serves
        assert "HOSX/4B/99" not in body  # TLP:RED, not named
        assert "OTHER/1/7" not in body  # TLP:AMBER of a forum they have no seat in
        assert task_url in body
        assert preferences in body
        assert unsubscribe in body
    assert f'href="{task_url}"' in html
    assert f'href="{unsubscribe}"' in html

    mime = message.message()
    assert mime["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mime["Auto-Submitted"] == "auto-generated"
    assert mime["Message-ID"] == reminder.message_id
    assert mime.is_multipart()
    assert [part.get_content_type() for part in mime.get_payload()] == [
        "text/plain",
        "text/html",
    ]


def test_the_message_id_is_stable_per_ledger_row_and_differs_between_rows():
    reminder, _task = task_due_reminder()
    now = at(RAROTONGA, 2027, 6, 27, 8)
    first, again = compose(reminder, now), compose(reminder, now + datetime.timedelta(hours=3))
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.message()["Message-ID"] == reminder.message_id
    assert reminder.message_id.startswith(f"<reminder-{reminder.pk}@")
    other = Reminder.objects.create(
        person=reminder.person,
        reason=Reason.TASK_DUE,
        subject=reminder.subject,
        task=reminder.task,
        scheduled_for=day(6, 16),
        days_before=14,
        send_after=utc(2027, 6, 16, 18),
    )
    assert other.message_id != reminder.message_id


def test_titles_are_escaped_in_html_and_plain_in_text():
    reminder, task = task_due_reminder()
    Task.objects.filter(pk=task.pk).update(title="Review <b>ports</b> & harbours")
    message = compose(reminder, at(RAROTONGA, 2027, 6, 27, 8))
    assert "Review <b>ports</b> & harbours" in message.body
    assert "Review &lt;b&gt;ports&lt;/b&gt; &amp; harbours" in html_of(message)
    assert "<b>ports</b>" not in html_of(message)


# --- TLP: never a word beyond the person's clearance ---------------------------------------


@pytest.fixture
def mixed_meeting():
    """One meeting; work of every label reporting to it, with distinctive words."""
    meeting = meeting_at(APIA, day(7, 20), forum=ForumFactory.create(acronym="TLPF"))
    member = person("member", APIA)
    named = person("named", APIA)
    other_member = person("othermember", APIA)
    chair = person("chair", APIA)
    secretary = person("secretary", APIA)
    secretary.groups.add(Group.objects.get(name="Secretariat"))
    earlier = MeetingFactory.create(forum=meeting.forum, start_date=day(1, 5), end_date=None)
    Chair.objects.create(meeting=earlier, member=MemberFactory.create(), person=chair)

    ours = group_for(meeting, member, named)
    theirs = group_for(meeting, other_member, tlp=TLP.AMBER)
    hidden_outcome = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=earlier, code="TLPF/3"),
        number="41",
        tlp=TLP.RED,
    )
    open_outcome = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=earlier, code="TLPF/2"), number="5"
    )
    visible = TaskFactory.create(
        working_group=ours, title="Visible coastguard roster", status=S.READY, progress=100
    )
    visible.outcomes.add(open_outcome, hidden_outcome)
    amber = TaskFactory.create(
        working_group=theirs,
        title="Kingfisher informant protocol",
        tlp=TLP.AMBER,
        status=S.READY,
        progress=100,
    )
    amber.outcomes.add(hidden_outcome)
    red = TaskFactory.create(
        working_group=ours,
        title="Frigatebird dossier",
        tlp=TLP.RED,
        status=S.BLOCKED,
        due_on=day(7, 1),  # overdue by the 13th, and blocked
    )
    red.recipients.add(named)
    return {
        "meeting": meeting,
        "member": member,
        "chair": chair,
        "secretary": secretary,
        "named": named,
    }


SECRET_WORDS = ("Kingfisher", "Frigatebird", "TLPF/3/41")


def sent_to(who, reason: str):
    row = Reminder.objects.get(person=who, reason=reason)
    assert deliver(row.pk, at(APIA, 2027, 7, 13, 8)) == "sent"
    return mail.outbox[-1]


def text_of(message) -> str:
    return "\n".join([message.subject, message.body, html_of(message)])


def test_a_members_digest_holds_only_what_they_may_read(mixed_meeting):
    plan_reminders(at(APIA, 2027, 7, 13, 0, 30))  # 7 days before the meeting
    digest = text_of(sent_to(mixed_meeting["member"], Reason.MEETING_DIGEST))
    assert "Visible coastguard roster" in digest
    assert "TLPF/2/5" in digest
    for word in SECRET_WORDS:
        assert word not in digest
    assert "your 1 open task" in digest

    # The named recipient of the TLP:RED task reads it in theirs.
    named = text_of(sent_to(mixed_meeting["named"], Reason.MEETING_DIGEST))
    assert "Frigatebird dossier" in named
    assert "Kingfisher" not in named


def test_the_chairs_brief_holds_only_what_the_chair_may_read(mixed_meeting):
    chair = mixed_meeting["chair"]
    plan_reminders(at(APIA, 2027, 7, 13, 0, 30))
    brief = sent_to(chair, Reason.MEETING_BRIEF)
    words = text_of(brief)
    assert "Frigatebird" not in words
    assert "TLPF/3/41" not in words
    # forums.access: a forum's chairs read its working groups' TLP:AMBER work, so the
    # AMBER task of a group the chair does not sit on is theirs to read (and to count).
    readable = set(Task.objects.visible_to(chair).values_list("title", flat=True))
    assert "Kingfisher informant protocol" in readable
    assert "Frigatebird dossier" not in readable
    assert brief.subject.endswith("in 7 days: 2 ready for ratification, 0 blocked, 0 overdue")


def test_the_secretariats_brief_counts_everything(mixed_meeting):
    plan_reminders(at(APIA, 2027, 7, 13, 0, 30))
    brief = sent_to(mixed_meeting["secretary"], Reason.MEETING_BRIEF)
    assert brief.subject.endswith("in 7 days: 2 ready for ratification, 1 blocked, 1 overdue")
    assert "TLPF/3/41" in brief.body


def test_a_reminder_about_work_the_person_cannot_read_is_cancelled_unsent():
    member, named = person("member", APIA), person("named", APIA)
    group = group_for(meeting_at(APIA, day(9, 30)), member, named)
    red = TaskFactory.create(
        working_group=group, title="Frigatebird dossier", tlp=TLP.RED, due_on=day(6, 1)
    )
    red.recipients.add(named)
    plan_hourly(at(APIA, 2027, 6, 7, 0), at(APIA, 2027, 6, 7, 2))  # a Monday: overdue digest
    plan_reminders(at(APIA, 2027, 5, 29, 0, 30))  # 3 days before it fell due

    for reason, when in ((Reason.OVERDUE_DIGEST, (6, 7)), (Reason.TASK_DUE, (5, 29))):
        mine = Reminder.objects.get(person=member, reason=reason)
        assert deliver(mine.pk, at(APIA, 2027, *when, 8)) == "cancelled"
        theirs = Reminder.objects.get(person=named, reason=reason)
        assert deliver(theirs.pk, at(APIA, 2027, *when, 8)) == "sent"
    assert [m.to for m in mail.outbox] == [[named.email], [named.email]]
    assert all("Frigatebird" in m.body for m in mail.outbox)


def test_a_french_reminder_writes_the_first_of_the_month_1er():
    member = person("teina", RAROTONGA)
    meeting = meeting_at(APIA, day(9, 30))
    task = TaskFactory.create(working_group=group_for(meeting, member), due_on=day(7, 1))
    task = Task.objects.select_related("reports_to").get(pk=task.pk)

    with translation.override("fr"):
        due = describe_due(task, ZoneInfo(RAROTONGA))

    assert due["theirs"] == "1er juillet 2027, 23:59, heure de Pacific/Apia"
    assert due["yours"] == "1er juillet 2027, 00:59, votre heure (Pacific/Rarotonga)"
