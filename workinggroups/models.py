"""Working groups a meeting sets up, who sits on them, their tasks and every progress update."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator
from django.db import models
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forums.access import Audience, audience_of, named_in, tlp_rule
from forums.audit import Versioned, check_transition
from forums.models import (
    OPEN_ENDED,
    Meeting,
    Member,
    SeatQuerySet,
    day_at_venue,
    due_day_end,
    meeting_held,
)
from forums.tlp import TLP, validate_not_more_open
from outcomes.models import Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Sorts tasks with no due date after all dated ones, so the cursor has no NULL to page on
# (the API's `due` ordering and the index that serves it).
NO_DUE_DATE = datetime.date(9999, 12, 31)


def group_rule(audience: Audience, *, prefix: str) -> Q:
    """Who reads a working group: TLP:AMBER its members and the forum's chairs; RED its members."""
    forum = f"{prefix}established_by__forum_id"
    return tlp_rule(
        audience,
        label=f"{prefix}tlp",
        forum=forum,
        amber=Q(**{f"{prefix}pk__in": audience.groups})
        | Q(**{f"{forum}__in": audience.chaired_forums}),
        red=Q(**{f"{prefix}pk__in": audience.groups}),
    )


def task_rule(audience: Audience, *, prefix: str) -> Q:
    """Who reads a task: its own label, and never more than its working group."""
    group = f"{prefix}working_group__"
    own = tlp_rule(
        audience,
        label=f"{prefix}tlp",
        forum=f"{group}established_by__forum_id",
        amber=Q(**{f"{group}pk__in": audience.groups})
        | Q(**{f"{group}established_by__forum_id__in": audience.chaired_forums}),
        red=named_in(Task.recipients.through, audience=audience, column="task_id", prefix=prefix),
    )
    return own & group_rule(audience, prefix=group)


class WorkingGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkingGroupQuerySet":
        """The one place that decides which working groups a person may see."""
        return self.filter(group_rule(audience_of(user), prefix=""))


class WorkingGroup(models.Model):
    name = models.CharField(_("name"), max_length=200)
    established_by = models.ForeignKey(
        Meeting,
        verbose_name=_("established by"),
        on_delete=models.PROTECT,
        related_name="working_groups_established",
    )
    establishing_outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("established under"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
    )
    reports_to = models.ForeignKey(
        Meeting,
        verbose_name=_("reports to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups_reporting",
    )
    mandate = models.TextField(_("mandate"))
    tlp = models.PositiveSmallIntegerField(_("TLP label"), choices=TLP.choices, default=TLP.GREEN)
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, help_text=_("When its mandate ended.")
    )
    members: "models.ManyToManyField[User, WorkingGroupMembership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="WorkingGroupMembership",
        related_name="working_groups",
    )
    objects = WorkingGroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["established_by", "name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [
            models.UniqueConstraint(
                fields=["established_by", "name"],
                name="unique_working_group_name_per_meeting",
                violation_error_message=_("This meeting already set up a group with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.established_by_id and self.reports_to is not None:
            if self.reports_to.forum_id != self.established_by.forum_id:
                raise ValidationError(
                    {"reports_to": _("A working group reports to a meeting of its own forum.")}
                )
            if self.reports_to.sequence <= self.established_by.sequence:
                raise ValidationError(
                    {"reports_to": _("A working group reports to a later meeting.")}
                )
        if (
            self.established_by_id
            and self.establishing_outcome is not None
            and self.establishing_outcome.document.meeting_id != self.established_by_id
        ):
            raise ValidationError(
                {"establishing_outcome": _("Choose an outcome of the establishing meeting.")}
            )

    @property
    def forum(self):
        return self.established_by.forum


class WorkingGroupMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="wg_memberships",
    )
    represents = models.ForeignKey(
        Member,
        verbose_name=_("represents"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wg_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("since"), null=True, blank=True)
    left_on = models.DateField(_("until"), null=True, blank=True)
    objects = SeatQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["working_group", "role", "person__username"]
        verbose_name = _("working-group membership")
        verbose_name_plural = _("working-group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "person"],
                name="one_seat_per_person_per_group",
                violation_error_message=_("This person is already in this working group."),
            ),
            models.CheckConstraint(
                condition=OPEN_ENDED
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="wg_membership_left_after_joined",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(person)s (%(role)s, %(group)s)") % {
            "person": self.person,
            "role": self.get_role_display(),
            "group": self.working_group,
        }


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskQuerySet":
        """The one place that decides which tasks a person may see (forums.access)."""
        return self.filter(task_rule(audience_of(user), prefix=""))

    def open(self) -> "TaskQuerySet":
        return self.filter(status__in=Task.OPEN_STATUSES)

    def serving(self, outcome_ids) -> "TaskQuerySet":
        """The work serving these outcomes: tasks that name one of them among theirs."""
        return self.filter(
            pk__in=Task.outcomes.through.objects.filter(outcome_id__in=outcome_ids).values(
                "task_id"
            )
        )

    def of_person(self, user) -> "TaskQuerySet":
        """A person's work: tasks of the groups they sit on, and tasks they lead."""
        return self.filter(Q(working_group_id__in=audience_of(user).groups) | Q(lead_id=user.pk))

    def overdue(self, now: datetime.datetime | None = None) -> "TaskQuerySet":
        """The one definition of overdue work: open, and past its due day at the venue of
        the meeting it reports to, or with no due day once that meeting has been held.

        A due date is a calendar day at the meeting's venue, ending 23:59 there; "today"
        is therefore asked once per venue time zone in use (a handful), not per row.
        """
        now = now or timezone.now()
        zones = (
            Meeting.objects.filter(time_zone__isnull=False)
            .order_by()
            .values_list("time_zone", flat=True)
            .distinct()
        )
        ended = Q(reports_to__time_zone__isnull=True, due_on__lt=day_at_venue(now))
        for zone in zones:
            ended |= Q(reports_to__time_zone=zone, due_on__lt=day_at_venue(now, zone))
        undated = Q(due_on__isnull=True, reports_to__isnull=False) & meeting_held(
            day_at_venue(now), prefix="reports_to__"
        )
        return self.open().filter(ended | undated)

    def with_last_movement(self, reader, *, at_most: int | None = None) -> "TaskQuerySet":
        """Annotate `last_moved_at`: the newest update `reader` may read, else when the task
        was recorded. Hidden updates move nothing a reader sees; nor, in a document written
        for an audience (`at_most`, a TLP level: the chair's report), updates above it."""
        updates = TaskUpdate.objects.visible_to(reader)
        if at_most is not None:
            updates = updates.filter(tlp__lte=at_most)
        newest = (
            updates.filter(task_id=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
        )
        return self.annotate(last_moved_at=Coalesce(Subquery(newest), F("created_at")))

    def with_changes_seen_by(self, reader) -> "TaskQuerySet":
        """Annotate `seen_version` and `seen_updated_at`: the task's version and last change
        as `reader` may know them, for its representation, its ETag and `-updated`.

        Every update moves the version by one; those `reader` may not read are taken off
        again, and only the updates they may read date the task. `updated_at` itself is
        when the task's details last changed (task_update_status leaves it). So a hidden
        update moves nothing a reader sees, and a writer's If-Match still fails on every
        change they can read."""
        updates = TaskUpdate.objects.filter(task_id=OuterRef("pk")).order_by()
        readable = TaskUpdate.objects.visible_to(reader).filter(task_id=OuterRef("pk")).order_by()

        def count(queryset):
            return Coalesce(
                Subquery(queryset.values("task_id").annotate(n=Count("pk")).values("n")), 0
            )

        newest = readable.order_by("-created_at").values("created_at")[:1]
        return self.annotate(
            seen_version=F("version") - count(updates) + count(readable),
            seen_updated_at=Greatest("updated_at", Coalesce(Subquery(newest), "updated_at")),
        )

    def with_meetings_passed(self, today: datetime.date | None = None) -> "TaskQuerySet":
        """Annotate `meetings_passed`: the forum's meetings held since the one that set the
        task's group up (the meetings this work has been carried past)."""
        held = (
            Meeting.objects.filter(
                forum_id=OuterRef("working_group__established_by__forum_id"),
                sequence__gt=OuterRef("working_group__established_by__sequence"),
            )
            .filter(meeting_held(today or timezone.now().date()))
            .order_by()
            .values("forum_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(meetings_passed=Coalesce(Subquery(held), 0))

    def stalled(
        self, reader, now: datetime.datetime | None = None, *, at_most: int | None = None
    ) -> "TaskQuerySet":
        """The one definition of stalled work: open, with no update `reader` may read (at
        `at_most` or below, if given) for its forum's period, or carried past two meetings
        or more. It filters these tasks; which of them `reader` may see is the caller's."""
        return self.with_stalled(reader, now, at_most=at_most).filter(is_stalled=True)

    def with_stalled(
        self, reader, now: datetime.datetime | None = None, *, at_most: int | None = None
    ) -> "TaskQuerySet":
        """Annotate `is_stalled` (`stalled`'s rule), for counting stalled work among other.

        The forum's period is added to the last movement in SQL, so the rule needs no
        query of its own for the periods in use."""
        now = now or timezone.now()
        period = _Days(F("working_group__established_by__forum__stalled_after_days"))
        quiet = Q(
            LessThan(
                ExpressionWrapper(F("last_moved_at") + period, output_field=models.DateTimeField()),
                Value(now),
            )
        )
        stalled = Q(status__in=Task.OPEN_STATUSES) & (
            quiet | Q(meetings_passed__gte=STALLED_AFTER_MEETINGS)
        )
        return (
            self.with_last_movement(reader, at_most=at_most)
            .with_meetings_passed(day_at_venue(now))
            .annotate(is_stalled=ExpressionWrapper(stalled, output_field=models.BooleanField()))
        )


class _Days(Func):
    """A number of days as a duration: an interval on PostgreSQL, and on SQLite (whose
    durations are microseconds, and which multiplies no duration) the microseconds."""

    output_field = models.DurationField()
    template = f"(%(expressions)s * {24 * 3600 * 10**6})"

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "make_interval(days => %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


# Carried past this many meetings, open work counts as stalled whatever its updates say.
STALLED_AFTER_MEETINGS = 2


def serving_links(outcome_ids):
    """The (task, outcome) rows of the tasks serving these outcomes, asked by outcome (an
    index): callers keep only the tasks they may read."""
    return Task.outcomes.through.objects.filter(outcome_id__in=outcome_ids)


class Task(Versioned):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        READY = "ready", _("Ready for ratification")
        RATIFIED = "ratified", _("Ratified")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The only moves task_update_status accepts (DESIGN.md); READY → IN_PROGRESS is a
    # meeting sending work back instead of ratifying it.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.NOT_STARTED: frozenset({Status.IN_PROGRESS, Status.WITHDRAWN}),
        Status.IN_PROGRESS: frozenset({Status.BLOCKED, Status.READY, Status.WITHDRAWN}),
        Status.BLOCKED: frozenset({Status.IN_PROGRESS, Status.WITHDRAWN}),
        Status.READY: frozenset({Status.RATIFIED, Status.IN_PROGRESS, Status.WITHDRAWN}),
        Status.RATIFIED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.READY)
    DONE_STATUSES = (Status.READY, Status.RATIFIED)
    # A note is what tells the group why work stopped or was dropped.
    NOTE_REQUIRED_FOR = frozenset({Status.BLOCKED, Status.WITHDRAWN})

    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    TITLE_MAX_LENGTH = 300
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    outcomes = models.ManyToManyField(
        Outcome, verbose_name=_("serves outcomes"), blank=True, related_name="tasks"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks_led",
    )
    reports_to = models.ForeignKey(
        Meeting,
        verbose_name=_("for the meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        help_text=_("The meeting it must be ready for; by default the group's."),
    )
    due_on = models.DateField(
        _("due"),
        null=True,
        blank=True,
        help_text=_("A day in the meeting's time zone, ending 23:59 there; by default its start."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MaxValueValidator(100)]
    )
    tlp = models.PositiveSmallIntegerField(_("TLP label"), choices=TLP.choices, default=TLP.GREEN)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named recipients (TLP:RED)"),
        blank=True,
        related_name="red_tasks",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    objects = TaskQuerySet.as_manager()
    # Where a query prefetches them with Prefetch("outcomes", …, to_attr="visible_outcomes"):
    # the task's outcomes that the reader may see.
    visible_outcomes: list[Outcome]
    # Where a query prefetches it (to_attr="latest_updates"): its newest update the reader
    # may read, or nothing.
    latest_updates: list["TaskUpdate"]
    # Where a query reads them (TaskQuerySet.with_changes_seen_by): as its reader may know.
    seen_version: int
    seen_updated_at: datetime.datetime
    # Where task_update_status has moved it: its links to outcomes (Task.outcomes.through
    # rows), each with `readable`, whether the update's author may read the outcome.
    outcome_links: list
    history = HistoricalRecords(m2m_fields=[outcomes])

    class Meta:
        ordering = ["working_group", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # GET /api/v1/tasks/ in its default order (`due`: undated last, then id) and
            # its keyset cursor, `WHERE (due_sort, id) > (…)`: PostgreSQL walks this index
            # in order and stops after a page, instead of sorting every visible task
            # (200,000 at the small benchmark size). Also ?overdue=true, which walks it
            # from the oldest due date. The expression is the one tasks_for() orders by.
            models.Index(Coalesce("due_on", Value(NO_DUE_DATE)), F("id"), name="task_due_order"),
            # "Open (OPEN_STATUSES) and due on these days": the reminder sweep
            # (reminders.plan_reminders, overdue_unmoved) and TaskQuerySet.overdue().
            # Partial: ratified and withdrawn work, most of the table after a few years,
            # is not in it. (Meta cannot see OPEN_STATUSES: a test keeps the two equal.)
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["not_started", "in_progress", "blocked", "ready"]),
                name="task_open_due",
            ),
            # The incremental reminder sweep's "tasks changed since the last sweep".
            models.Index(fields=["updated_at"], name="task_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="task_progress_at_most_100",
                violation_error_message=_("Progress is a percentage, 0 to 100."),
            ),
            models.UniqueConstraint(
                fields=["working_group", "title"],
                name="unique_task_title_per_group",
                violation_error_message=_("This working group already has a task with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.working_group_id is None:
            return
        validate_not_more_open(
            child_label=self.tlp,
            parent_label=self.working_group.tlp,
            parent_name=_("working group"),
        )
        meeting = self.reports_to
        if meeting is not None:
            if meeting.forum_id != self.working_group.established_by.forum_id:
                raise ValidationError(
                    {"reports_to": _("A task reports to a meeting of its group's forum.")}
                )
            if self.due_on and meeting.start_date and self.due_on > meeting.start_date:
                raise ValidationError(
                    {
                        "due_on": _(
                            "Due %(due)s is after %(meeting)s opens on %(start)s; "
                            "work must be ready for the meeting it reports to."
                        )
                        % {"due": self.due_on, "meeting": meeting, "start": meeting.start_date}
                    }
                )

    def allowed_statuses(self) -> list[str]:
        return self.allowed_from(self.status)

    @property
    def etag(self) -> str:
        # The version its reader may know, where the query read it (with_changes_seen_by);
        # else the whole version, which is the secretariat's (every API read annotates it).
        return f'"{getattr(self, "seen_version", self.version)}"'

    def version_seen_by(self, reader) -> int:
        return (
            Task.objects.with_changes_seen_by(reader)
            .values_list("seen_version", flat=True)
            .get(pk=self.pk)
        )

    def checked_update(
        self, *, status: str | None, progress: int | None, note: str
    ) -> tuple[str, int]:
        """The status and progress a progress update would leave, or why it may not.

        The one rule for an update, asked by the service before it writes and by the CSV
        preview before it shows a row; pure: it reads only this task's status and progress.
        `status` and `progress` None keep the task's; `note` is stripped by the caller.
        """
        status = status or self.status
        if status != self.status:
            check_transition(
                transitions=self.TRANSITIONS,
                current=self.status,
                wanted=status,
                labels=dict(self.Status.choices),
            )
        elif not note and progress in (None, self.progress):
            raise ValidationError(
                {"note": [_("Say what changed: a note, a new status or progress.")]}
            )
        if status in self.NOTE_REQUIRED_FOR and status != self.status and not note:
            raise ValidationError(
                {
                    "note": [
                        _("Say why the task is %(status)s.")
                        % {"status": str(self.Status(status).label).lower()}
                    ]
                }
            )
        if status in self.DONE_STATUSES:
            if progress not in (None, 100):
                raise ValidationError(
                    {
                        "progress": [
                            _("Work that is %(status)s is complete: leave progress at 100.")
                            % {"status": str(self.Status(status).label).lower()}
                        ]
                    }
                )
            progress = 100
        return status, self.progress if progress is None else progress

    @classmethod
    def allowed_from(cls, status: str) -> list[str]:
        """The statuses a task in `status` may move to, in the order of Status."""
        return [s for s in cls.Status.values if s in cls.TRANSITIONS[status]]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def venue_zone(self):
        """The time zone its due day is counted in: its meeting's venue (None: UTC)."""
        return self.reports_to.time_zone if self.reports_to is not None else None

    @property
    def deadline(self) -> datetime.datetime | None:
        """When its due day ends at the venue of the meeting it reports to."""
        return due_day_end(self.due_on, self.venue_zone) if self.due_on else None


class TaskUpdateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskUpdateQuerySet":
        """An update is seen by who sees its task, within the update's own label."""
        audience = audience_of(user)
        return self.filter(update_rule(audience) & task_rule(audience, prefix="task__"))

    def latest_per_task(self) -> "TaskUpdateQuerySet":
        """Each task's newest update among these (a window, so one query for many tasks)."""
        return self.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("task_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        ).filter(rank=1)


def update_rule(audience: Audience) -> Q:
    """An update's own label: AMBER for its task's group and the forum's chairs."""
    forum = "task__working_group__established_by__forum_id"
    return tlp_rule(
        audience,
        label="tlp",
        forum=forum,
        amber=Q(task__working_group_id__in=audience.groups)
        | Q(**{f"{forum}__in": audience.chaired_forums}),
        red=named_in(TaskUpdate.recipients.through, audience=audience, column="taskupdate_id"),
    )


class TaskUpdate(models.Model):
    """A progress report on a task; every status move is one. Append-only."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="task_updates",
        help_text=_("Empty for changes made by Talanoa itself (data import)."),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    status_from = models.CharField(_("from"), max_length=12, choices=Task.Status.choices)
    status_to = models.CharField(_("to"), max_length=12, choices=Task.Status.choices)
    progress = models.PositiveSmallIntegerField(
        _("progress %"), validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("note"), blank=True)
    tlp = models.PositiveSmallIntegerField(_("TLP label"), choices=TLP.choices, default=TLP.GREEN)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named recipients (TLP:RED)"),
        blank=True,
        related_name="red_task_updates",
    )
    objects = TaskUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["task", "created_at", "pk"]
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")
        get_latest_by = ["created_at", "pk"]
        indexes = [
            # The incremental reminder sweep's "updates posted since the last sweep".
            models.Index(fields=["created_at"], name="task_update_created_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="update_progress_at_most_100",
                violation_error_message=_("Progress is a percentage, 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        if self.status_from != self.status_to:
            return f"{self.task}: {self.status_from} → {self.status_to}"
        return _("%(task)s: update") % {"task": self.task}

    @property
    def changes_status(self) -> bool:
        return self.status_from != self.status_to


# --- reminders -------------------------------------------------------------------------


class Reason(models.TextChoices):
    """Why a person gets a reminder; each has a rule per forum (ReminderRule)."""

    MEETING_DIGEST = "meeting_digest", _("Before the next meeting: your open tasks")
    TASK_DUE = "task_due", _("Before a task falls due")
    OVERDUE_DIGEST = "overdue_digest", _("Weekly: your overdue tasks")
    MEETING_BRIEF = "meeting_brief", _("Before a meeting: the secretariat's and chair's brief")
    WEEKLY_DIGEST = (
        "weekly_digest",
        _("Weekly, for chairs and the secretariat: what moved, stalled or became ready"),
    )


def validate_day_offsets(value: str) -> None:
    try:
        days = parse_day_offsets(value)
    except ValueError as error:
        raise ValidationError(
            _("Whole numbers of days, separated by commas, e.g. 60, 30, 14, 7.")
        ) from error
    if any(day < 0 or day > 365 for day in days):
        raise ValidationError(_("Each number of days is between 0 and 365."))


def parse_day_offsets(value: str) -> tuple[int, ...]:
    return tuple(sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True))


class ReminderRule(models.Model):
    """When a forum's people are reminded, for one reason. Without a row, the default."""

    DEFAULT_DAYS: dict[str, str] = {
        Reason.MEETING_DIGEST: "60, 30, 14, 7",
        Reason.TASK_DUE: "14, 3",
        Reason.OVERDUE_DIGEST: "",
        Reason.MEETING_BRIEF: "30, 14, 7",
        Reason.WEEKLY_DIGEST: "",
    }
    # Weekly digests go out on the recipient's own weekday: overdue work on Monday, to
    # start the week with it; the chairs' and secretariat's digest on Friday, the week done.
    DEFAULT_WEEKDAY = 0
    DEFAULT_WEEKDAYS: dict[str, int] = {Reason.WEEKLY_DIGEST: 4}

    forum = models.ForeignKey(
        "forums.Forum",
        verbose_name=_("forum"),
        on_delete=models.CASCADE,
        related_name="reminder_rules",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    days_before = models.CharField(
        _("days before"),
        max_length=100,
        blank=True,
        validators=[validate_day_offsets],
        help_text=_("e.g. 60, 30, 14, 7 — counted on each recipient's own calendar."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday (weekly digests)"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        default=DEFAULT_WEEKDAY,
        help_text=_(
            "For the weekly digests only. Without a rule, the overdue digest goes out on "
            "Monday and the chairs' and secretariat's digest on Friday."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "reason"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "reason"],
                name="one_reminder_rule_per_reason",
                violation_error_message=_("This forum already has a rule for this reason."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.forum}: {self.get_reason_display()}"

    @property
    def days(self) -> tuple[int, ...]:
        return parse_day_offsets(self.days_before)


class Reminder(models.Model):
    """The ledger: one message to one person about one thing for one reason on one day.

    The unique constraint makes planning idempotent (two sweeps plan one row); a delivery
    job claims a row with a conditional UPDATE before it sends, so it is sent once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Claimed, sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="reminders",
        # The unique constraint's index leads with the person: a second one would only
        # cost every row planned another index entry.
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    subject = models.CharField(
        _("about"), max_length=40, help_text=_("task:12, meeting:3, or overdue (a digest).")
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below: most rows name a task, not a meeting
    )
    scheduled_for = models.DateField(_("day (recipient's calendar)"))
    days_before = models.PositiveSmallIntegerField(_("days before"), null=True, blank=True)
    send_after = models.DateTimeField(_("send after"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for", "person", "reason"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reason", "subject", "scheduled_for"],
                name="one_reminder_per_person_subject_reason_day",
            )
        ]
        indexes = [
            # The sweep's "what is due now": pending rows by send time (a partial index
            # stays small however long the ledger grows).
            models.Index(
                fields=["send_after"],
                condition=Q(status="pending"),
                name="reminder_pending_due",
            ),
            # The sweep's "claims that never finished".
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="reminder_stale_claims",
            ),
            # A meeting's reminders (removed with it): only the rows that name one are
            # entered, not the tasks' rows planned by the hundred thousand.
            models.Index(
                fields=["meeting"],
                condition=Q(meeting__isnull=False),
                name="reminder_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.person} ({self.scheduled_for})"

    @property
    def message_id(self) -> str:
        """Stable per row: a message sent again after a crash is the same message."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "talanoa"
        return f"<reminder-{self.pk}@{domain}>"


class ReminderSweep(models.Model):
    """The watermark of incremental planning: one row, written with what a sweep planned.

    `planned_for` is the instant the sweep planned for (each person's today follows
    from it); `started_at` the clock when it began, from which the next sweep reads the
    tasks and updates written since (less an overlap, for transactions still open then);
    `migrations` how many migrations were applied then (a new one: a full sweep).
    """

    planned_for = models.DateTimeField(_("planned for"), null=True)
    started_at = models.DateTimeField(_("started at"), null=True)
    migrations = models.PositiveIntegerField(_("migrations applied"), null=True)

    class Meta:
        verbose_name = _("reminder sweep")
        verbose_name_plural = _("reminder sweeps")

    def __str__(self) -> str:
        return f"{self.planned_for}"


class ReminderSweepInput(models.Model):
    """What the last sweeps read of the inputs that carry no timestamp of their own.

    One row per person (their zone), seat, meeting, working group and reminder rule: a
    fingerprint of the fields planning reads. A sweep compares these with the tables and
    replans only what differs; nothing else writes them.
    """

    kind = models.CharField(_("kind"), max_length=10)
    item = models.BigIntegerField(_("item"))
    fingerprint = models.CharField(_("fingerprint"), max_length=200)

    class Meta:
        verbose_name = _("reminder sweep input")
        verbose_name_plural = _("reminder sweep inputs")
        constraints = [
            models.UniqueConstraint(fields=["kind", "item"], name="one_sweep_input_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.item}"


class ReminderPreference(models.Model):
    """What a person wants to receive, and the secret of their one-click unsubscribe link."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    meeting_digest = models.BooleanField(Reason.MEETING_DIGEST.label, default=True)
    task_due = models.BooleanField(Reason.TASK_DUE.label, default=True)
    overdue_digest = models.BooleanField(Reason.OVERDUE_DIGEST.label, default=True)
    meeting_brief = models.BooleanField(Reason.MEETING_BRIEF.label, default=True)
    # A default in the database too: rows written by SQL (the benchmark's) need no change.
    weekly_digest = models.BooleanField(Reason.WEEKLY_DIGEST.label, default=True, db_default=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return _("Reminders for %(person)s") % {"person": self.person}

    def wants(self, reason: str) -> bool:
        return bool(getattr(self, reason))


# --- calendar feed -----------------------------------------------------------------------


class CalendarFeed(models.Model):
    """The secret of a person's private iCalendar URL (workinggroups/calendar.py).

    Calendar programs subscribe without signing in, so the token alone authorises the
    feed: 256 random bits. Revoking replaces it; the old URL then finds nothing.
    """

    # secrets.token_urlsafe(32) is 43 characters.
    TOKEN_MIN_LENGTH = 43

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        validators=[MinLengthValidator(TOKEN_MIN_LENGTH)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(
        _("last revoked"),
        null=True,
        blank=True,
        help_text=_("When the previous address stopped working."),
    )
    # Who revoked and when is history; the secrets themselves are not kept there.
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return _("Calendar feed of %(person)s") % {"person": self.person}
