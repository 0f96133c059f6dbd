"""What the chair's report says (reports/content.py), on the real JHoPS record and planted data.

Planted TLP:AMBER and TLP:RED rows carry distinctive words; a report at a lower level must
say exactly what it said before they were planted: not a word, not a count, not a bar.
"""

import dataclasses
import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fixtures.jhops import WORKING_GROUP_NAME, load_jhops
from forums.models import Chair
from forums.services import hosting_record
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeLink
from reports.content import allowed_levels, build_report, check_level, report_today
from reports.render import render
from tests.conftest import secretariat_officer
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.reports.planted import AMBER_WORDS, RED_WORDS, koror, plant, said, user
from workinggroups.models import Task, TaskUpdate, WorkingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def jhops():
    load_jhops(demo_users=True)


# --- the real record ------------------------------------------------------------------------


def test_the_koror_report_says_what_the_record_says(jhops):
    report = build_report(
        meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=report_today()
    )

    assert report.chairs == ["2023 JHoPS Chair (Palau)"]
    assert (report.venue, report.host, report.level) == ("Koror, Palau", "Palau", TLP.GREEN)
    assert [d.code for d in report.documents] == ["JHOPS/5"]
    assert [o.code for o in report.documents[0].outcomes][:2] == ["JHOPS/5/1", "JHOPS/5/2"]
    assert sum(c.value for c in report.outcomes_by_kind) == 10
    lineage = {item.code: item for item in report.lineage}
    assert set(lineage) == {"JHOPS/4/15", "JHOPS/4/16"}
    assert lineage["JHOPS/4/16"].label == "Denarau Outcome 16"
    assert [t.title for t in lineage["JHOPS/4/15"].tasks] == [
        "Consider a regional treaty framework"
    ]
    assert [t.title for t in lineage["JHOPS/4/16"].tasks] == [
        "Terms of reference or MoU on the JHoPS mandate, mission and governance"
    ]
    assert "JHOPS/5/6 reaffirms the 2022 Denarau Outcome" in lineage["JHOPS/4/16"].acted_on_by
    assert [g.name for g in report.groups] == [WORKING_GROUP_NAME]
    assert len(report.groups[0].tasks) == 4
    next_hosts = {h.member: h for h in report.next_hostings}
    assert next_hosts["Papua New Guinea"].history.startswith("planned (24 Aug 2023)")
    assert next_hosts["Papua New Guinea"].status == "Withdrawn"
    after = {h.member: h.status for h in report.hostings_after}
    assert after["Cook Islands"] == "Interest registered"


def test_as_of_the_day_after_koror_png_was_still_the_planned_host(jhops):
    report = build_report(
        meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=datetime.date(2023, 8, 25)
    )
    next_hosts = {h.member: (h.status, h.history) for h in report.next_hostings}
    assert next_hosts == {"Papua New Guinea": ("Planned", "planned (24 Aug 2023)")}


# --- levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "levels"),
    [
        (None, [TLP.CLEAR]),
        ("delegate", [TLP.CLEAR, TLP.GREEN]),
        ("observer", [TLP.CLEAR, TLP.GREEN]),
        ("wg-member", [TLP.CLEAR, TLP.GREEN, TLP.AMBER]),
        ("chair", [TLP.CLEAR, TLP.GREEN, TLP.AMBER]),
        ("secretariat", [TLP.CLEAR, TLP.GREEN, TLP.AMBER]),
    ],
)
def test_each_person_may_ask_up_to_their_clearance_and_no_further(jhops, username, levels):
    person = user(username) if username else AnonymousUser()
    meeting = koror()
    assert allowed_levels(person, meeting) == levels
    for level in (*levels, TLP.RED):
        if level in levels:
            assert build_report(meeting=meeting, user=person, level=level, as_of=report_today())
            continue
        with pytest.raises(ValidationError) as refused:
            build_report(meeting=meeting, user=person, level=level, as_of=report_today())
        names = ", ".join(label.name.lower() for label in levels)
        assert refused.value.message_dict == {"tlp": [f"You may ask for a report at: {names}."]}


def test_red_is_never_a_report_level_even_for_the_secretariat(jhops):
    with pytest.raises(ValidationError):
        check_level(user("secretariat"), koror(), TLP.RED)


def test_clearance_is_per_forum(jhops):
    """The Koror chair has no standing in another forum: CLEAR only there."""
    elsewhere = MeetingFactory.create(forum=ForumFactory.create())
    assert allowed_levels(user("chair"), elsewhere) == [TLP.CLEAR]


# --- nothing above the level ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["chair", "secretariat"])
@pytest.mark.parametrize("level", [TLP.CLEAR, TLP.GREEN])
def test_a_report_says_exactly_the_same_after_amber_and_red_rows_are_planted(
    jhops, actor, username, level
):
    before = build_report(meeting=koror(), user=user(username), level=level, as_of=report_today())
    plant(actor)
    # The planted rows are there, and this person can read them (AMBER, or RED as named).
    assert Task.objects.visible_to(user(username)).filter(title__contains="Narwhal").exists()
    assert Task.objects.visible_to(user(username)).filter(title__contains="Tarsier").exists()

    after = build_report(meeting=koror(), user=user(username), level=level, as_of=report_today())

    # Every text, count, list and bar is what it was: nothing counted them.
    assert dataclasses.asdict(after) == dataclasses.asdict(before)
    for word in (*AMBER_WORDS, *RED_WORDS):
        assert word not in said(after)


def test_an_amber_report_for_the_chair_has_amber_and_never_red(jhops, actor):
    green = build_report(meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=report_today())
    plant(actor)

    amber = build_report(meeting=koror(), user=user("chair"), level=TLP.AMBER, as_of=report_today())

    text = said(amber)
    for word in AMBER_WORDS:
        assert word in text
    for word in RED_WORDS:
        assert word not in text
    # The AMBER task counts, once, where it belongs; the RED one nowhere.
    total = lambda counts: sum(c.value for c in counts)  # noqa: E731
    assert total(amber.tasks_by_status) == total(green.tasks_by_status) + 1
    assert amber.blocked_count == green.blocked_count + 1
    assert amber.overdue_count == green.overdue_count + 1
    assert [t.title for t in amber.blocked] == ["Tarsier surveillance arrangement"]
    assert amber.ready == []
    assert total(amber.outcomes_by_kind) == total(green.outcomes_by_kind) + 1
    assert sum(bar.total for bar in amber.chart_by_group) == total(amber.tasks_by_status)


# --- an empty meeting -----------------------------------------------------------------------


def test_an_empty_meeting_has_a_report_with_nothing_in_it(db):
    meeting = MeetingFactory.create(title="", start_date=None, end_date=None, venue="", country="")
    report = build_report(
        meeting=meeting, user=AnonymousUser(), level=TLP.CLEAR, as_of=report_today()
    )

    assert report.chairs == ["not recorded"]
    assert (report.host, report.venue, report.dates) == (
        "not recorded",
        "not known",
        "dates not known",
    )
    assert report.documents == report.groups == report.lineage == report.next_hostings == []
    assert report.outcomes_by_kind == []
    assert all(c.value == 0 for c in (*report.tasks_by_status, *report.earlier_by_status))
    assert (report.overdue_count, report.blocked_count, report.next_meeting) == (0, 0, "")
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("html", b"<!doctype")):
        assert render(report, fmt).content[:9].lower().startswith(magic.lower())


# --- queries do not grow with the meeting ---------------------------------------------------


def make_meeting(*, outcomes: int, tasks: int):
    """A meeting adopting `outcomes` outcomes, one reaffirming an earlier document; a group
    with `tasks` tasks serving them, each with an update; a next meeting with its host.
    Rows dated a month ago, so that a report as of yesterday reads their history."""
    officer = secretariat_officer()
    forum = ForumFactory.create()
    earlier = MeetingFactory.create(
        forum=forum,
        sequence=1,
        start_date=datetime.date(2025, 8, 1),
        end_date=datetime.date(2025, 8, 2),
    )
    meeting = MeetingFactory.create(
        forum=forum,
        sequence=2,
        start_date=datetime.date(2026, 8, 1),
        end_date=datetime.date(2026, 8, 2),
    )
    following = MeetingFactory.create(forum=forum, sequence=3)
    hosting_record(
        actor=officer, meeting=following, member=MemberFactory.create(), status="planned"
    )
    chair = UserFactory.create()
    Chair.objects.create(meeting=meeting, member=MemberFactory.create(), person=chair)
    old = OutcomeDocumentFactory.create(meeting=earlier, code=f"{forum.acronym}/1")
    old_outcomes = Outcome.objects.bulk_create(
        Outcome(
            document=old,
            number=str(n),
            position=n,
            text=f"Earlier {n}.",
            kind="agreement",
            citation_code=f"{old.code}/{n}",
            tlp=TLP.GREEN,
        )
        for n in range(1, 4)
    )
    document = OutcomeDocumentFactory.create(meeting=meeting, code=f"{forum.acronym}/2")
    adopted = Outcome.objects.bulk_create(
        Outcome(
            document=document,
            number=str(n),
            position=n,
            text=f"Agreed {n}.",
            kind=("agreement", "decision")[n % 2],
            citation_code=f"{document.code}/{n}",
            tlp=(TLP.CLEAR, TLP.GREEN, TLP.AMBER)[n % 3],
        )
        for n in range(1, outcomes + 1)
    )
    OutcomeLink.objects.create(source=adopted[0], kind="reaffirms", target_document=old)
    OutcomeLink.objects.create(
        source=adopted[1], kind="pursuant_to", target_outcome=old_outcomes[0]
    )
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=following, tlp=TLP.GREEN)
    statuses = Task.Status.values
    task_rows = Task.objects.bulk_create(
        Task(
            working_group=group,
            title=f"Task {n}",
            reports_to=following,
            lead=chair,
            due_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            status=statuses[n % 4],
            tlp=(TLP.GREEN, TLP.AMBER)[n % 2],
        )
        for n in range(tasks)
    )
    through = Task.outcomes.through
    through.objects.bulk_create(
        [through(task=t, outcome=adopted[n % len(adopted)]) for n, t in enumerate(task_rows)]
        + [through(task=t, outcome=old_outcomes[n % 3]) for n, t in enumerate(task_rows)]
    )
    TaskUpdate.objects.bulk_create(
        TaskUpdate(
            task=t,
            author=officer,
            status_from="not_started",
            status_to=t.status,
            progress=10,
            note=f"Update on {t.title}.",
            tlp=t.tlp,
        )
        for t in task_rows
    )
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Task.objects.filter(working_group=group).update(created_at=month_ago)
    TaskUpdate.objects.filter(task__working_group=group).update(created_at=month_ago)
    return meeting, chair


def queries_for(meeting, person) -> tuple[int, object]:
    person = get_user_model().objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as queries:
        report = build_report(
            meeting=meeting,
            user=person,
            level=TLP.AMBER,
            as_of=report_today() - datetime.timedelta(days=1),
        )
    return len(queries), report


def test_each_group_lists_its_own_tasks_and_its_bar_counts_them(db):
    meeting, chair = make_meeting(outcomes=2, tasks=8)
    first = WorkingGroup.objects.get(established_by=meeting)
    second = WorkingGroupFactory.create(
        name="Zone security working group", established_by=meeting, reports_to=first.reports_to
    )
    Task.objects.bulk_create(
        Task(working_group=second, title=f"Second {n}", reports_to=second.reports_to, status=status)
        for n, status in enumerate([Task.Status.BLOCKED, Task.Status.BLOCKED, Task.Status.READY])
    )

    report = build_report(meeting=meeting, user=chair, level=TLP.AMBER, as_of=report_today())

    assert [(g.name, len(g.tasks)) for g in report.groups] == [(first.name, 8), (second.name, 3)]
    assert {line.group for line in report.groups[1].tasks} == {second.name}
    assert [bar.label for bar in report.chart_by_group] == [first.name, second.name]
    counted = [{c.label: c.value for c in bar.parts if c.value} for bar in report.chart_by_group]
    assert counted == [
        {str(Task.Status(status).label): 2 for status in Task.Status.values[:4]},
        {str(Task.Status.BLOCKED.label): 2, str(Task.Status.READY.label): 1},
    ]


def test_an_earlier_groups_work_on_an_outcome_this_meeting_built_on_is_in_its_lineage(db):
    meeting, chair = make_meeting(outcomes=2, tasks=0)
    built_on = OutcomeLink.objects.get(source__document__meeting=meeting, kind="pursuant_to")
    earlier = built_on.target_outcome.document.meeting
    earlier_group = WorkingGroupFactory.create(
        name="Earlier working group", established_by=earlier, reports_to=earlier
    )
    served, secret = Task.objects.bulk_create(
        Task(working_group=earlier_group, title=title, reports_to=earlier, tlp=tlp)
        for title, tlp in (("Earlier work", TLP.GREEN), ("Earlier RED work", TLP.RED))
    )
    for task in (served, secret):
        task.outcomes.add(built_on.target_outcome)

    report = build_report(meeting=meeting, user=chair, level=TLP.AMBER, as_of=report_today())

    (item,) = [i for i in report.lineage if i.code == built_on.target_outcome.citation_code]
    assert [line.title for line in item.tasks] == ["Earlier work"]
    assert [line.group for line in item.tasks] == ["Earlier working group"]
    assert "Earlier working group" not in [group.name for group in report.groups]


def test_build_report_queries_do_not_grow_with_outcomes_or_tasks():
    small, small_chair = make_meeting(outcomes=5, tasks=5)
    big, big_chair = make_meeting(outcomes=500, tasks=200)

    small_count, small_report = queries_for(small, small_chair)
    big_count, big_report = queries_for(big, big_chair)

    # The reports really are of those sizes, with lineage and history read.
    assert sum(len(d.outcomes) for d in big_report.documents) == 500
    assert sum(len(g.tasks) for g in big_report.groups) == 200
    assert len(big_report.lineage) == 3 and big_report.lineage[0].tasks
    assert big_report.groups[0].tasks[0].latest.endswith("Update on Task 0.")
    assert sum(len(g.tasks) for g in small_report.groups) == 5
    assert big_count == small_count


# --- overdue, stalled, carried over, and the state of implementation -------------------------

KOROR_WORK = [
    "Support the Chair's engagement with the Pacific Islands Forum",
    "Terms of reference or MoU on the JHoPS mandate, mission and governance",
    "Consider a regional treaty framework",
    "Recommendations from the tabletop exercise",
]


def test_the_koror_work_for_the_undated_6th_meeting_is_overdue_stalled_and_carried_over(jhops):
    """Set up at Koror, reporting to a 6th meeting with no exact dates (August 2024) that has
    been held since (the 7th is recorded): open, undated, never updated, past two meetings."""
    report = build_report(
        meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=report_today()
    )

    assert (report.overdue_count, report.stalled_count) == (4, 4)
    assert [line.title for line in report.carried_over] == KOROR_WORK
    # Across the forum, the most pressing first: all four are both, undated; the one quiet
    # longest (recorded first, never updated) first.
    assert [line.task.title for line in report.attention_all] == KOROR_WORK
    assert report.attention == report.attention_all and report.attention_more == 0
    assert {line.why for line in report.attention_all} == {"Overdue and stalled"}
    leads = {line.task.title: line.task.lead for line in report.attention_all}
    assert leads[KOROR_WORK[1]] == "Working-group lead, Palau"
    assert leads[KOROR_WORK[0]] == "—"
    standing = {line.code: line for line in report.implementation}
    assert [line.code for line in report.implementation] == [f"JHOPS/5/{n}" for n in range(1, 11)]
    assert (standing["JHOPS/5/6"].state, standing["JHOPS/5/6"].progress) == ("Stalled", "0%")
    assert standing["JHOPS/5/6"].work == "4 of 4 open"
    assert (standing["JHOPS/5/1"].state, standing["JHOPS/5/1"].progress) == (
        "No work assigned",
        "\u2014",
    )
    earlier = {line.label: line.state for line in report.implementation_earlier}
    assert earlier == {"Denarau Outcome 15": "Stalled", "Denarau Outcome 16": "Stalled"}


def test_the_koror_report_as_of_the_day_after_koror_had_nothing_overdue_or_carried(jhops):
    report = build_report(
        meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=datetime.date(2023, 8, 25)
    )
    assert report.attention_all == report.carried_over == []


def carried_world():
    """A meeting of 1 to 3 March 2027 with open and ratified work reporting to it, both
    recorded on 4 January and moved on the 5th (so that a report as of a day reads it)."""
    officer = secretariat_officer()
    group = WorkingGroupFactory.create()
    meeting = group.reports_to
    meeting.start_date, meeting.end_date = datetime.date(2027, 3, 1), datetime.date(2027, 3, 3)
    meeting.save()
    january = datetime.datetime(2027, 1, 4, tzinfo=datetime.UTC)
    for title, status in (("Open work", Task.Status.IN_PROGRESS), ("Done work", "ratified")):
        task = Task.objects.create(
            working_group=group, title=title, reports_to=meeting, due_on=None, status=status
        )
        update = TaskUpdate.objects.create(
            task=task, status_from="not_started", status_to=status, progress=0
        )
        Task.objects.filter(pk=task.pk).update(created_at=january)
        TaskUpdate.objects.filter(pk=update.pk).update(
            created_at=january + datetime.timedelta(days=1)
        )
    return meeting, officer


@pytest.mark.parametrize(
    ("as_of", "carried"),
    [
        (datetime.date(2027, 2, 28), []),
        # The meeting has opened but is still sitting: not held yet, nothing carries over.
        (datetime.date(2027, 3, 2), []),
        # Its last day: by the end of the report's day (midnight UTC), it has been held.
        (datetime.date(2027, 3, 3), ["Open work"]),
        (datetime.date(2027, 3, 4), ["Open work"]),
    ],
)
def test_open_work_carries_over_once_its_meeting_has_been_held(db, as_of, carried):
    meeting, officer = carried_world()
    with freeze_reports_today(datetime.date(2027, 3, 10)):
        report = build_report(meeting=meeting, user=officer, level=TLP.AMBER, as_of=as_of)
    assert [line.title for line in report.carried_over] == carried


def test_work_with_no_exact_meeting_dates_carries_over_once_its_month_is_past(db):
    meeting, officer = carried_world()
    meeting.start_date = meeting.end_date = None
    meeting.expected_month = datetime.date(2027, 3, 1)
    meeting.save()
    with freeze_reports_today(datetime.date(2027, 4, 10)):
        in_march = build_report(
            meeting=meeting, user=officer, level=TLP.AMBER, as_of=datetime.date(2027, 3, 30)
        )
        in_april = build_report(
            meeting=meeting, user=officer, level=TLP.AMBER, as_of=datetime.date(2027, 4, 1)
        )
    assert in_march.carried_over == []
    assert [line.title for line in in_april.carried_over] == ["Open work"]
    assert [line.task.title for line in in_april.attention_all] == ["Open work"]
    assert in_april.attention_all[0].why == "Overdue"


def freeze_reports_today(day: datetime.date):
    """The report's "today" (UTC): the report of a past day reads its history, whatever
    the day the test runs."""
    return mock.patch("reports.content.report_today", return_value=day)


def level_world():
    """A GREEN outcome served by a GREEN task quiet for 100 days, whose only recent update
    is AMBER, and by an AMBER task of the same group."""
    meeting, chair = make_meeting(outcomes=2, tasks=0)
    group = WorkingGroup.objects.get(established_by=meeting)
    outcome = Outcome.objects.get(document__meeting=meeting, tlp=TLP.GREEN)
    quiet = Task.objects.create(
        working_group=group, title="Quiet green work", reports_to=group.reports_to
    )
    amber = Task.objects.create(
        working_group=group, title="Amber work", reports_to=group.reports_to, tlp=TLP.AMBER
    )
    for task in (quiet, amber):
        task.outcomes.add(outcome)
    long_ago = timezone.now() - datetime.timedelta(days=100)
    Task.objects.filter(pk__in=[quiet.pk, amber.pk]).update(
        created_at=long_ago, status=Task.Status.IN_PROGRESS, progress=50
    )
    Task.objects.filter(pk=amber.pk).update(progress=100, status=Task.Status.READY)
    for task in (quiet, amber):
        TaskUpdate.objects.create(
            task=task,
            status_from="in_progress",
            status_to="in_progress",
            progress=50,
            tlp=TLP.AMBER,
        )
    return meeting, chair, outcome


def test_a_green_report_counts_no_amber_work_or_update_as_movement_or_progress(db):
    meeting, chair, outcome = level_world()
    as_of = report_today()

    green = build_report(meeting=meeting, user=chair, level=TLP.GREEN, as_of=as_of)
    amber = build_report(meeting=meeting, user=chair, level=TLP.AMBER, as_of=as_of)

    # At GREEN the AMBER update is not there: the green work has not moved for 100 days.
    assert [line.task.title for line in green.attention_all] == ["Quiet green work"]
    assert green.attention_all[0].why == "Stalled"
    assert amber.attention_all == []
    (green_line,) = green.implementation
    amber_line = {line.code: line for line in amber.implementation}[outcome.citation_code]
    assert (green_line.state, green_line.progress, green_line.work) == (
        "Stalled",
        "50%",
        "1 of 1 open",
    )
    assert green_line.last_moved == "\u2014"
    assert (amber_line.state, amber_line.progress, amber_line.work) == (
        "Under way",
        "75%",
        "2 of 2 open",
    )
    assert "Amber work" not in said(green)
    assert outcome.citation_code in said(green)
