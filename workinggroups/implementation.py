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
- The state, first that applies (STATE_ORDER, read by the SQL and the Python below
  alike): no work assigned (no task, or all withdrawn); stalled (any open task stalled,
  TaskQuerySet.stalled); done (every task ratified); ready for ratification (every task
  ready or ratified); not started (every task not started); under way.

The same figures by four ways, each costing the same number of queries at 10 rows as at
500:

- `row_figures`, annotations of a page's own query (the API's list and detail): a
  correlated subquery a row, walking down from the outcome along the parent index, so
  the page and its figures are one query. Only for the rows a page shows.
- `standings` (and `with_standings`, which sets them on model instances) for the rows a
  page, a list or a report shows from models: the (outcome, task) pairs of exactly those
  outcomes are read once, the work they name once, and the figures are added up here.
- `in_states`, `has_stalled_work`, `has_overdue_work`: filters for a whole list (the
  API's `?state=`, `?stalled=`, `?overdue=`, the admin's "proposed"), each a set of
  outcomes read once for all rows (`served_by`), never a subquery a row.
- `with_implementation`, the figures as annotations, for where SQL must sort on them (the
  admin's column): a correlated subquery a figure, so every row asked pays for them.

docs/implementation.md explains the rule with the demo's figures; bench/floor.py writes it
out in SQL (tests hold the three equal).
"""

import dataclasses
import datetime
import functools
import operator
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from django.db import models
from django.db.models import (
    Case,
    DateTimeField,
    Expression,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.json_sql import JSONObject, decoded
from outcomes.models import Outcome
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


def work_serving(reader, *, at_most: int | None = None, depth: int = 0):
    """The work counted for the outcome of the row `depth` queries out (0: the query this
    one is a subquery of): the countable work serving it or its sub-items."""
    outcome: OuterRef | str = "pk"
    # Out of the links' query, out of the work's, then `depth` more.
    for _level in range(depth + 2):
        outcome = OuterRef(outcome)
    names = Task.outcomes.through.objects.filter(outcome_id__in=_OutcomeAndSubItems(outcome))
    return countable_work(reader, at_most=at_most).filter(pk__in=names.values("task_id"))


def visible_updates(reader, *, at_most: int | None = None):
    """The updates that may count as a movement: what `reader` may read, none above
    `at_most` (nor on work above it)."""
    updates = TaskUpdate.objects.visible_to(reader)
    if at_most is not None:
        updates = updates.filter(
            tlp__lte=at_most, task__tlp__lte=at_most, task__working_group__tlp__lte=at_most
        )
    return updates


def served_by(tasks) -> Q:
    """A filter on outcomes: some of these tasks serves it (names it or a sub-item). Set
    against the outcomes those tasks name and their ancestors, read once for every row
    rather than a subquery a row."""
    names = Task.outcomes.through.objects.filter(task_id__in=tasks.values("pk")).order_by()
    # Without NULLs (an outcome with no parent): a NOT IN with one would hold for nothing.
    branches = [names.filter(**{f"{name}__isnull": False}).values(name) for name in _NAMES]
    return Q(pk__in=branches[0].union(*branches[1:], all=True))


def has_stalled_work(reader, now: datetime.datetime | None = None) -> Q:
    """A filter on outcomes: some work serving it is stalled (its `work_stalled` > 0)."""
    return served_by(countable_work(reader).stalled(reader, now or timezone.now()))


def has_overdue_work(reader, now: datetime.datetime | None = None) -> Q:
    """A filter on outcomes: some work serving it is overdue (TaskQuerySet.overdue)."""
    return served_by(countable_work(reader).overdue(now or timezone.now()))


def in_states(reader, states: Iterable[str], now: datetime.datetime | None = None) -> Q:
    """A filter on outcomes: their state is one of these, as `reader` may know it. Each
    test of STATE_ORDER read as which work serves the outcome (none of it, some of it, or
    none outside it), each a set read once (served_by): an outcome's own figures would
    be a subquery for each row of the whole list."""
    work = countable_work(reader).with_stalled(reader, now or timezone.now())
    earlier = Q()
    found = Q(pk__in=[])
    for state, added, compared, other in STATE_ORDER:
        among = functools.reduce(operator.or_, (_FIGURE_WORK[name] for name in added))
        if other == "work_total":
            holds = ~served_by(work.exclude(among))  # all of its work among them
        elif compared == "gt":
            holds = served_by(work.filter(among))  # some of its work among them
        else:
            holds = ~served_by(work.filter(among))  # none of its work among them
        if state in states:
            found |= earlier & holds
        earlier &= ~holds
    if State.UNDER_WAY in states:
        found |= earlier
    return found


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
        updates.filter(task_id__in=work_serving(reader, at_most=at_most, depth=1).values("pk"))
        .order_by()
        .annotate(newest=_Scalar(F("created_at"), function="MAX", output_field=DateTimeField()))
        .values("newest")
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


# The state, first that applies (UNDER_WAY when none does): each a test on the figures
# counted for an outcome, (the figures added up, how they compare, with a figure or a
# number). The one home of the order: state_expression reads it for SQL, state_of for the
# figures in hand.
STATE_ORDER: tuple[tuple[State, tuple[str, ...], str, str | int], ...] = (
    (State.NO_WORK, ("work_total",), "exact", 0),
    (State.STALLED, ("work_stalled",), "gt", 0),
    (State.DONE, ("work_ratified",), "exact", "work_total"),
    (State.READY, ("work_ready", "work_ratified"), "exact", "work_total"),
    (State.NOT_STARTED, ("work_not_started",), "exact", "work_total"),
)
_LOOKUPS = {"exact": Exact, "gt": GreaterThan}
# The work each figure counts, as a filter on tasks annotated with_stalled.
_FIGURE_WORK = {
    "work_total": Q(),
    "work_stalled": Q(is_stalled=True),
    "work_not_started": Q(status=Task.Status.NOT_STARTED),
    "work_ready": Q(status=Task.Status.READY),
    "work_ratified": Q(status=Task.Status.RATIFIED),
}
_COMPARED = {"exact": operator.eq, "gt": operator.gt}


def state_expression() -> Case:
    """The state from the counts annotated by with_implementation (STATE_ORDER)."""
    whens = []
    for state, added, compared, other in STATE_ORDER:
        total = functools.reduce(operator.add, (F(name) for name in added))
        against = F(other) if isinstance(other, str) else Value(other)
        whens.append(When(_LOOKUPS[compared](total, against), then=Value(state)))
    return Case(*whens, default=Value(State.UNDER_WAY), output_field=models.CharField())


def state_of(figures: Mapping[str, int]) -> State:
    """The state from the counts in hand (STATE_ORDER)."""
    for state, added, compared, other in STATE_ORDER:
        against = figures[other] if isinstance(other, str) else other
        if _COMPARED[compared](sum(figures[name] for name in added), against):
            return state
    return State.UNDER_WAY


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
        return state_of(dataclasses.asdict(self))

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


class _OutcomeAndSubItems(Expression):
    """The ids of `outcome` (an expression) and of its sub-items, walked down the parent
    index a level at a time: a task's outcomes matched against the outcome at every level of
    their ancestry (`serving`) would read the whole link table for each outcome."""

    def __init__(self, outcome):
        super().__init__(output_field=IntegerField())
        self.outcome = outcome

    def get_source_expressions(self):
        return [self.outcome]

    def set_source_expressions(self, exprs):
        (self.outcome,) = exprs

    def as_sql(self, compiler, connection):
        outcome, params = compiler.compile(self.outcome)
        table = connection.ops.quote_name(Outcome._meta.db_table)
        branches = [f"SELECT {outcome}"]
        for depth in range(1, NESTING):
            joins = "".join(
                f" JOIN {table} c{n} ON c{n}.parent_id = c{n - 1}.id" for n in range(2, depth + 1)
            )
            branches.append(
                f"SELECT c{depth}.id FROM {table} c1{joins} WHERE c1.parent_id = {outcome}"
            )
        return f"({' UNION ALL '.join(branches)})", tuple(params) * NESTING


def _counted(condition: Q | None = None) -> Func:
    counted = Value(1) if condition is None else Case(When(condition, then=Value(1)))
    return _Scalar(counted, function="COUNT")


def row_figures(reader, now: datetime.datetime | None = None) -> dict:
    """with_implementation's figures for the rows a page shows, as one annotation,
    `implementation_figures`: Standing's fields as a JSON object. A correlated subquery
    that each row asked pays for: for the rows of a page, never to filter or sort a whole
    list on."""
    now = now or timezone.now()
    done = Case(
        When(status__in=Task.DONE_STATUSES, then=Value(100)),
        default=F("progress"),
        output_field=IntegerField(),
    )
    # Each task's own newest update (by the task's index), the newest of them taken below:
    # the newest of all the updates under the outcome, asked at once, reads every update.
    newest = (
        visible_updates(reader)
        .filter(task_id=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    figures = JSONObject(
        work_total=_counted(),
        work_open=_counted(Q(status__in=Task.OPEN_STATUSES)),
        work_not_started=_counted(Q(status=Task.Status.NOT_STARTED)),
        work_ready=_counted(Q(status=Task.Status.READY)),
        work_ratified=_counted(Q(status=Task.Status.RATIFIED)),
        work_stalled=_counted(Q(is_stalled=True)),
        progress_sum=_Scalar(done, function="SUM"),
        last_moved_at=_Scalar(F("newest_update"), function="MAX", output_field=DateTimeField()),
    )
    counts = (
        work_serving(reader)
        .with_stalled(reader, now)
        .annotate(newest_update=Subquery(newest))
        .annotate(figures=figures)
    )
    return {"implementation_figures": Subquery(counts.values("figures"), output_field=TextField())}


def row_standing(row: Mapping) -> Standing:
    """The Standing of a row annotated with row_figures."""
    figures = decoded(row["implementation_figures"])
    moved = figures.pop("last_moved_at")
    if moved is not None:
        # Written out by the database: ISO 8601, in UTC (SQLite's without its offset).
        moved = datetime.datetime.fromisoformat(moved)
        moved = moved if moved.tzinfo else moved.replace(tzinfo=datetime.UTC)
    return Standing(**figures, last_moved_at=moved)


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
