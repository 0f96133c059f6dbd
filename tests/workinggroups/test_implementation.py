"""Where an outcome stands, and the one definition of overdue, stalled and held."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forums.models import Forum, Meeting
from forums.tlp import TLP
from outcomes.models import Outcome
from tests.conftest import secretariat_officer
from tests.factories import (
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.implementation import (
    STANDING_FIGURES,
    State,
    standings,
    with_implementation,
    with_standings,
)
from workinggroups.models import Task, TaskUpdate

NOW = datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC)
TODAY = NOW.date()


def standing(outcome, reader, now=NOW, *, at_most=None):
    """The outcome annotated in SQL, held equal to what the rows shown read (standings)."""
    annotated = with_implementation(
        Outcome.objects.filter(pk=outcome.pk), reader, now, at_most=at_most
    ).get()
    added_up = standings([outcome.pk], reader, now, at_most=at_most)[outcome.pk]
    for name in STANDING_FIGURES:
        assert getattr(added_up, name) == getattr(annotated, name), name
    return annotated


@pytest.fixture
def group(db):
    """A group set up by a meeting held in August 2026, reporting to one in August 2027."""
    return WorkingGroupFactory.create()


@pytest.fixture
def outcome(group):
    return OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=group.established_by)
    )


@pytest.fixture
def officer(db):
    return secretariat_officer()


def task(group, outcome, **fields):
    made = TaskFactory.create(working_group=group, **fields)
    made.outcomes.add(outcome)
    return made


# --- the state and the figure --------------------------------------------------------------


def test_an_outcome_with_no_work_says_so(outcome, officer):
    row = standing(outcome, officer)
    assert (row.implementation, row.progress, row.work_total, row.work_open) == (
        State.NO_WORK,
        None,
        0,
        0,
    )


def test_withdrawn_work_counts_for_nothing(group, outcome, officer):
    task(group, outcome, status=Task.Status.WITHDRAWN)
    assert standing(outcome, officer).implementation == State.NO_WORK


def test_each_task_weighs_the_same_and_ready_work_counts_whole(group, outcome, officer):
    task(group, outcome, status=Task.Status.IN_PROGRESS, progress=20)
    task(group, outcome, status=Task.Status.READY, progress=60)
    task(group, outcome, status=Task.Status.WITHDRAWN, progress=0)
    row = standing(outcome, officer)
    assert (row.implementation, row.progress, row.work_total, row.work_open) == (
        State.UNDER_WAY,
        60,
        2,
        2,
    )


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ((Task.Status.NOT_STARTED, Task.Status.NOT_STARTED), State.NOT_STARTED),
        ((Task.Status.NOT_STARTED, Task.Status.BLOCKED), State.UNDER_WAY),
        ((Task.Status.READY, Task.Status.RATIFIED), State.READY),
        ((Task.Status.RATIFIED, Task.Status.RATIFIED), State.DONE),
        ((Task.Status.RATIFIED, Task.Status.WITHDRAWN), State.DONE),
    ],
)
def test_the_state_follows_the_work(group, outcome, officer, statuses, state):
    for status in statuses:
        task(group, outcome, status=status)
    assert standing(outcome, officer).implementation == state


def test_a_parent_rolls_up_its_sub_items_counting_each_task_once(group, outcome, officer):
    child = OutcomeFactory.create(document=outcome.document, parent=outcome)
    grandchild = OutcomeFactory.create(document=outcome.document, parent=child)
    both = task(group, child, status=Task.Status.IN_PROGRESS, progress=40)
    both.outcomes.add(grandchild)
    task(group, grandchild, status=Task.Status.RATIFIED)
    row = standing(outcome, officer)
    assert (row.work_total, row.progress) == (2, 70)
    assert standing(child, officer).work_total == 2


def test_rows_read_together_stand_as_each_read_alone(group, outcome, officer):
    """standings for a whole list: each task counted once per outcome, four levels down,
    and a mean of a half rounded up as SQL rounds it."""
    items = [outcome]
    for _ in range(3):
        items.append(OutcomeFactory.create(document=outcome.document, parent=items[-1]))
    lowest = task(group, items[3], status=Task.Status.IN_PROGRESS, progress=1)
    lowest.outcomes.add(items[1], outcome)
    task(group, items[2], status=Task.Status.NOT_STARTED)
    task(group, items[1], status=Task.Status.WITHDRAWN)
    alone = OutcomeFactory.create(document=outcome.document)
    together = standings([item.pk for item in [*items, alone]], officer, NOW)
    annotated = with_implementation(Outcome.objects.all(), officer, NOW).in_bulk()
    for item in [*items, alone]:
        for name in STANDING_FIGURES:
            assert getattr(together[item.pk], name) == getattr(annotated[item.pk], name), name
    assert [together[item.pk].work_total for item in items] == [2, 2, 2, 1]
    assert together[outcome.pk].progress == 1  # (1 + 0) / 2, rounded half up
    assert together[alone.pk].implementation == State.NO_WORK


def test_last_movement_is_the_newest_update_the_reader_may_read(group, outcome, officer):
    work = task(group, outcome, status=Task.Status.IN_PROGRESS)
    seen = TaskUpdate.objects.create(
        task=work, status_from="not_started", status_to="in_progress", progress=10
    )
    hidden = TaskUpdate.objects.create(
        task=work, status_from="in_progress", status_to="in_progress", progress=20, tlp=TLP.RED
    )
    TaskUpdate.objects.filter(pk=seen.pk).update(created_at=NOW - datetime.timedelta(days=5))
    TaskUpdate.objects.filter(pk=hidden.pk).update(created_at=NOW - datetime.timedelta(days=1))
    member = WorkingGroupMembershipFactory.create(working_group=group).person
    assert standing(outcome, member).last_moved_at == NOW - datetime.timedelta(days=5)


# --- within the reader's visibility ---------------------------------------------------------


def test_a_delegate_counts_only_the_work_the_delegate_may_read(group, outcome, officer):
    task(group, outcome, status=Task.Status.RATIFIED)
    secret = task(group, outcome, status=Task.Status.IN_PROGRESS, tlp=TLP.RED)
    secret.recipients.add(officer)
    outsider = UserFactory.create()
    member = WorkingGroupMembershipFactory.create(working_group=group).person
    assert standing(outcome, officer).work_total == 2
    assert (standing(outcome, member).work_total, standing(outcome, member).implementation) == (
        1,
        State.DONE,
    )
    assert not with_implementation(Outcome.objects.visible_to(outsider), outsider, NOW).filter(
        work_total__gt=0
    )


def test_a_list_costs_the_same_queries_at_2_and_at_50_outcomes(group, officer):
    document = OutcomeDocumentFactory.create(meeting=group.established_by)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(with_implementation(Outcome.objects.visible_to(officer), officer, NOW))
        return len(captured.captured_queries)

    for _ in range(2):
        task(group, OutcomeFactory.create(document=document))
    queries()  # the reader's standing, asked once and kept on the user
    few = queries()
    for _ in range(48):
        task(group, OutcomeFactory.create(document=document), status=Task.Status.IN_PROGRESS)
    assert queries() == few


def test_rows_shown_cost_the_same_queries_at_2_and_at_50_outcomes(group, officer):
    document = OutcomeDocumentFactory.create(meeting=group.established_by)

    def queries() -> int:
        outcomes = list(Outcome.objects.visible_to(officer))
        with CaptureQueriesContext(connection) as captured:
            with_standings(outcomes, officer, NOW)
        return len(captured.captured_queries)

    for _ in range(2):
        task(group, OutcomeFactory.create(document=document), status=Task.Status.IN_PROGRESS)
    queries()  # the reader's standing, asked once and kept on the user
    few = queries()
    for _ in range(48):
        task(group, OutcomeFactory.create(document=document), status=Task.Status.IN_PROGRESS)
    assert queries() == few <= 5  # and the forums' stalled periods (TaskQuerySet.stalled)


# --- held, overdue, stalled ------------------------------------------------------------------


def test_a_meeting_with_approximate_dates_is_held_once_its_month_is_past(db):
    august = MeetingFactory.create(
        start_date=None, end_date=None, expected_month=datetime.date(2026, 8, 1)
    )
    held = Meeting.objects.held
    assert august in held(datetime.date(2026, 9, 1))
    assert august not in held(datetime.date(2026, 8, 31))


def test_a_meeting_with_no_dates_is_held_once_a_later_one_is_recorded(db):
    undated = MeetingFactory.create(start_date=None, end_date=None)
    assert undated not in Meeting.objects.held(TODAY)
    MeetingFactory.create(forum=undated.forum, sequence=undated.sequence + 1)
    assert undated in Meeting.objects.held(TODAY)


def test_a_dated_meeting_is_held_once_its_last_day_is_past(db):
    meeting = MeetingFactory.create(
        start_date=datetime.date(2027, 1, 9), end_date=datetime.date(2027, 1, 10)
    )
    assert meeting not in Meeting.objects.held(datetime.date(2027, 1, 10))
    assert meeting in Meeting.objects.held(datetime.date(2027, 1, 11))


def test_work_with_no_due_day_is_overdue_once_its_meeting_is_held(group, outcome):
    undated = MeetingFactory.create(
        forum=group.established_by.forum,
        start_date=None,
        end_date=None,
        expected_month=datetime.date(2026, 11, 1),
    )
    late = task(group, outcome, reports_to=undated, due_on=None)
    task(group, outcome, reports_to=undated, due_on=None, status=Task.Status.RATIFIED)
    assert list(Task.objects.overdue(NOW)) == [late]
    assert not Task.objects.overdue(datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC))


def test_work_carried_past_two_meetings_is_stalled_whatever_its_updates(group, outcome, officer):
    work = task(group, outcome)
    TaskUpdate.objects.create(
        task=work, status_from="not_started", status_to="not_started", progress=0
    )
    next_meeting = group.reports_to
    next_meeting.start_date = next_meeting.end_date = datetime.date(2026, 10, 1)
    next_meeting.save()
    assert not Task.objects.stalled(officer, NOW)
    MeetingFactory.create(
        forum=next_meeting.forum,
        sequence=next_meeting.sequence + 1,
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 2),
    )
    assert list(Task.objects.stalled(officer, NOW)) == [work]
    assert standing(outcome, officer).implementation == State.STALLED


def test_work_with_no_update_for_the_forums_period_is_stalled(group, outcome, officer):
    work = task(group, outcome, status=Task.Status.IN_PROGRESS)
    Task.objects.filter(pk=work.pk).update(created_at=NOW - datetime.timedelta(days=31))
    assert not Task.objects.stalled(officer, NOW)
    Forum.objects.filter(pk=group.established_by.forum_id).update(stalled_after_days=30)
    assert list(Task.objects.stalled(officer, NOW)) == [work]
    TaskUpdate.objects.create(
        task=work, status_from="in_progress", status_to="in_progress", progress=5
    )
    assert not Task.objects.stalled(officer, timezone.now())


def test_a_hidden_update_does_not_keep_work_from_looking_stalled(group, outcome, officer):
    work = task(group, outcome, status=Task.Status.IN_PROGRESS)
    Task.objects.filter(pk=work.pk).update(created_at=NOW - datetime.timedelta(days=100))
    TaskUpdate.objects.create(
        task=work, status_from="in_progress", status_to="in_progress", progress=5, tlp=TLP.RED
    )
    member = WorkingGroupMembershipFactory.create(working_group=group).person
    assert list(Task.objects.stalled(member, NOW + datetime.timedelta(days=1))) == [work]


@pytest.mark.parametrize("days", [0, -5])
def test_a_forums_stalled_period_is_a_day_or_more(db, days):
    forum = Forum(name="Heads of Customs", acronym="HOC", stalled_after_days=days)
    with pytest.raises(ValidationError) as refused:
        forum.full_clean()
    assert "stalled_after_days" in refused.value.message_dict
    if days == 0:
        with pytest.raises(IntegrityError):
            forum.save()


def test_a_meetings_expected_month_is_its_first_day(db):
    meeting = MeetingFactory.build(
        forum=Forum.objects.create(name="Heads of Police", acronym="HOP"),
        start_date=None,
        end_date=None,
        expected_month=datetime.date(2024, 8, 17),
    )
    meeting.full_clean()
    assert meeting.expected_month == datetime.date(2024, 8, 1)


def test_a_document_for_an_audience_counts_nothing_above_its_level(group, outcome, officer):
    """`at_most` (the chair's report at GREEN): AMBER work and updates count for nothing,
    not in the figure, the totals, the last movement or what looks stalled."""
    quiet = task(group, outcome, status=Task.Status.IN_PROGRESS, progress=20)
    task(group, outcome, status=Task.Status.RATIFIED, progress=100, tlp=TLP.AMBER)
    Task.objects.update(created_at=NOW - datetime.timedelta(days=100))
    moved = TaskUpdate.objects.create(
        task=quiet, status_from="in_progress", status_to="in_progress", progress=20, tlp=TLP.AMBER
    )
    TaskUpdate.objects.filter(pk=moved.pk).update(created_at=NOW - datetime.timedelta(days=1))

    everything = standing(outcome, officer)
    green = standing(outcome, officer, at_most=TLP.GREEN)

    assert (everything.work_total, everything.progress, everything.implementation) == (
        2,
        60,
        State.UNDER_WAY,
    )
    assert (green.work_total, green.progress, green.implementation) == (1, 20, State.STALLED)
    assert green.last_moved_at is None
    assert not Task.objects.filter(pk=quiet.pk).stalled(officer, NOW)
    assert list(Task.objects.filter(pk=quiet.pk).stalled(officer, NOW, at_most=TLP.GREEN)) == [
        quiet
    ]
