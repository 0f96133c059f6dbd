"""What changed since the last sweep: the part of planning a sweep has to do again.

Every row the ledger is owed depends on the person's today and on a few tables. If no
zone in use has turned to a new day since the last sweep, the rows owed now differ from
the rows owed then only through what changed in those tables; so a sweep replans the
work those changes touch, and a full plan is needed only on a new day somewhere, a new
rule, a new migration, the first sweep, or when asked.

Tasks and their updates carry a timestamp: read from the last sweep's start, less an
overlap for transactions that were still open then (they commit later with an earlier
`updated_at`). The other inputs have none: each sweep compares a fingerprint of what
planning reads of them (ReminderSweepInput) with the tables, and records the new one
before it plans, in the same transaction: a change committed after that is seen by the
next sweep, never lost.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from forums.models import Meeting
from workinggroups.models import (
    ReminderRule,
    ReminderSweep,
    ReminderSweepInput,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)
from workinggroups.reminders.zones import UTC


@dataclass(frozen=True)
class Scope:
    """The tasks whose work a sweep replans: by id, meeting, working group or lead."""

    tasks: frozenset[int] = frozenset()
    meetings: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    leads: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.tasks or self.meetings or self.groups or self.leads)

    def tasks_filter(self) -> Q:
        return (
            Q(pk__in=self.tasks)
            | Q(reports_to_id__in=self.meetings)
            # A meeting moved to another forum moves the groups it set up.
            | Q(working_group__established_by_id__in=self.meetings)
            | Q(working_group_id__in=self.groups)
            | Q(lead_id__in=self.leads)
        )


def _text(expression) -> Coalesce:
    return Coalesce(Cast(expression, CharField()), Value(""))


def _fingerprint(*parts) -> Concat:
    """The parts as one text, "|" between them (the same on SQLite and PostgreSQL)."""
    pieces: list = []
    for part in parts:
        pieces += [Value("|"), _text(part)] if pieces else [_text(part)]
    return Concat(*pieces, output_field=CharField())


def _inputs() -> dict[str, QuerySet]:
    """Each kind of input, as (sweep_item, sweep_fingerprint) rows: what planning reads."""
    people = get_user_model().objects.values(
        sweep_item=F("pk"),
        sweep_fingerprint=_fingerprint(
            "profile__time_zone", "profile__member__time_zone", "is_active"
        ),
    )
    seats = WorkingGroupMembership.objects.values(
        sweep_item=F("pk"),
        sweep_fingerprint=_fingerprint("working_group_id", "person_id", "joined_on", "left_on"),
    )
    meetings = Meeting.objects.values(
        sweep_item=F("pk"),
        sweep_fingerprint=_fingerprint(
            "forum_id", "start_date", "time_zone", "expected_month", "end_date"
        ),
    )
    groups = WorkingGroup.objects.values(
        sweep_item=F("pk"), sweep_fingerprint=_fingerprint("established_by_id", "closed_on")
    )
    rules = ReminderRule.objects.values(
        sweep_item=F("pk"),
        sweep_fingerprint=_fingerprint("forum_id", "reason", "days_before", "weekday", "active"),
    )
    return {"zone": people, "seat": seats, "meeting": meetings, "group": groups, "rule": rules}


def _record_changed(kind: str, current: QuerySet, *, first: bool) -> list[int]:
    """Write the fingerprints that differ from the recorded ones; return their items.

    One statement: what it records is what it read, so a change committed after it
    differs again at the next sweep. Set-based, on both databases. The `first` record
    (none held) is a plain insert: an upsert costs each row a speculative insertion, and
    the sweep holds the watermark's lock, so nothing else writes these rows meanwhile.
    """
    table = connection.ops.quote_name(ReminderSweepInput._meta.db_table)
    select, current_params = current.order_by().query.sql_with_params()
    if first:
        sql = f"""
            INSERT INTO {table} (kind, item, fingerprint)
            SELECT %s, current.sweep_item, current.sweep_fingerprint FROM ({select}) current
            RETURNING item
        """
        params = [kind, *current_params]
    else:
        sql = f"""
            INSERT INTO {table} (kind, item, fingerprint)
            SELECT %s, current.sweep_item, current.sweep_fingerprint
            FROM ({select}) current
            LEFT JOIN {table} recorded
              ON recorded.kind = %s AND recorded.item = current.sweep_item
            WHERE recorded.fingerprint IS NULL
               OR recorded.fingerprint <> current.sweep_fingerprint
            ON CONFLICT (kind, item) DO UPDATE SET fingerprint = excluded.fingerprint
            RETURNING item
        """
        params = [kind, *current_params, kind]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [item for (item,) in cursor.fetchall()]


def _forget_removed(kind: str, current: QuerySet) -> list[int]:
    """Drop the fingerprints of items no longer there; return their items."""
    removed = ReminderSweepInput.objects.filter(kind=kind).exclude(
        item__in=current.values("sweep_item")
    )
    items = list(removed.values_list("item", flat=True))
    ReminderSweepInput.objects.filter(kind=kind, item__in=items).delete()
    return items


def record_inputs() -> dict[str, list[int]]:
    """Record every input's fingerprint; the items that changed, by kind.

    A rule removed brings its forum back to the defaults, so it counts as a change; a
    person, seat, meeting or group removed makes nothing newly owed.
    """
    inputs = _inputs()
    first = not ReminderSweepInput.objects.exists()
    changed = {
        kind: _record_changed(kind, current, first=first) for kind, current in inputs.items()
    }
    changed["rule"] += _forget_removed("rule", inputs["rule"])
    return changed


def scope_of(changed: dict[str, list[int]], since: datetime.datetime) -> Scope:
    """The tasks to replan: those changed since `since`, and those the changed inputs touch."""
    tasks = set(Task.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    tasks |= set(TaskUpdate.objects.filter(created_at__gte=since).values_list("task_id", flat=True))
    groups = set(changed["group"])
    groups |= set(
        WorkingGroupMembership.objects.filter(pk__in=changed["seat"]).values_list(
            "working_group_id", flat=True
        )
    )
    # A person on a new zone (or back from a closed account): everything they are owed.
    people = set(changed["zone"])
    groups |= set(
        WorkingGroupMembership.objects.filter(person_id__in=people).values_list(
            "working_group_id", flat=True
        )
    )
    return Scope(
        tasks=frozenset(tasks),
        meetings=frozenset(changed["meeting"]),
        groups=frozenset(groups),
        leads=frozenset(people),
    )


def _zones_in_use() -> set[ZoneInfo]:
    """The zones whose days planning counts: people's, venues', and UTC's."""
    recorded = ReminderSweepInput.objects.filter(kind="zone").values_list("fingerprint", flat=True)
    names = {name for fingerprint in recorded.distinct() for name in fingerprint.split("|")[:2]}
    names |= {str(z) for z in Meeting.objects.values_list("time_zone", flat=True).distinct() if z}
    return {ZoneInfo(name) for name in names if name} | {ZoneInfo("UTC")}


def new_day_since(then: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether a zone in use turned to another day between two sweeps."""
    return now < then or any(
        then.astimezone(zone).date() != now.astimezone(zone).date() for zone in _zones_in_use()
    )


def migrations_applied() -> int:
    return MigrationRecorder.Migration.objects.count()


def claim_mark() -> ReminderSweep:
    """The watermark, locked: one sweep plans at a time, the next one from where it ended."""
    ReminderSweep.objects.get_or_create(pk=1)
    return ReminderSweep.objects.select_for_update().get(pk=1)


def full_needed(
    mark: ReminderSweep, now: datetime.datetime, changed: dict[str, list[int]]
) -> str | None:
    """Why this sweep plans everything, or None: it can plan from what changed."""
    if settings.REMINDER_SWEEP_FULL:
        return "REMINDER_SWEEP_FULL"
    if mark.planned_for is None or mark.started_at is None:
        return "first sweep"
    if mark.migrations != migrations_applied():
        return "new migration"
    if changed["rule"]:
        return "reminder rules changed"
    if new_day_since(mark.planned_for, now):
        return "a new day"
    return None


def overlap_start(mark: ReminderSweep) -> datetime.datetime:
    assert mark.started_at is not None, "a mark that planned"
    return mark.started_at - datetime.timedelta(seconds=settings.REMINDER_SWEEP_OVERLAP_SECONDS)


def write_mark(mark: ReminderSweep, now: datetime.datetime, started: datetime.datetime) -> None:
    mark.planned_for = now
    mark.started_at = started
    mark.migrations = migrations_applied()
    mark.save()


def clock() -> datetime.datetime:
    """The clock that dates writes (auto_now), not the instant a sweep plans for."""
    return timezone.now().astimezone(UTC)
