"""Where an outcome stands: derived in the database from the work serving it.

The one home of the rule (DESIGN.md, "Implementation"). An outcome is served by every task
that names it or one of its sub-items, each task counted once however many of those items
it names. Within the reader's visibility only: a figure counts the work the reader may
read, so a delegate's figure can be lower than the secretariat's, and the pages say so.

- Each task weighs the same. A task ready for ratification or ratified counts 100%, any
  other open task its own progress %. Withdrawn work counts for nothing, in neither the
  figure nor the totals: the meeting dropped it.
- A parent rolls up its children through their tasks: it is served by its own work and
  all of theirs, so its figure is the mean over that whole set, not a mean of means.
- The state, first that applies: no work assigned (no task, or all withdrawn); stalled
  (any open task stalled, TaskQuerySet.stalled); done (every task ratified); ready for
  ratification (every task ready or ratified); not started (every task not started);
  under way.

Every figure is a correlated subquery of the outcome row, so a list of outcomes costs the
same number of queries at 10 rows as at 500. docs/implementation.md explains the rule with
the demo's figures; bench/floor.py writes it out in SQL (a test holds the two equal).
"""

import datetime

from django.db import models
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinggroups.models import Task, TaskUpdate

# Sub-items nest three deep in the documents recorded (3(2)(a)); a fourth level is allowed.
NESTING = 4


class State(models.TextChoices):
    NO_WORK = "no_work", _("No work assigned")
    NOT_STARTED = "not_started", _("Not started")
    UNDER_WAY = "under_way", _("Under way")
    READY = "ready", _("Ready for ratification")
    DONE = "done", _("Done")
    STALLED = "stalled", _("Stalled")


class _Scalar(Func):
    """An aggregate over a whole subquery, with no GROUP BY (one value per outer row)."""

    output_field = IntegerField()


# The link from a task to the outer outcome, directly or through its sub-items.
_NAMES = (
    "outcome_id",
    *(f"outcome__{'parent__' * depth}parent_id" for depth in range(NESTING - 1)),
)


def serving(task_ref: str = "pk") -> Exists:
    """A filter on tasks (or on rows with a task at `task_ref`): the task names the outer
    outcome or one of its sub-items."""
    names = Q()
    for name in _NAMES:
        names |= Q(**{name: OuterRef(OuterRef("pk"))})
    return Exists(Task.outcomes.through.objects.filter(names, task_id=OuterRef(task_ref)))


def _count(tasks, condition: Q | None = None) -> Coalesce:
    counted = Case(When(condition, then=Value(1)), default=Value(0)) if condition else Value(1)
    return Coalesce(Subquery(tasks.annotate(n=_Scalar(counted, function="SUM")).values("n")), 0)


def work_serving(reader, *, at_most: int | None = None):
    """The work counted for the outer outcome: what `reader` may read of the tasks serving
    it or its sub-items, withdrawn work left out; none above the TLP level `at_most`."""
    tasks = Task.objects.visible_to(reader)
    if at_most is not None:
        tasks = tasks.filter(tlp__lte=at_most, working_group__tlp__lte=at_most)
    return tasks.filter(serving()).exclude(status=Task.Status.WITHDRAWN).order_by()


def has_stalled_work(reader, now: datetime.datetime | None = None) -> Exists:
    """A filter on outcomes: some work serving it is stalled (its `work_stalled` > 0)."""
    return Exists(work_serving(reader).stalled(reader, now or timezone.now()))


def has_overdue_work(reader, now: datetime.datetime | None = None) -> Exists:
    """A filter on outcomes: some work serving it is overdue (TaskQuerySet.overdue)."""
    return Exists(work_serving(reader).overdue(now or timezone.now()))


def with_implementation(
    outcomes, reader, now: datetime.datetime | None = None, *, at_most: int | None = None
):
    """Annotate each outcome with its implementation as `reader` may know it:
    `work_total`, `work_open`, `work_stalled`, `progress` (0 to 100, None without work),
    `last_moved_at` and `implementation` (a State).

    `at_most`, a TLP level, is for a document written for an audience (the chair's report):
    work and updates above it count for nothing, as if the reader could not see them.
    """
    now = now or timezone.now()
    tasks = work_serving(reader, at_most=at_most)
    updates = TaskUpdate.objects.visible_to(reader)
    if at_most is not None:
        updates = updates.filter(
            tlp__lte=at_most, task__tlp__lte=at_most, task__working_group__tlp__lte=at_most
        )
    done = Case(
        When(status__in=Task.DONE_STATUSES, then=Value(100)),
        default=F("progress"),
        output_field=IntegerField(),
    )
    progress_sum = Subquery(tasks.annotate(n=_Scalar(done, function="SUM")).values("n"))
    newest = (
        updates.filter(serving("task_id"))
        .exclude(task__status=Task.Status.WITHDRAWN)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    stalled = tasks.stalled(reader, now, at_most=at_most).annotate(
        n=_Scalar(Value(1), function="COUNT")
    )
    annotated = outcomes.annotate(
        work_total=_count(tasks),
        work_open=_count(tasks, Q(status__in=Task.OPEN_STATUSES)),
        work_not_started=_count(tasks, Q(status=Task.Status.NOT_STARTED)),
        work_ready=_count(tasks, Q(status=Task.Status.READY)),
        work_ratified=_count(tasks, Q(status=Task.Status.RATIFIED)),
        work_stalled=Coalesce(Subquery(stalled.values("n")), 0),
        progress_sum=progress_sum,
        last_moved_at=Subquery(newest),
    )
    return annotated.annotate(
        progress=Case(
            When(work_total=0, then=Value(None)),
            default=Round(F("progress_sum") * 1.0 / F("work_total")),
            output_field=IntegerField(),
        ),
        implementation=state_expression(),
    )


def state_expression() -> Case:
    """The state from the counts annotated by with_implementation (first that applies)."""
    return Case(
        When(work_total=0, then=Value(State.NO_WORK)),
        When(work_stalled__gt=0, then=Value(State.STALLED)),
        When(work_ratified=F("work_total"), then=Value(State.DONE)),
        When(work_ready=F("work_total") - F("work_ratified"), then=Value(State.READY)),
        When(work_not_started=F("work_total"), then=Value(State.NOT_STARTED)),
        default=Value(State.UNDER_WAY),
        output_field=models.CharField(),
    )
