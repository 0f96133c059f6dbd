"""Every read of a TLP:RED item is logged: who, when, which item, by which channel; one
INSERT per request, none when nothing RED was read; and nobody edits the log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.tlp import TLP
from readlog.models import AppendOnly, Channel, RedRead
from readlog.services import collecting_reads, record_reads
from tests.factories import TaskFactory
from tests.second_factor import verify_session
from workinggroups.models import Task

pytestmark = pytest.mark.django_db


def inserts_into_the_log(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "readlog_redread"')]


def logged(**filters) -> set[tuple]:
    return set(
        RedRead.objects.filter(**filters).values_list("reader__username", "channel", "item_id")
    )


def test_reading_a_red_task_writes_exactly_one_row(client, recipient, red_task):
    client.force_login(recipient)

    assert client.get(f"/api/v1/tasks/{red_task.pk}/").status_code == 200

    [read] = RedRead.objects.all()
    assert (read.reader, read.channel, read.item_kind, read.item_id) == (
        recipient,
        Channel.API_DETAIL,
        "workinggroups.task",
        red_task.pk,
    )
    assert read.at is not None


def test_a_list_of_50_with_3_red_rows_writes_one_insert_of_3_rows(client, recipient, group):
    tasks = TaskFactory.create_batch(50, working_group=group)
    red = tasks[5:8]
    Task.objects.filter(pk__in=[t.pk for t in red]).update(tlp=TLP.RED)
    for task in red:
        task.recipients.add(recipient)
    client.force_login(recipient)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tasks/?page_size=50")

    assert len(response.json()["results"]) == 50
    assert len(inserts_into_the_log(queries.captured_queries)) == 1
    assert logged() == {("named-one", Channel.API_LIST, task.pk) for task in red}


def test_a_read_of_nothing_red_writes_nothing_and_costs_no_query(client, recipient, group):
    TaskFactory.create_batch(3, working_group=group)
    client.force_login(recipient)
    # Named on a RED task below, the recipient then needs the second factor: given now.
    verify_session(client, recipient)
    client.get("/api/v1/tasks/")  # the session and the audience, loaded once

    with CaptureQueriesContext(connection) as without_red:
        client.get("/api/v1/tasks/")
    red = TaskFactory.create(working_group=group, tlp=TLP.RED)
    red.recipients.add(recipient)
    with CaptureQueriesContext(connection) as with_red:
        client.get("/api/v1/tasks/")

    assert not inserts_into_the_log(without_red.captured_queries)
    assert len(with_red.captured_queries) == len(without_red.captured_queries) + 1
    assert logged() == {("named-one", Channel.API_LIST, red.pk)}


def test_one_item_read_twice_in_a_request_is_one_row(recipient, red_task):
    with collecting_reads():
        record_reads(reader=recipient, channel=Channel.PAGE, items=[red_task])
        record_reads(reader=recipient, channel=Channel.PAGE, items=[red_task])

    assert RedRead.objects.count() == 1


def test_the_log_refuses_updates_and_deletes(recipient, red_task):
    record_reads(reader=recipient, channel=Channel.PAGE, items=[red_task])
    read = RedRead.objects.get()

    with pytest.raises(AppendOnly):
        RedRead.objects.update(item_id=0)
    with pytest.raises(AppendOnly):
        RedRead.objects.all().delete()
    with pytest.raises(AppendOnly):
        read.delete()
    assert logged() == {("named-one", Channel.PAGE, red_task.pk)}
