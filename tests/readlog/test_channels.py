"""Each channel that shows a TLP:RED item logs the read under its own name."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from forums.access import SECRETARIAT_GROUP
from forums.tlp import TLP
from readlog.models import Channel, RedRead
from readlog.services import record_reads
from tests.factories import OutcomeDocumentFactory, OutcomeFactory, UserFactory
from tests.second_factor import SignedInClient
from tests.workinggroups.test_reminder_messages import RAROTONGA, at, task_due_reminder
from workinggroups.reminders import deliver
from workinggroups.services import calendar_feed_for

pytestmark = pytest.mark.django_db


def reads() -> set[tuple]:
    return set(RedRead.objects.values_list("reader__username", "channel", "item_kind", "item_id"))


@pytest.fixture
def red_outcome(recipient):
    document = OutcomeDocumentFactory.create(tlp=TLP.CLEAR, code="HOSR/1")
    outcome = OutcomeFactory.create(document=document, tlp=TLP.RED, number="4")
    outcome.recipients.add(recipient)
    return outcome


def test_the_task_page_logs_a_page_read(client, recipient, red_task):
    client.force_login(recipient)

    assert client.get(reverse("pages:task", args=[red_task.pk])).status_code == 200

    assert reads() == {("named-one", Channel.PAGE, "workinggroups.task", red_task.pk)}


def test_the_working_group_page_logs_its_red_task_rows(client, recipient, red_task):
    client.force_login(recipient)

    client.get(reverse("pages:working-group", args=[red_task.working_group_id]))

    assert reads() == {("named-one", Channel.PAGE, "workinggroups.task", red_task.pk)}


def test_the_api_outcome_detail_and_list_log_their_channels(client, recipient, red_outcome):
    client.force_login(recipient)

    client.get(f"/api/v1/outcomes/{red_outcome.pk}/")
    client.get("/api/v1/outcomes/")

    assert reads() == {
        ("named-one", Channel.API_DETAIL, "outcomes.outcome", red_outcome.pk),
        ("named-one", Channel.API_LIST, "outcomes.outcome", red_outcome.pk),
    }


def test_an_akoma_ntoso_export_logs_the_red_outcomes_it_holds(recipient, red_outcome):
    officer = UserFactory.create(username="officer")
    officer.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    client = SignedInClient()
    client.force_login(officer)

    response = client.get(f"/api/v1/outcome-documents/{red_outcome.document_id}/akn/")

    assert response.status_code == 200
    assert reads() == {("officer", Channel.AKOMA_NTOSO, "outcomes.outcome", red_outcome.pk)}


def test_the_calendar_feed_logs_its_red_tasks(recipient, red_task):
    feed = reverse("calendar:feed", args=[calendar_feed_for(recipient).token])

    assert Client().get(feed).status_code == 200

    assert reads() == {("named-one", Channel.CALENDAR, "workinggroups.task", red_task.pk)}


def test_a_reminder_sent_logs_the_red_task_it_lists():
    reminder, task = task_due_reminder()
    task.tlp = TLP.RED
    task.save(update_fields=["tlp"])
    task.recipients.add(reminder.person)

    assert deliver(reminder.pk, at(RAROTONGA, 2027, 6, 27, 8)) == "sent"

    assert reads() == {(reminder.person.username, Channel.REMINDER, "workinggroups.task", task.pk)}


def admin_client_of(user) -> Client:
    client = SignedInClient()
    client.force_login(user)
    return client


def test_the_secretariat_reads_the_log_in_the_admin_and_nobody_changes_it(recipient, red_task):
    record_reads(reader=recipient, channel=Channel.PAGE, items=[red_task])
    read = RedRead.objects.get()
    officer = UserFactory.create(username="officer", is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    root = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    listing = reverse("admin:readlog_redread_changelist")
    change = reverse("admin:readlog_redread_change", args=[read.pk])
    delete = reverse("admin:readlog_redread_delete", args=[read.pk])

    for person in (officer, root):
        client = admin_client_of(person)
        page = client.get(listing, {"channel__exact": "page"})
        assert page.status_code == 200
        assert list(page.context["cl"].queryset) == [read]
        assert client.get(reverse("admin:readlog_redread_add")).status_code == 403
        assert client.post(change, {"item_id": 1}).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert not Permission.objects.filter(
        content_type__app_label="readlog", codename__regex="^(add|change|delete)_"
    ).exists()
    assert reads() == {("named-one", Channel.PAGE, "workinggroups.task", red_task.pk)}
