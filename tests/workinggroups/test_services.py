"""Working groups: establishing them, their tasks, every task update, carrying work over."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import Task, TaskUpdate, WorkingGroup, WorkingGroupMembership
from workinggroups.services import (
    Seat,
    task_add,
    task_carry_over,
    task_edit,
    task_update_status,
    working_group_add_member,
    working_group_establish,
)

pytestmark = pytest.mark.django_db

S = Task.Status
TASK_LABELS = dict(S.choices)
ALL_TASK_MOVES = [(a, b) for a, b in itertools.product(S.values, repeat=2) if a != b]


def row_counts(*models) -> dict[str, int]:
    """Rows of each model and of its history table: equal before and after = nothing saved."""
    counts = {}
    for model in models:
        counts[model._meta.label] = model._default_manager.count()
        if hasattr(model, "history"):
            counts[f"{model._meta.label} history"] = model.history.count()
    return counts


def task_in(status: str, **kwargs) -> Task:
    progress = 100 if status in Task.DONE_STATUSES else 40
    return TaskFactory.create(status=status, progress=progress, **kwargs)


# --- the transition map, move by move ---------------------------------------------------------


def test_task_transition_map_is_the_designed_one():
    """not started → in progress → blocked ↔ in progress → ready → ratified; or withdrawn.

    A meeting may send ready work back to in progress instead of ratifying it.
    """
    designed = {
        S.NOT_STARTED: {S.IN_PROGRESS, S.WITHDRAWN},
        S.IN_PROGRESS: {S.BLOCKED, S.READY, S.WITHDRAWN},
        S.BLOCKED: {S.IN_PROGRESS, S.WITHDRAWN},
        S.READY: {S.RATIFIED, S.IN_PROGRESS, S.WITHDRAWN},
        S.RATIFIED: set(),
        S.WITHDRAWN: set(),
    }
    assert designed == Task.TRANSITIONS
    assert set(Task.TRANSITIONS) == set(S.values)
    assert set(Task.OPEN_STATUSES) == {s for s, moves in Task.TRANSITIONS.items() if moves}


def test_the_open_tasks_index_holds_exactly_the_open_statuses():
    # Written out in Task.Meta (which cannot see OPEN_STATUSES); PostgreSQL uses the
    # partial index only for queries whose `status IN (…)` it implies (Task.objects.open()).
    (index,) = [i for i in Task._meta.indexes if i.name == "task_open_due"]
    assert index.condition == Q(status__in=list(Task.OPEN_STATUSES))


@pytest.mark.parametrize(("current", "wanted"), ALL_TASK_MOVES)
def test_task_moves_follow_the_transition_map(actor, current, wanted):
    task = task_in(current)
    before = row_counts(Task, TaskUpdate)
    started = timezone.now()

    if wanted in Task.TRANSITIONS[current]:
        update = task_update_status(actor=actor, task=task, status=wanted, note="Because.")

        task.refresh_from_db()
        assert task.status == wanted
        assert (update.status_from, update.status_to) == (current, wanted)
        assert update.changes_status
        assert update.author == actor
        assert update.created_at >= started
        assert update.note == "Because."
        latest = task.history.latest()
        assert (latest.status, latest.history_user) == (wanted, actor)
        assert latest.history_change_reason == "Because."
        assert TaskUpdate.objects.count() == before["workinggroups.TaskUpdate"] + 1
        assert task.history.count() == before["workinggroups.Task history"] + 1
    else:
        with pytest.raises(ValidationError) as caught:
            task_update_status(actor=actor, task=task, status=wanted, note="Because.")

        (message,) = caught.value.message_dict["status"]
        assert f"from “{TASK_LABELS[current]}” to “{TASK_LABELS[wanted]}”" in message
        allowed = Task.TRANSITIONS[current]
        named = message.split("Allowed from here:")[1]
        assert {s for s in S.values if str(TASK_LABELS[s]) in named} == set(allowed)
        if not allowed:
            assert "none: it is final" in named
        task.refresh_from_db()
        assert task.status == current
        assert row_counts(Task, TaskUpdate) == before


def test_a_task_refuses_a_status_that_does_not_exist(actor):
    task = task_in(S.IN_PROGRESS)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, status="paused", note="…")

    assert caught.value.message_dict["status"] == ["“paused” is not a status."]
    assert not task.updates.exists()


def test_allowed_statuses_lists_the_maps_moves_in_display_order():
    assert task_in(S.READY).allowed_statuses() == [S.IN_PROGRESS, S.RATIFIED, S.WITHDRAWN]
    assert task_in(S.RATIFIED).allowed_statuses() == []


# --- task_update_status details ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted"), [(S.IN_PROGRESS, S.BLOCKED), (S.READY, S.WITHDRAWN)]
)
@pytest.mark.parametrize("note", ["", "   \n"])
def test_blocking_or_withdrawing_a_task_needs_a_note(actor, current, wanted, note):
    task = task_in(current)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, status=wanted, note=note)

    assert caught.value.message_dict["note"] == [f"Say why the task is {wanted.label.lower()}."]
    task.refresh_from_db()
    assert task.status == current
    assert row_counts(Task, TaskUpdate) == before


@pytest.mark.parametrize("progress", [None, 40])
def test_an_update_that_changes_nothing_is_refused(actor, progress):
    task = task_in(S.IN_PROGRESS)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, status=S.IN_PROGRESS, progress=progress)

    assert caught.value.message_dict["note"] == [
        "Say what changed: a note, a new status or progress."
    ]
    assert row_counts(Task, TaskUpdate) == before


def test_a_note_only_update_is_recorded_without_a_move(actor):
    task = task_in(S.BLOCKED)

    update = task_update_status(actor=actor, task=task, note="  Waiting for the legal review.  ")

    assert (update.status_from, update.status_to) == (S.BLOCKED, S.BLOCKED)
    assert not update.changes_status
    assert update.note == "Waiting for the legal review."
    assert (update.author, update.progress) == (actor, 40)
    task.refresh_from_db()
    assert (task.status, task.progress) == (S.BLOCKED, 40)
    assert list(task.updates.all()) == [update]


def test_a_group_keeps_reporting_after_its_meeting_moves_earlier_than_a_due_date(actor):
    task = task_in(S.IN_PROGRESS)
    meeting = task.reports_to
    meeting.start_date = task.due_on - datetime.timedelta(days=10)
    meeting.end_date = meeting.start_date
    meeting.save()

    task_update_status(actor=actor, task=task, status=S.READY, note="Draft circulated.")

    task.refresh_from_db()
    assert task.status == S.READY
    assert task.history.latest().history_change_reason == "Draft circulated."


def test_a_progress_only_update_is_recorded(actor):
    task = task_in(S.IN_PROGRESS)

    update = task_update_status(actor=actor, task=task, progress=75)

    task.refresh_from_db()
    assert (task.status, task.progress) == (S.IN_PROGRESS, 75)
    assert (update.progress, update.changes_status) == (75, False)
    assert task.history.latest().history_user == actor


@pytest.mark.parametrize(("current", "wanted"), [(S.IN_PROGRESS, S.READY), (S.READY, S.RATIFIED)])
def test_ready_and_ratified_work_is_100_percent_done(actor, current, wanted):
    task = task_in(current)
    if current == S.IN_PROGRESS:
        assert task.progress == 40

    update = task_update_status(actor=actor, task=task, status=wanted)

    task.refresh_from_db()
    assert task.progress == update.progress == 100


@pytest.mark.parametrize(("current", "wanted"), [(S.IN_PROGRESS, S.READY), (S.READY, S.RATIFIED)])
def test_ready_or_ratified_with_less_than_100_percent_is_refused(actor, current, wanted):
    task = task_in(current)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, status=wanted, progress=90)

    assert caught.value.message_dict["progress"] == [
        f"Work that is {wanted.label.lower()} is complete: leave progress at 100."
    ]
    task.refresh_from_db()
    assert task.status == current
    assert row_counts(Task, TaskUpdate) == before


@pytest.mark.parametrize("progress", [101, 250, -1])
def test_progress_outside_0_to_100_is_refused(actor, progress):
    task = task_in(S.IN_PROGRESS)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, progress=progress)

    assert "progress" in caught.value.message_dict
    task.refresh_from_db()
    assert task.progress == 40
    assert row_counts(Task, TaskUpdate) == before


def test_an_update_more_open_than_its_task_is_refused(actor):
    task = task_in(S.IN_PROGRESS, tlp=TLP.AMBER, working_group__tlp=TLP.AMBER)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_update_status(actor=actor, task=task, note="Draft shared.", tlp=TLP.GREEN)

    assert caught.value.message_dict["tlp"] == ["An update cannot be more open than its task."]
    assert row_counts(Task, TaskUpdate) == before


def test_an_update_takes_its_tasks_label_unless_told_stricter(actor):
    task = task_in(S.IN_PROGRESS, tlp=TLP.AMBER, working_group__tlp=TLP.AMBER)

    plain = task_update_status(actor=actor, task=task, note="Draft shared.")
    red = task_update_status(actor=actor, task=task, note="Names of sources.", tlp=TLP.RED)

    assert (plain.tlp, red.tlp) == (TLP.AMBER, TLP.RED)


@pytest.mark.parametrize("field", ["status", "progress"])
def test_editing_a_task_does_not_move_status_or_progress(actor, field):
    task = task_in(S.IN_PROGRESS)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_edit(actor=actor, task=task, expected_version=None, **{field: 100})

    assert field in caught.value.message_dict
    task.refresh_from_db()
    assert (task.status, task.progress) == (S.IN_PROGRESS, 40)
    assert row_counts(Task, TaskUpdate) == before


# --- working groups ---------------------------------------------------------------------------


@pytest.fixture
def forum_meetings():
    """The 5th and 6th meetings of one forum, the 6th opening on 1 Sep 2024."""
    forum = ForumFactory.create(acronym="JHOPS")
    return (
        MeetingFactory.create(forum=forum, sequence=5, start_date=datetime.date(2023, 8, 23)),
        MeetingFactory.create(
            forum=forum,
            sequence=6,
            start_date=datetime.date(2024, 9, 1),
            end_date=datetime.date(2024, 9, 3),
        ),
    )


def test_a_working_group_is_established_with_its_seats_as_the_actor(actor, forum_meetings):
    fifth, sixth = forum_meetings
    lead, member = ProfileFactory.create().user, UserFactory.create()
    outcome = OutcomeFactory.create(document=OutcomeDocumentFactory.create(meeting=fifth))

    group = working_group_establish(
        actor=actor,
        name="Intersessional working group",
        established_by=fifth,
        reports_to=sixth,
        establishing_outcome=outcome,
        mandate="Progress Outcomes 15 and 16 for ratification at the next meeting.",
        tlp=TLP.AMBER,
        seats=[Seat(person=lead, role=WorkingGroupMembership.Role.LEAD), Seat(person=member)],
    )

    assert (group.tlp, group.forum) == (TLP.AMBER, fifth.forum)
    seats = {m.person: m for m in group.memberships.all()}
    assert seats[lead].role == WorkingGroupMembership.Role.LEAD
    # A seat represents the member the person's profile says, unless told.
    assert seats[lead].represents == lead.profile.member
    assert seats[member].represents is None
    assert group.history.get().history_user == actor
    assert {h.history_user for h in WorkingGroupMembership.history.all()} == {actor}


@pytest.mark.parametrize("reports_to", ["same", "earlier"])
def test_a_working_group_reports_to_a_later_meeting(actor, forum_meetings, reports_to):
    fifth, sixth = forum_meetings
    target = sixth if reports_to == "same" else fifth
    before = row_counts(WorkingGroup, WorkingGroupMembership)

    with pytest.raises(ValidationError) as caught:
        working_group_establish(
            actor=actor,
            name="Intersessional working group",
            established_by=sixth,
            reports_to=target,
            mandate="…",
            seats=[Seat(person=UserFactory.create())],
        )

    assert caught.value.message_dict["reports_to"] == [
        "A working group reports to a later meeting."
    ]
    assert row_counts(WorkingGroup, WorkingGroupMembership) == before


def test_a_working_group_reports_to_a_meeting_of_its_own_forum(actor, forum_meetings):
    fifth, _ = forum_meetings
    other_forums = MeetingFactory.create(sequence=9)
    before = row_counts(WorkingGroup, WorkingGroupMembership)

    with pytest.raises(ValidationError) as caught:
        working_group_establish(
            actor=actor, name="Group", established_by=fifth, reports_to=other_forums, mandate="…"
        )

    assert caught.value.message_dict["reports_to"] == [
        "A working group reports to a meeting of its own forum."
    ]
    assert row_counts(WorkingGroup, WorkingGroupMembership) == before


def test_a_working_group_is_established_under_an_outcome_of_its_meeting(actor, forum_meetings):
    fifth, sixth = forum_meetings
    other_meetings_outcome = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=sixth)
    )

    with pytest.raises(ValidationError) as caught:
        working_group_establish(
            actor=actor,
            name="Group",
            established_by=fifth,
            reports_to=sixth,
            establishing_outcome=other_meetings_outcome,
            mandate="…",
        )

    assert "establishing_outcome" in caught.value.message_dict
    assert not WorkingGroup.objects.exists()


def test_a_duplicate_seat_saves_no_group(actor, forum_meetings):
    fifth, sixth = forum_meetings
    person = UserFactory.create()
    before = row_counts(WorkingGroup, WorkingGroupMembership)

    with pytest.raises(ValidationError) as caught:
        working_group_establish(
            actor=actor,
            name="Group",
            established_by=fifth,
            reports_to=sixth,
            mandate="…",
            seats=[Seat(person=person), Seat(person=person)],
        )

    assert caught.value.messages == ["This person is already in this working group."]
    assert row_counts(WorkingGroup, WorkingGroupMembership) == before


# --- adding tasks -----------------------------------------------------------------------------


@pytest.fixture
def group(forum_meetings):
    fifth, sixth = forum_meetings
    return WorkingGroupFactory.create(established_by=fifth, reports_to=sixth, tlp=TLP.GREEN)


def test_a_new_task_reports_to_the_groups_meeting_and_falls_due_as_it_opens(actor, group):
    outcome = OutcomeFactory.create()

    task = task_add(actor=actor, working_group=group, title="Draft the terms", outcomes=[outcome])

    assert task.reports_to == group.reports_to
    assert task.due_on == datetime.date(2024, 9, 1)
    assert (task.status, task.progress, task.tlp) == (S.NOT_STARTED, 0, TLP.GREEN)
    assert list(task.outcomes.all()) == [outcome]
    assert {h.history_user for h in task.history.all()} == {actor}


def test_a_new_task_may_fall_due_before_its_meeting(actor, group):
    task = task_add(
        actor=actor, working_group=group, title="Draft", due_on=datetime.date(2024, 6, 30)
    )

    assert task.due_on == datetime.date(2024, 6, 30)


def test_a_task_due_after_the_meeting_it_reports_to_is_refused_on_due_on(actor, group):
    before = row_counts(Task)

    with pytest.raises(ValidationError) as caught:
        task_add(actor=actor, working_group=group, title="Draft", due_on=datetime.date(2024, 9, 2))

    (message,) = caught.value.message_dict["due_on"]
    assert "Due 2024-09-02 is after 6th JHOPS opens on 2024-09-01" in message
    assert row_counts(Task) == before


def test_a_task_more_open_than_its_working_group_is_refused(actor, group):
    before = row_counts(Task)

    with pytest.raises(ValidationError) as caught:
        task_add(actor=actor, working_group=group, title="Draft", tlp=TLP.CLEAR)

    (message,) = caught.value.message_dict["tlp"]
    assert "TLP:CLEAR is more open than its working group (TLP:GREEN)" in message
    assert row_counts(Task) == before


def test_a_task_reports_to_a_meeting_of_its_groups_forum(actor, group):
    with pytest.raises(ValidationError) as caught:
        task_add(
            actor=actor, working_group=group, title="Draft", reports_to=MeetingFactory.create()
        )

    assert caught.value.message_dict["reports_to"] == [
        "A task reports to a meeting of its group's forum."
    ]
    assert not Task.objects.exists()


def test_a_task_lead_sits_on_the_group(actor, group):
    member = WorkingGroupMembershipFactory.create(working_group=group).person
    former = WorkingGroupMembershipFactory.create(
        working_group=group, joined_on=datetime.date(2023, 9, 1), left_on=datetime.date(2024, 1, 1)
    ).person
    elsewhere = WorkingGroupMembershipFactory.create().person
    before = row_counts(Task)

    for outsider in (UserFactory.create(), former, elsewhere):
        with pytest.raises(ValidationError) as caught:
            task_add(actor=actor, working_group=group, title="Draft", lead=outsider)
        assert caught.value.message_dict["lead"] == [
            "The lead must be a current member of the working group."
        ]
    assert row_counts(Task) == before

    assert task_add(actor=actor, working_group=group, title="Draft", lead=member).lead == member


def test_a_closed_group_takes_no_new_task(actor, group):
    group.closed_on = datetime.date(2024, 9, 3)
    group.save()
    before = row_counts(Task)

    with pytest.raises(ValidationError) as caught:
        task_add(actor=actor, working_group=group, title="Draft")

    assert caught.value.message_dict["working_group"] == ["This working group is closed."]
    assert row_counts(Task) == before


def test_a_task_title_is_used_once_per_group(actor, group):
    task_add(actor=actor, working_group=group, title="Draft")

    with pytest.raises(ValidationError) as caught:
        task_add(actor=actor, working_group=group, title="Draft")

    assert caught.value.messages == ["This working group already has a task with this title."]


def test_adding_a_member_records_the_actor(actor, group):
    membership = working_group_add_member(
        actor=actor, working_group=group, person=UserFactory.create()
    )

    assert membership.history.get().history_user == actor


# --- carrying work over -----------------------------------------------------------------------


@pytest.fixture
def later_meetings(forum_meetings):
    """The 8th recorded before the 7th, so that 'next' must come from the sequence."""
    fifth, _ = forum_meetings
    eighth = MeetingFactory.create(
        forum=fifth.forum, sequence=8, start_date=datetime.date(2026, 8, 10)
    )
    seventh = MeetingFactory.create(
        forum=fifth.forum, sequence=7, start_date=datetime.date(2025, 9, 2)
    )
    MeetingFactory.create(sequence=7, start_date=datetime.date(2024, 12, 1))  # another forum's
    return seventh, eighth


@pytest.mark.parametrize("status", Task.OPEN_STATUSES)
def test_an_open_task_carries_over_to_the_next_meeting(actor, group, later_meetings, status):
    seventh, _ = later_meetings
    task = task_in(status, working_group=group)

    carried = task_carry_over(actor=actor, task=task)

    carried.refresh_from_db()
    assert carried.reports_to == seventh
    assert carried.due_on == datetime.date(2025, 9, 2)
    assert carried.status == status
    update = carried.updates.get()
    assert update.note == "Carried over from 6th JHOPS to 7th JHOPS."
    assert (update.status_from, update.status_to, update.author) == (status, status, actor)
    assert (update.tlp, update.progress) == (carried.tlp, carried.progress)
    latest = carried.history.latest()
    assert (latest.history_user, latest.reports_to_id) == (actor, seventh.pk)
    assert latest.history_change_reason == "Carried over from 6th JHOPS to 7th JHOPS"


def test_a_task_carries_over_to_a_chosen_later_meeting(actor, group, later_meetings):
    _, eighth = later_meetings
    task = task_add(actor=actor, working_group=group, title="Draft")

    task_carry_over(actor=actor, task=task, to_meeting=eighth)

    task.refresh_from_db()
    assert (task.reports_to, task.due_on) == (eighth, datetime.date(2026, 8, 10))


@pytest.mark.parametrize("status", [S.RATIFIED, S.WITHDRAWN])
def test_closed_work_does_not_carry_over(actor, group, later_meetings, status):
    task = task_in(status, working_group=group)
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_carry_over(actor=actor, task=task)

    assert caught.value.message_dict["status"] == ["Only open work carries over."]
    task.refresh_from_db()
    assert task.reports_to == group.reports_to
    assert row_counts(Task, TaskUpdate) == before


def test_carry_over_without_a_later_meeting_is_refused(actor, group):
    task = task_add(actor=actor, working_group=group, title="Draft")
    MeetingFactory.create(sequence=7)  # another forum's 7th does not count
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_carry_over(actor=actor, task=task)

    assert caught.value.message_dict["reports_to"] == [
        "Record the meeting after 6th JHOPS before carrying over."
    ]
    task.refresh_from_db()
    assert task.reports_to == group.reports_to
    assert row_counts(Task, TaskUpdate) == before


def test_carry_over_to_an_earlier_meeting_is_refused(actor, group, forum_meetings):
    fifth, _ = forum_meetings
    task = task_add(actor=actor, working_group=group, title="Draft")
    before = row_counts(Task, TaskUpdate)

    with pytest.raises(ValidationError) as caught:
        task_carry_over(actor=actor, task=task, to_meeting=fifth)

    assert caught.value.message_dict["reports_to"] == ["Work carries over to a later meeting."]
    assert row_counts(Task, TaskUpdate) == before


def test_a_task_without_a_meeting_needs_one_chosen_to_carry_over(actor, group):
    task = TaskFactory.create(working_group=group, reports_to=None, due_on=None)

    with pytest.raises(ValidationError) as caught:
        task_carry_over(actor=actor, task=task)

    assert caught.value.message_dict["reports_to"] == ["Choose the meeting it carries over to."]
    assert not task.updates.exists()
