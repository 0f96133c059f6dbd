"""*My work*: my open tasks, visible ones only, overdue first, then by when they fall due."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from forums.models import Forum, Meeting
from forums.tlp import TLP
from pages.due import due_sections
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    TaskFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.pages.conftest import client_for
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

S = Task.Status
PALAU = ZoneInfo("Pacific/Palau")  # UTC+9
RAROTONGA = ZoneInfo("Pacific/Rarotonga")  # UTC-10


def titles(sections) -> list[tuple[str, list[str]]]:
    return [(section.key, [task.title for task in section.tasks]) for section in sections]


def loaded(*tasks: Task) -> list[Task]:
    """The tasks as the page reads them (with their meeting and its forum)."""
    return list(
        Task.objects.filter(pk__in=[t.pk for t in tasks])
        .select_related("working_group", "reports_to__forum")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


# --- due_sections, with a fixed clock ---------------------------------------------------------


@pytest.fixture
def calendar(db):
    """A forum whose next meeting opens 23 Aug 2027 in Palau, and a later one in 2028.

    Its work stalls after a year without an update, so that the tasks below, recorded on
    the clock of tests/pages/conftest.py, are not stalled at the dates these tests read.
    """
    forum = ForumFactory.create(stalled_after_days=365)
    established = MeetingFactory.create(
        forum=forum,
        sequence=4,
        start_date=datetime.date(2026, 8, 1),
        end_date=datetime.date(2026, 8, 2),
    )
    upcoming = MeetingFactory.create(forum=forum, sequence=5, time_zone="Pacific/Palau")
    after = MeetingFactory.create(
        forum=forum,
        sequence=6,
        start_date=datetime.date(2028, 8, 20),
        end_date=datetime.date(2028, 8, 21),
    )
    group = WorkingGroupFactory.create(established_by=established, reports_to=upcoming)
    reader = WorkingGroupMembershipFactory.create(working_group=group).person
    return {"group": group, "upcoming": upcoming, "after": after, "reader": reader}


def task(calendar, title, due, meeting="upcoming", **fields) -> Task:
    return TaskFactory.create(
        working_group=calendar["group"],
        title=title,
        reports_to=calendar[meeting],
        due_on=due,
        **fields,
    )


def test_due_sections_come_overdue_today_week_next_meeting_later_in_that_order(calendar):
    # 10 March 2027, 09:00 in Palau.
    now = datetime.datetime(2027, 3, 10, 0, 0, tzinfo=datetime.UTC)
    tasks = loaded(
        task(calendar, "later", datetime.date(2028, 1, 10), meeting="after"),
        task(calendar, "next meeting", datetime.date(2027, 6, 1)),
        task(calendar, "a week on", datetime.date(2027, 3, 17)),
        task(calendar, "this week", datetime.date(2027, 3, 16)),
        task(calendar, "today", datetime.date(2027, 3, 10)),
        task(calendar, "overdue", datetime.date(2027, 3, 1)),
        task(calendar, "long overdue", datetime.date(2026, 12, 1)),
    )
    assert titles(due_sections(tasks, reader=calendar["reader"], now=now)) == [
        ("overdue", ["long overdue", "overdue"]),
        ("today", ["today"]),
        ("week", ["this week"]),
        ("next_meeting", ["a week on", "next meeting"]),
        ("later", ["later"]),
    ]


def test_due_sections_drop_empty_sections_and_mark_only_overdue_as_late(calendar):
    now = datetime.datetime(2027, 3, 10, 0, 0, tzinfo=datetime.UTC)
    sections = due_sections(
        reader=calendar["reader"],
        tasks=loaded(
            task(calendar, "overdue", datetime.date(2027, 3, 1)),
            task(calendar, "later", datetime.date(2028, 1, 10), meeting="after"),
        ),
        now=now,
    )
    assert [(s.key, s.late) for s in sections] == [("overdue", True), ("later", False)]
    assert [s.title for s in sections] == ["Overdue", "Later"]
    assert due_sections([], reader=calendar["reader"], now=now) == []


def test_today_is_the_venues_today_on_both_sides_of_the_date_line(calendar):
    """20:00 UTC on 9 March is already 10 March in Palau and still 9 March in Rarotonga."""
    now = datetime.datetime(2027, 3, 9, 20, 0, tzinfo=datetime.UTC)
    rarotonga = MeetingFactory.create(
        forum=calendar["upcoming"].forum,
        sequence=7,
        start_date=datetime.date(2029, 5, 1),
        end_date=datetime.date(2029, 5, 2),
        time_zone="Pacific/Rarotonga",
    )
    calendar["rarotonga"] = rarotonga
    tasks = loaded(
        task(calendar, "due 9 March in Palau", datetime.date(2027, 3, 9)),
        task(calendar, "due 10 March in Palau", datetime.date(2027, 3, 10)),
        task(calendar, "due 9 March in Rarotonga", datetime.date(2027, 3, 9), meeting="rarotonga"),
    )
    assert titles(due_sections(tasks, reader=calendar["reader"], now=now)) == [
        ("overdue", ["due 9 March in Palau"]),
        # In due-date order, as the page lists them.
        ("today", ["due 9 March in Rarotonga", "due 10 March in Palau"]),
    ]


def test_work_without_a_due_date_is_before_the_next_meeting_or_later(calendar):
    now = datetime.datetime(2027, 3, 10, 0, 0, tzinfo=datetime.UTC)
    tasks = loaded(
        task(calendar, "undated, for the next meeting", None),
        task(calendar, "undated, for the one after", None, meeting="after"),
    )
    assert titles(due_sections(tasks, reader=calendar["reader"], now=now)) == [
        ("next_meeting", ["undated, for the next meeting"]),
        ("later", ["undated, for the one after"]),
    ]


def test_a_meeting_already_opened_is_not_the_next_meeting(calendar):
    # The 5th meeting opened on 23 Aug 2027: on 1 Sep its unfinished work is overdue,
    # undated work for it too (its meeting has been held).
    now = datetime.datetime(2027, 9, 1, 0, 0, tzinfo=datetime.UTC)
    tasks = loaded(
        task(calendar, "undated, for the 5th", None),
        task(calendar, "due at the 5th", datetime.date(2027, 8, 23)),
        task(calendar, "undated, for the 6th", None, meeting="after"),
    )
    assert titles(due_sections(tasks, reader=calendar["reader"], now=now)) == [
        ("overdue", ["due at the 5th", "undated, for the 5th"]),
        ("next_meeting", ["undated, for the 6th"]),
    ]


def quiet_since(day: datetime.date, *tasks: Task) -> None:
    """No update since `day`: as if the tasks had been recorded then."""
    created = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(created_at=created)


def moved_on(day: datetime.date, *tasks: Task) -> None:
    for work in tasks:
        update = TaskUpdate.objects.create(
            task=work, status_from=work.status, status_to=work.status, progress=work.progress
        )
        moved = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        TaskUpdate.objects.filter(pk=update.pk).update(created_at=moved)


def test_stalled_work_is_one_group_after_this_weeks_and_before_the_next_meetings(calendar):
    """A task is in the first group that applies: a date to meet comes before a nudge."""
    now = datetime.datetime(2027, 3, 10, 0, 0, tzinfo=datetime.UTC)
    Forum.objects.filter(pk=calendar["group"].established_by.forum_id).update(stalled_after_days=30)
    quiet = [
        task(calendar, "stalled, overdue", datetime.date(2027, 3, 1)),
        task(calendar, "stalled, due this week", datetime.date(2027, 3, 12)),
        task(calendar, "stalled, for the next meeting", datetime.date(2027, 6, 1)),
        task(calendar, "stalled, later", datetime.date(2028, 1, 10), meeting="after"),
    ]
    moving = [
        task(calendar, "moving, for the next meeting", datetime.date(2027, 6, 2)),
        task(calendar, "moving, later", datetime.date(2028, 1, 11), meeting="after"),
    ]
    quiet_since(datetime.date(2027, 1, 1), *quiet, *moving)
    moved_on(datetime.date(2027, 3, 1), *moving)

    sections = due_sections(loaded(*quiet, *moving), reader=calendar["reader"], now=now)
    assert titles(sections) == [
        ("overdue", ["stalled, overdue"]),
        ("week", ["stalled, due this week"]),
        ("stalled", ["stalled, for the next meeting", "stalled, later"]),
        ("next_meeting", ["moving, for the next meeting"]),
        ("later", ["moving, later"]),
    ]
    # Kept under its date, stalled work is marked as stalled there.
    assert [section.stalled for section in sections] == [
        {quiet[0].pk},
        {quiet[1].pk},
        set(),
        set(),
        set(),
    ]


def test_an_update_the_reader_may_not_read_does_not_unstall_their_work(calendar):
    now = datetime.datetime(2027, 3, 10, 0, 0, tzinfo=datetime.UTC)
    Forum.objects.filter(pk=calendar["group"].established_by.forum_id).update(stalled_after_days=30)
    work = task(calendar, "quiet to the reader", datetime.date(2028, 1, 10), meeting="after")
    quiet_since(datetime.date(2027, 1, 1), work)
    moved_on(datetime.date(2027, 3, 1), work)
    TaskUpdate.objects.filter(task=work).update(tlp=TLP.RED)

    sections = due_sections(loaded(work), reader=calendar["reader"], now=now)
    assert titles(sections) == [("stalled", ["quiet to the reader"])]


# --- the page ----------------------------------------------------------------------------------


def section_order(html: str) -> list[str]:
    return re.findall(r'<h2 id="section-([a-z_]+)"', html)


def section_of(html: str, key: str) -> str:
    start = html.index(f'id="section-{key}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_my_work_lists_my_open_visible_tasks_only(team):
    member = team["member"]
    TaskFactory.create(working_group=team["group"], title="Already ratified", status=S.RATIFIED)
    TaskFactory.create(working_group=team["group"], title="Dropped", status=S.WITHDRAWN)
    TaskFactory.create(working_group=team["group"], title="Sent for ratification", status=S.READY)

    response = client_for(member).get("/work/")
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        "Consider a treaty framework",
        "Map the informant handlers",
        "Sent for ratification",
    ):
        assert shown in html
    for absent in (
        "Already ratified",  # closed
        "Dropped",  # closed
        "Name the undercover officers",  # TLP:RED, the member is not named
        "Harmonise customs forms",  # another group's
    ):
        assert absent not in html
    assert "Treaty working group" in html  # under "My working groups"


def test_a_red_task_is_in_my_work_only_for_its_named_recipients(team):
    assert "Name the undercover officers" in client_for(team["lead"]).get("/work/").content.decode()
    assert "Name the undercover officers" not in (
        client_for(team["member"]).get("/work/").content.decode()
    )


def test_tasks_i_lead_in_a_group_i_do_not_sit_on_are_in_my_work(team):
    other = team["other_task"]
    other.lead = team["lead"]
    other.save()
    # Led by the member, but TLP:RED without naming them: beyond their clearance.
    hidden = TaskFactory.create(
        working_group=team["other_group"], title="Sealed customs audit", tlp=TLP.RED
    )
    hidden.lead = team["member"]
    hidden.save()

    assert "Harmonise customs forms" in client_for(team["lead"]).get("/work/").content.decode()
    as_member = client_for(team["member"]).get("/work/").content.decode()
    assert "Harmonise customs forms" not in as_member
    assert "Sealed customs audit" not in as_member


def test_a_delegate_and_the_secretariat_have_no_work_of_their_own(team):
    for person in (team["delegate"], team["officer"]):
        html = client_for(person).get("/work/").content.decode()
        assert "Consider a treaty framework" not in html
        assert "You have no open tasks" in html


def sixth_meeting(team) -> Meeting:
    return Meeting.objects.create(
        forum=team["forum"],
        sequence=6,
        start_date=datetime.date(2028, 8, 20),
        end_date=datetime.date(2028, 8, 21),
        time_zone="Pacific/Palau",
    )


def test_my_work_page_groups_tasks_overdue_first(team):
    group, upcoming, after = team["group"], team["next_meeting"], sixth_meeting(team)
    venue_today = timezone.now().astimezone(PALAU).date()
    for title, due, meeting in (
        ("Later work", datetime.date(2028, 8, 1), after),
        ("Work for the next meeting", datetime.date(2027, 6, 1), upcoming),
        ("Work due this week", venue_today + datetime.timedelta(days=3), upcoming),
        ("Work due today", venue_today, upcoming),
        ("Late work", venue_today - datetime.timedelta(days=3), upcoming),
    ):
        TaskFactory.create(working_group=group, title=title, due_on=due, reports_to=meeting)
    Task.objects.filter(pk__in=[team["treaty"].pk, team["amber_task"].pk]).update(
        status=S.WITHDRAWN
    )

    html = client_for(team["member"]).get("/work/").content.decode()
    assert section_order(html) == ["overdue", "today", "week", "next_meeting", "later"]
    assert "Late work" in section_of(html, "overdue")
    assert "was due" in section_of(html, "overdue")
    assert "Work due today" in section_of(html, "today")
    assert "Work due this week" in section_of(html, "week")
    assert "Work for the next meeting" in section_of(html, "next_meeting")
    assert "Later work" in section_of(html, "later")
    assert "Late work" not in section_of(html, "today")


def test_my_work_page_shows_stalled_work_above_the_next_meetings_and_later(team):
    group, after = team["group"], sixth_meeting(team)
    quiet = TaskFactory.create(working_group=group, title="Quiet work", reports_to=after)
    TaskFactory.create(working_group=group, title="Fresh work", reports_to=after)
    quiet_since(timezone.now().date() - datetime.timedelta(days=91), quiet)

    html = client_for(team["member"]).get("/work/").content.decode()
    assert section_order(html)[-3:] == ["stalled", "next_meeting", "later"]
    assert "Quiet work" in section_of(html, "stalled")
    assert "Fresh work" in section_of(html, "later")
    assert "Quiet work" not in section_of(html, "later")
    assert ">stalled<" not in section_of(html, "stalled")  # its group says so already


def test_overdue_work_that_is_also_stalled_is_marked_stalled(team):
    Task.objects.filter(pk=team["treaty"].pk).update(
        due_on=timezone.now().date() - datetime.timedelta(days=2),
        created_at=timezone.now() - datetime.timedelta(days=91),
    )
    html = client_for(team["member"]).get("/work/").content.decode()
    overdue = section_of(html, "overdue")
    assert "Consider a treaty framework" in overdue
    assert '<span class="late">stalled</span>' in overdue
