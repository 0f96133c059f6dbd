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

Two ways to the same figures, each costing the same number of queries at 10 rows as at 500:

- `standings` (and `with_standings`, which sets them on model instances) for the rows a
  page, a list or a report shows: the (outcome, task) pairs of exactly those outcomes are
  read once, the work they name once, and the figures are added up here. One pass over
  the work, however many rows.
- `with_implementation`, the same figures as annotations, for where SQL must filter or
  sort on them (the API's `?state=`, the admin's filter and column): a correlated subquery
  a figure, so every row asked pays for them. Never for rows only shown.

docs/implementation.md explains the rule with the demo's figures; bench/floor.py writes it
out in SQL (tests hold the three equal).
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
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


def countable_work(reader, *, at_most: int | None = None):
    """The work that may count: what `reader` may read, withdrawn work left out; none above
    the TLP level `at_most`."""
    tasks = Task.objects.visible_to(reader)
    if at_most is not None:
        tasks = tasks.filter(tlp__lte=at_most, working_group__tlp__lte=at_most)
    return tasks.exclude(status=Task.Status.WITHDRAWN).order_by()


def work_serving(reader, *, at_most: int | None = None):
    """The work counted for the outer outcome: the countable work serving it or its
    sub-items."""
    return countable_work(reader, at_most=at_most).filter(serving())


def visible_updates(reader, *, at_most: int | None = None):
    """The updates that may count as a movement: what `reader` may read, none above
    `at_most` (nor on work above it)."""
    updates = TaskUpdate.objects.visible_to(reader)
    if at_most is not None:
        updates = updates.filter(
            tlp__lte=at_most, task__tlp__lte=at_most, task__working_group__tlp__lte=at_most
        )
    return updates


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

    Each figure is a correlated subquery that every row asked pays for: for filtering or
    sorting on them in SQL; rows only shown read theirs with `with_standings`.
    """
    now = now or timezone.now()
    tasks = work_serving(reader, at_most=at_most)
    updates = visible_updates(reader, at_most=at_most)
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


@dataclasses.dataclass
class Standing:
    """Where one outcome stands: the figures with_implementation annotates, by name."""

    work_total: int = 0
    work_open: int = 0
    work_not_started: int = 0
    work_ready: int = 0
    work_ratified: int = 0
    work_stalled: int = 0
    progress_sum: int | None = None  # as SQL's SUM: none without work
    last_moved_at: datetime.datetime | None = None

    @property
    def progress(self) -> int | None:
        if not self.work_total:
            return None
        assert self.progress_sum is not None  # some work was added up
        # SQL's ROUND, half away from zero (Python's round() goes half to even), exactly.
        return (2 * self.progress_sum + self.work_total) // (2 * self.work_total)

    @property
    def implementation(self) -> State:
        """state_expression, on the counts in hand (first that applies)."""
        if not self.work_total:
            return State.NO_WORK
        if self.work_stalled:
            return State.STALLED
        if self.work_ratified == self.work_total:
            return State.DONE
        if self.work_ready == self.work_total - self.work_ratified:
            return State.READY
        if self.work_not_started == self.work_total:
            return State.NOT_STARTED
        return State.UNDER_WAY

    def add(self, status: str, progress: int, stalled: bool, moved) -> None:
        """Count one task serving the outcome."""
        self.work_total += 1
        self.work_open += status in Task.OPEN_STATUSES
        self.work_not_started += status == Task.Status.NOT_STARTED
        self.work_ready += status == Task.Status.READY
        self.work_ratified += status == Task.Status.RATIFIED
        self.work_stalled += stalled
        self.progress_sum = (self.progress_sum or 0) + (
            100 if status in Task.DONE_STATUSES else progress
        )
        if moved is not None and (self.last_moved_at is None or moved > self.last_moved_at):
            self.last_moved_at = moved


def _serving_pairs(outcome_ids: Collection[int]) -> dict[int, set[int]]:
    """For each task naming one of these outcomes or their sub-items, the outcomes among
    them it serves: one query, a branch a level of nesting (each an index look-up, where
    one condition OR-ing the four levels would read the whole link table)."""
    links = Task.outcomes.through.objects.order_by()
    branches = [
        links.filter(**{f"{name}__in": outcome_ids}).values_list("task_id", F(name))
        for name in _NAMES
    ]
    serves: dict[int, set[int]] = defaultdict(set)
    # A set: a task naming an outcome and its sub-item counts once for the outcome.
    for task_id, outcome_id in branches[0].union(*branches[1:], all=True):
        serves[task_id].add(outcome_id)
    return serves


def standings(
    outcome_ids: Iterable[int],
    reader,
    now: datetime.datetime | None = None,
    *,
    at_most: int | None = None,
) -> dict[int, Standing]:
    """Where each of these outcomes stands as `reader` may know it (with_implementation's
    figures), in four queries whatever their number: the tasks serving them, the figures of
    those `reader` may count, which of them are stalled, and their last movements."""
    ids = sorted(set(outcome_ids))
    result = {outcome_id: Standing() for outcome_id in ids}
    if not ids:
        return result
    serves = _serving_pairs(ids)
    work = countable_work(reader, at_most=at_most).filter(pk__in=sorted(serves))
    stalled = set(
        work.stalled(reader, now or timezone.now(), at_most=at_most).values_list("pk", flat=True)
    )
    moved = dict(
        visible_updates(reader, at_most=at_most)
        .filter(task_id__in=sorted(serves))
        .order_by()
        .values("task_id")
        .annotate(newest=Max("created_at"))
        .values_list("task_id", "newest")
    )
    for task_id, status, progress in work.values_list("pk", "status", "progress"):
        for outcome_id in serves[task_id]:
            result[outcome_id].add(status, progress, task_id in stalled, moved.get(task_id))
    return result


STANDING_FIGURES = (
    *(field.name for field in dataclasses.fields(Standing)),
    "progress",
    "implementation",
)


def with_standings(
    outcomes: Iterable, reader, now: datetime.datetime | None = None, *, at_most=None
) -> list:
    """These outcomes (model instances), each given the attributes with_implementation
    annotates, read for exactly them (standings)."""
    outcomes = list(outcomes)
    found = standings((outcome.pk for outcome in outcomes), reader, now, at_most=at_most)
    for outcome in outcomes:
        standing = found[outcome.pk]
        for name in STANDING_FIGURES:
            setattr(outcome, name, getattr(standing, name))
    return outcomes
