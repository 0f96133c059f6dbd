"""What each person is to be reminded of today, written to the ledger once."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from forums.access import secretariat_people
from forums.models import Chair, Meeting, due_day_end
from workinggroups.models import (
    Reason,
    Reminder,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)
from workinggroups.reminders.changes import Scope
from workinggroups.reminders.rules import Rules, rule_for, rules_by_forum
from workinggroups.reminders.zones import UTC, send_time


@dataclass
class Plan:
    """Ledger rows to insert, keyed so that one sweep never plans the same row twice.

    A row is kept as its key and a few values, and is written as plain values: every
    sweep of the day may plan a person again, and the ledger's unique constraint skips
    what it holds already.
    """

    rows: dict[tuple, tuple] = field(default_factory=dict)

    def add(self, person_id: int, zone: ZoneInfo, owed: "Owed") -> None:
        key = (person_id, owed.reason, owed.subject, owed.day)
        if key not in self.rows:
            self.rows[key] = (zone, owed.task_id, owed.meeting_id, owed.days)

    def values(self) -> list[tuple]:
        """The rows in PLANNED_COLUMNS' order, adapted for the database."""
        ops = connection.ops
        sends: dict[tuple, object] = {}  # people share a handful of (day, zone)
        rows = []
        for (person_id, reason, subject, day), (
            zone,
            task_id,
            meeting_id,
            days,
        ) in self.rows.items():
            if (day, zone) not in sends:
                sends[(day, zone)] = ops.adapt_datetimefield_value(send_time(day, zone))
            rows.append(
                (
                    person_id,
                    reason,
                    subject,
                    ops.adapt_datefield_value(day),
                    sends[(day, zone)],
                    task_id,
                    meeting_id,
                    days,
                )
            )
        return rows


# What planning decides for each row; the other columns are the same for every new row.
PLANNED_COLUMNS = (
    "person_id",
    "reason",
    "subject",
    "scheduled_for",
    "send_after",
    "task_id",
    "meeting_id",
    "days_before",
)
NEW_ROW_COLUMNS = ("status", "attempts", "last_error", "created_at")
# Rows per INSERT statement (SQLite takes up to 32,766 parameters in one).
INSERT_ROWS = 1000


def _new_row_values(created: datetime.datetime) -> list:
    """NEW_ROW_COLUMNS' values: a row planned is pending, not tried yet."""
    return [
        Reminder.Status.PENDING.value,
        0,
        "",
        connection.ops.adapt_datetimefield_value(created),
    ]


def _insert(rows: list[tuple], created: datetime.datetime) -> int:
    """Insert ledger rows, skipping those the ledger holds already; how many were new.

    A row already there (planned by an earlier sweep, or by a concurrent one meanwhile)
    is skipped by the unique constraint, which also counts the new ones: plain rows, no
    model instances and no read of the ledger first. PostgreSQL takes a round's rows as
    one array per column (a statement of a dozen parameters, however many rows: a
    thousand placeholders cost more to send than the rows), each written as one text
    literal; SQLite a thousand at a time. The columns every new row shares are sent once.
    """
    if not rows:
        return 0
    table = connection.ops.quote_name(Reminder._meta.db_table)
    into = f"INSERT INTO {table} ({', '.join(PLANNED_COLUMNS + NEW_ROW_COLUMNS)}) "
    constants = _new_row_values(created)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = {f.column: f.db_type(connection) for f in Reminder._meta.concrete_fields}
            arrays = ", ".join(f"%s::{types[column]}[]" for column in PLANNED_COLUMNS)
            cursor.execute(
                f"{into}SELECT *, %s, %s, %s, %s FROM unnest({arrays}) ON CONFLICT DO NOTHING",
                [*constants, *(_array_text(column) for column in zip(*rows, strict=True))],
            )
            return cursor.rowcount
        one = "(" + ", ".join(["%s"] * len(PLANNED_COLUMNS + NEW_ROW_COLUMNS)) + ")"
        inserted = 0
        for i in range(0, len(rows), INSERT_ROWS):
            batch = rows[i : i + INSERT_ROWS]
            cursor.execute(
                f"{into}VALUES {', '.join([one] * len(batch))} ON CONFLICT DO NOTHING",
                [value for row in batch for value in (*row, *constants)],
            )
            inserted += cursor.rowcount
        return inserted


def _array_text(values) -> str:
    """A column of values as one PostgreSQL array literal, cast by the statement.

    The driver would quote a list element by element (most of a large sweep's time); the
    literal is one string, each element quoted and escaped the same way (a number needs
    neither). A column repeats a few values (a day, a reason, a person's id for each of
    their rows), so each distinct value is written once.
    """
    written = {value: _array_element(value) for value in set(values)}
    return "{" + ",".join(map(written.__getitem__, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _zones(ids) -> dict[int, ZoneInfo]:
    """Each active person's zone, as zone_of() gives it, read as values (no models)."""
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .values_list("pk", "profile__time_zone", "profile__member__time_zone")
    )
    return {pk: own or members or ZoneInfo("UTC") for pk, own, members in rows}


def _window(now: datetime.datetime, offsets: set[int]) -> set[datetime.date]:
    """UTC dates that may be `offset` days from some person's today (zones span ±14 h)."""
    today = now.astimezone(UTC).date()
    return {today + datetime.timedelta(days=n + e) for n in offsets for e in (-1, 0, 1, 2)}


# People planned per round: their zones are read, and their new rows inserted, one round
# at a time (a statement's arrays, and a query's ids, stay a round's).
PLAN_PEOPLE_PER_ROUND = 2000


class Wanted(NamedTuple):
    """One thing a person is to be reminded of, before their rule says on which day."""

    # A plain str, not a Reason: planning hashes it for each person reminded (a Reason
    # hashes in Python).
    reason: str
    subject: str
    # The meeting's opening or the task's deadline; None: a weekly digest.
    instant: datetime.datetime | None
    meeting_id: int | None
    task_id: int | None
    forum_id: int | None


# Work that reminds a working group's current seats and its lead: (group, lead, wanted).
GroupWork = tuple[int, int | None, Wanted]


def plan_reminders(now: datetime.datetime, scope: Scope | None = None) -> int:
    """Insert today's ledger rows (idempotent); returns how many were new.

    With a scope, only the work of the tasks it names is planned again (what changed
    since the last sweep); the secretariat's and chairs' briefs and digests, a few rows a
    forum, are planned in full every time.
    """
    rules = rules_by_forum()
    window = _window(now, {d for rule in rules.values() for d in rule.days})
    # Meetings that open within reach of a rule.
    meetings = {
        meeting.pk: meeting
        for meeting in Meeting.objects.filter(start_date__in=window).select_related("forum")
    }
    work = _group_work(now, window, meetings, scope)
    seats = _seats(now, {group_id for group_id, _lead, _wanted in work})
    secretariat = set(secretariat_people().values_list("pk", flat=True))
    own = [
        *((lead_id, wanted) for _group, lead_id, wanted in work if lead_id),
        *_meeting_briefs(meetings, secretariat),
        *_weekly_digests(now, secretariat),
    ]
    everyone = sorted({p for people in seats.values() for p in people} | {p for p, _w in own})
    rounds = [
        everyone[i : i + PLAN_PEOPLE_PER_ROUND]
        for i in range(0, len(everyone), PLAN_PEOPLE_PER_ROUND)
    ]
    zones: dict[int, ZoneInfo] = {}
    for people in rounds:
        zones.update(_zones(people))
    plans = _owed_rows(
        Owing(now, rules),
        group_work=work,
        own=own,
        seats=seats,
        zones=zones,
        round_of={p: i // PLAN_PEOPLE_PER_ROUND for i, p in enumerate(everyone)},
    )
    created = timezone.now()
    return sum(_insert(plan.values(), created) for plan in plans)


def _group_work(
    now: datetime.datetime,
    window: set[datetime.date],
    meetings: dict[int, Meeting],
    scope: Scope | None,
) -> list[GroupWork]:
    """The work that reminds working groups: every open task's, or the scope's."""
    if scope is None:
        tasks = Q()
    elif scope:
        tasks = scope.tasks_filter()
    else:
        return []
    return [
        *_meeting_digests(meetings, tasks),
        *_tasks_due(window, tasks),
        *_overdue_digests(now, tasks),
    ]


def _meeting_wanted(reason: str, meeting: Meeting) -> Wanted:
    return Wanted(
        reason=str(reason),
        subject=f"meeting:{meeting.pk}",
        instant=meeting.opens_at,
        meeting_id=meeting.pk,
        task_id=None,
        forum_id=meeting.forum_id,
    )


def _weekly_wanted(reason: str, subject: str, forum_id: int) -> Wanted:
    """A forum's weekly digest: no instant, the forum's rule names the weekday."""
    return Wanted(
        reason=str(reason),
        subject=f"{subject}:{forum_id}",
        instant=None,
        meeting_id=None,
        task_id=None,
        forum_id=forum_id,
    )


def _meeting_digests(meetings: dict[int, Meeting], tasks: Q) -> list[GroupWork]:
    """Before a meeting: one digest per person with open work reporting to it."""
    # Who is reminded depends on the task's group and lead only, so the work is read as
    # distinct (group, lead, meeting): a group's hundred tasks are one row here.
    work = (
        Task.objects.open()
        .filter(tasks, reports_to_id__in=meetings)
        .values_list("working_group_id", "lead_id", "reports_to_id")
        .order_by()
        .distinct()
    )
    digests = {pk: _meeting_wanted(Reason.MEETING_DIGEST, m) for pk, m in meetings.items()}
    return [(group_id, lead_id, digests[meeting_id]) for group_id, lead_id, meeting_id in work]


def _tasks_due(window: set[datetime.date], tasks: Q) -> list[GroupWork]:
    """Before a task falls due: its lead and its group, for tasks due within reach of a rule."""
    due = (
        Task.objects.open()
        .exclude(status=Task.Status.READY)  # done, awaiting the meeting: no deadline to chase
        .filter(tasks, due_on__in=window)
        .order_by()  # not the model's order: a sort of every task due, spilled to disk
        .values_list(
            "pk",
            "working_group_id",
            "lead_id",
            "due_on",
            "reports_to__time_zone",
            "working_group__established_by__forum_id",
        )
    )
    return [
        (
            group_id,
            lead_id,
            Wanted(
                reason=str(Reason.TASK_DUE),
                subject=f"task:{task_id}",
                instant=due_day_end(due_on, zone),
                meeting_id=None,
                task_id=task_id,
                forum_id=forum_id,
            ),
        )
        for task_id, group_id, lead_id, due_on, zone, forum_id in due
    ]


def _overdue_digests(now: datetime.datetime, tasks: Q) -> list[GroupWork]:
    """Weekly: overdue work that has not moved since its deadline, one digest per forum."""
    work = (
        overdue_unmoved(now)
        .filter(tasks)
        .values_list("working_group_id", "lead_id", "working_group__established_by__forum_id")
        .order_by()
        .distinct()
    )
    return [
        (group_id, lead_id, _weekly_wanted(Reason.OVERDUE_DIGEST, "overdue", forum_id))
        for group_id, lead_id, forum_id in work
    ]


def _seats(now: datetime.datetime, groups: set[int]) -> dict[int, set[int]]:
    """Each working group's current seats, as person ids (one query)."""
    seats: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in (
        WorkingGroupMembership.objects.current(now.astimezone(UTC).date())
        .filter(working_group_id__in=groups)
        .values_list("working_group_id", "person_id")
    ):
        seats[group_id].add(person_id)
    return seats


def _meeting_briefs(
    meetings: dict[int, Meeting], secretariat: set[int]
) -> list[tuple[int, Wanted]]:
    """Before a meeting: the secretariat's and the chairs' brief, as (person, wanted)."""
    # The chairs who take work into a meeting: its own, and the outgoing chairs of the
    # meeting before it (Palau chaired from Koror until the next meeting).
    chair_rows = Chair.objects.filter(
        person__isnull=False,
        meeting__forum_id__in={m.forum_id for m in meetings.values()},
        meeting__start_date__isnull=False,
    ).values_list("meeting__forum_id", "meeting__start_date", "person_id")
    chairs: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    for forum_id, start, person_id in chair_rows:
        assert start is not None, "filtered above"
        chairs[(forum_id, start)].add(person_id)
    briefs: list[tuple[int, Wanted]] = []
    for meeting in meetings.values():
        assert meeting.start_date is not None, "read by its start date"
        before = [d for (f, d) in chairs if f == meeting.forum_id and d < meeting.start_date]
        outgoing = chairs[(meeting.forum_id, max(before))] if before else set()
        own = chairs[(meeting.forum_id, meeting.start_date)]
        wanted = _meeting_wanted(Reason.MEETING_BRIEF, meeting)
        briefs.extend((person_id, wanted) for person_id in secretariat | own | outgoing)
    return briefs


def _weekly_digests(now: datetime.datetime, secretariat: set[int]) -> list[tuple[int, Wanted]]:
    """Weekly: the secretariat and each forum's chairs, one digest per forum whose working
    groups are still at work (a forum with none has nothing to follow), as (person, wanted).
    """
    today = now.astimezone(UTC).date()
    forum_ids = set(
        WorkingGroup.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=today))
        .order_by()
        .values_list("established_by__forum_id", flat=True)
        .distinct()
    )
    if not forum_ids:
        return []
    # The chairs of the forum's latest meeting held and of its next: the outgoing chair
    # holds the chair until the next meeting, the incoming one prepares it.
    meetings = Meeting.objects.latest_held_and_next(forum_ids, today=today)
    chairs: dict[int, set[int]] = defaultdict(set)
    for forum_id, person_id in Chair.objects.filter(
        meeting__in=[m.pk for pair in meetings.values() for m in pair if m is not None],
        person__isnull=False,
    ).values_list("meeting__forum_id", "person_id"):
        chairs[forum_id].add(person_id)
    return [
        (person_id, _weekly_wanted(Reason.WEEKLY_DIGEST, "weekly", forum_id))
        for forum_id in forum_ids
        for person_id in secretariat | chairs[forum_id]
    ]


class Owed(NamedTuple):
    """Today's row for one wanted reminder, in one zone: what Plan.add keeps of it."""

    reason: str
    subject: str
    day: datetime.date
    task_id: int | None = None
    meeting_id: int | None = None
    days: int | None = None


def _owed(rules: Rules, wanted: Wanted, zone: ZoneInfo, today: datetime.date) -> Owed | None:
    """Today's row for one wanted reminder in one zone, if the forum's rule names today."""
    rule = rule_for(rules, wanted.forum_id, wanted.reason)
    if not rule.active:
        return None
    if wanted.instant is None:  # a weekly digest
        if today.weekday() == rule.weekday:
            return Owed(reason=wanted.reason, subject=wanted.subject, day=today)
        return None
    days = (wanted.instant.astimezone(zone).date() - today).days
    if days in rule.days:
        return Owed(
            reason=wanted.reason,
            subject=wanted.subject,
            day=today,
            task_id=wanted.task_id,
            meeting_id=wanted.meeting_id,
            days=days,
        )
    return None


class Owing:
    """What each wanted reminder owes today in a zone, decided once per kind of reminder.

    Whether a reminder is owed, and on which day, follows from its forum's rule, its
    reason, its instant and the zone alone: a group's tasks due on one day at one venue,
    and the people of a zone, share one decision. Deciding per zone before turning to
    people expands to each person only what is owed today.
    """

    def __init__(self, now: datetime.datetime, rules: Rules) -> None:
        self.now = now
        self.rules = rules
        self.today: dict[ZoneInfo, datetime.date] = {}
        # (forum, reason, instant, zone) → the row's day and days before, or None.
        self.decided: dict[tuple, tuple[datetime.date, int | None] | None] = {}

    def __call__(self, wanted: Wanted, zone: ZoneInfo) -> Owed | None:
        key = (wanted.forum_id, wanted.reason, wanted.instant, zone)
        try:
            decided = self.decided[key]
        except KeyError:
            decided = self.decided[key] = self._decide(wanted, zone)
        if decided is None:
            return None
        return Owed(
            reason=wanted.reason,
            subject=wanted.subject,
            day=decided[0],
            task_id=wanted.task_id,
            meeting_id=wanted.meeting_id,
            days=decided[1],
        )

    def _decide(self, wanted: Wanted, zone: ZoneInfo) -> tuple[datetime.date, int | None] | None:
        if zone not in self.today:
            self.today[zone] = self.now.astimezone(zone).date()
        owed = _owed(self.rules, wanted, zone, self.today[zone])
        return None if owed is None else (owed.day, owed.days)


def _by_zone(people: set[int], zones: dict[int, ZoneInfo]) -> dict[ZoneInfo, list[int]]:
    """People by zone, leaving out those with none (closed accounts)."""
    by_zone: dict[ZoneInfo, list[int]] = defaultdict(list)
    for person_id in people:
        if (zone := zones.get(person_id)) is not None:
            by_zone[zone].append(person_id)
    return by_zone


def _owed_rows(
    owing: Owing,
    *,
    group_work: list[GroupWork],
    own: list[tuple[int, Wanted]],
    seats: dict[int, set[int]],
    zones: dict[int, ZoneInfo],
    round_of: dict[int, int],
) -> list[Plan]:
    """The rows owed today, one Plan per round of people, each on their own calendar.

    A person with no zone in `zones` has a closed account: nothing is planned for them.
    """
    plans = [Plan() for _ in range(max(round_of.values(), default=-1) + 1)]
    # A set: a digest is wanted once whatever the number of tasks (and leads) behind it.
    by_group: dict[int, set[Wanted]] = defaultdict(set)
    for group_id, _lead, wanted in group_work:
        by_group[group_id].add(wanted)
    for group_id, group_wants in by_group.items():
        for zone, people in _by_zone(seats.get(group_id, set()), zones).items():
            for each in group_wants:
                if (owed := owing(each, zone)) is not None:
                    for person_id in people:
                        plans[round_of[person_id]].add(person_id, zone, owed)
    for person_id, each in own:
        own_zone = zones.get(person_id)
        if own_zone is not None and (owed := owing(each, own_zone)) is not None:
            plans[round_of[person_id]].add(person_id, own_zone, owed)
    return plans


# Work with no due day falls due when its meeting opens, or (no dates) in its expected
# month: a move since then counts; with neither, any move made before it was overdue
# does not.
UNDATED_WORK_FALLS_DUE = (
    OuterRef("reports_to__start_date"),
    OuterRef("reports_to__expected_month"),
)


def overdue_unmoved(now: datetime.datetime):
    """Open tasks past their deadline whose status has not moved since it passed."""
    # The deadline is 23:59 of the due day at the venue; a move on the due day or later
    # (in UTC, whatever zone the caller has active: the admin's preview is the sweep's)
    # "moved" the task. Comparing with the due date (a day early at most) keeps this SQL,
    # and NOT EXISTS lets PostgreSQL probe each task's updates once, where "the latest
    # move is NULL or earlier" read them twice.
    moved_since_due = (
        TaskUpdate.objects.filter(task=OuterRef("pk"))
        .exclude(status_from=F("status_to"))
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .filter(day__gte=Coalesce(OuterRef("due_on"), *UNDATED_WORK_FALLS_DUE))
    )
    return (
        Task.objects.overdue(now).exclude(status=Task.Status.READY).filter(~Exists(moved_since_due))
    )
