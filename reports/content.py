"""What the chair's report says, computed once; HTML, PDF and DOCX only lay it out.

Every figure, name and sentence comes from `build_report`, so the three formats say the
same thing. It reads only what the person asking may see (`visible_to`) AND what the
chosen audience level allows (TLP ≤ level, never RED): nothing above the level appears,
not in a list, a count or a chart.

Queries are a fixed number, whatever the number of outcomes and tasks.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from forums.access import audience_of
from forums.dates import format_date
from forums.models import Chair, Forum, Hosting, HostingChange, Meeting, day_at_venue
from forums.tlp import TLP
from outcomes.lineage import links_out
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from workinggroups.implementation import State, with_implementation
from workinggroups.models import Task, TaskQuerySet, TaskUpdate, WorkingGroup, serving_links

# The audiences a report is written for (RED is for named people, never for a report).
LEVELS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)
# The state of implementation cites each outcome by its opening words: the full text is
# in the documents section, and the main body stays short (DESIGN.md, "Leaders' brief").
IMPLEMENTATION_TEXT_CHARS = 160


@dataclass(frozen=True)
class Count:
    label: str
    value: int


@dataclass(frozen=True)
class Bar:
    """One row of the implementation chart: a document's outcomes or a group's tasks."""

    label: str
    parts: list[Count]  # in a fixed order of statuses, zeros included

    @property
    def total(self) -> int:
        return sum(part.value for part in self.parts)


@dataclass(frozen=True)
class OutcomeLine:
    code: str
    number: str
    kind: str
    status: str
    text: str
    depth: int


@dataclass(frozen=True)
class DocumentSection:
    title: str
    code: str
    kind: str
    outcomes: list[OutcomeLine]


@dataclass(frozen=True)
class TaskLine:
    title: str
    group: str
    lead: str
    due: str
    status: str
    progress: int
    latest: str  # the latest update the audience may read: "2023-10-02: note"
    outcomes: list[str]


@dataclass(frozen=True)
class LineageItem:
    """An earlier outcome this meeting reaffirmed or acted on, and what became of it."""

    code: str
    label: str
    text: str
    status: str
    acted_on_by: list[str]  # "JHOPS/5/6 reaffirms", …
    tasks: list[TaskLine]


@dataclass(frozen=True)
class GroupSection:
    name: str
    mandate: str
    reports_to: str
    tasks: list[TaskLine]


@dataclass(frozen=True)
class ImplementationLine:
    """Where an outcome stands, derived from the work serving it (workinggroups.implementation)."""

    code: str
    label: str  # "Denarau Outcome 16"
    text: str
    state: str  # "Stalled"
    progress: str  # "40%", or "—" with no work
    work: str  # "3 of 4 tasks open"
    last_moved: str  # the day of the newest update the audience may read
    depth: int


@dataclass(frozen=True)
class HostingLine:
    member: str
    status: str
    history: str  # "planned (24 Aug 2023) → withdrawn"


@dataclass
class Report:
    forum: str
    forum_acronym: str
    meeting: str
    sequence: int
    venue: str
    dates: str
    chairs: list[str]
    host: str
    as_of: datetime.date
    level: TLP
    stalled_after_days: int  # the forum's: open work with no update this long is stalled
    outcomes_by_kind: list[Count] = field(default_factory=list)
    earlier_by_status: list[Count] = field(default_factory=list)
    tasks_by_status: list[Count] = field(default_factory=list)
    overdue_count: int = 0
    blocked_count: int = 0
    stalled_count: int = 0
    chart_by_document: list[Bar] = field(default_factory=list)
    chart_by_group: list[Bar] = field(default_factory=list)
    documents: list[DocumentSection] = field(default_factory=list)
    lineage: list[LineageItem] = field(default_factory=list)
    groups: list[GroupSection] = field(default_factory=list)
    # This meeting's outcomes, then the forum's earlier outcomes still active.
    implementation: list[ImplementationLine] = field(default_factory=list)
    implementation_earlier: list[ImplementationLine] = field(default_factory=list)
    ready: list[TaskLine] = field(default_factory=list)
    blocked: list[TaskLine] = field(default_factory=list)
    overdue: list[TaskLine] = field(default_factory=list)
    stalled: list[TaskLine] = field(default_factory=list)
    carried_over: list[TaskLine] = field(default_factory=list)
    next_meeting: str = ""
    next_hostings: list[HostingLine] = field(default_factory=list)
    hostings_after: list[HostingLine] = field(default_factory=list)

    @property
    def marking(self) -> str:
        return self.level.label

    @property
    def title(self) -> str:
        return f"Chair's report: {self.meeting}"

    @property
    def rows(self) -> int:
        """The table rows its layout holds: outcomes, and task lines in every section.

        What the time to lay out a PDF or DOCX grows with (README, "Benchmark").
        """
        task_lists = [
            *(item.tasks for item in self.lineage),
            *(group.tasks for group in self.groups),
            self.ready,
            self.blocked,
            self.overdue,
            self.stalled,
            self.carried_over,
        ]
        outcomes = sum(len(document.outcomes) for document in self.documents)
        outcomes += len(self.implementation) + len(self.implementation_earlier)
        return outcomes + len(self.lineage) + sum(len(tasks) for tasks in task_lists)


def allowed_levels(user, meeting: Meeting) -> list[TLP]:
    """The levels this person may ask for: up to their clearance in the meeting's forum."""
    clearance = audience_of(user).clearance_in(meeting.forum_id)
    return [level for level in LEVELS if level <= clearance]


def check_level(user, meeting: Meeting, level: int) -> TLP:
    allowed = allowed_levels(user, meeting)
    if level not in allowed:
        names = ", ".join(label.name.lower() for label in allowed)
        raise ValidationError(
            {"tlp": [_("You may ask for a report at: %(levels)s.") % {"levels": names}]}
        )
    return TLP(level)


def _day(value: datetime.date | None) -> str:
    return format_date(value, "short") if value else "not set"


def _dates(meeting: Meeting) -> str:
    if meeting.start_date and meeting.end_date and meeting.end_date != meeting.start_date:
        return f"{_day(meeting.start_date)} \u2013 {_day(meeting.end_date)}"  # en dash
    if meeting.start_date:
        return _day(meeting.start_date)
    return meeting.dates_note or "dates not known"


def report_today() -> datetime.date:
    """The as-of day that covers everything recorded so far: today in UTC.

    A report's day ends at midnight UTC (`build_report`), whoever asks. The asker's own
    date would not do: west of Greenwich (the Cook Islands, Niue) it is still yesterday in
    UTC for much of their day, and a report as of it would leave out today's work.
    """
    return timezone.now().date()


def check_as_of(value: datetime.date) -> None:
    """A report is as of a day that has begun somewhere: the API's and the admin's rule."""
    # Tomorrow in UTC is today on the Pacific's side of the date line (UTC+14).
    if value > report_today() + datetime.timedelta(days=1):
        raise ValidationError(_("A report cannot be as of a day still to come."))


@dataclass(frozen=True)
class _Scope:
    """What every section of one report reads from: the meeting, whose eyes, which level,
    as of which day, and the outcomes and tasks that person may show at that level."""

    meeting: Meeting
    forum: Forum
    user: Any
    level: TLP
    as_of: datetime.date
    end_of_day: datetime.datetime  # the end of `as_of` in UTC: what was recorded by then
    outcomes: QuerySet[Outcome]
    tasks: TaskQuerySet

    @property
    def within(self) -> Q:
        return Q(tlp__lte=self.level)


@dataclass(frozen=True)
class _LineageSources:
    """The earlier outcomes this meeting's outcomes link to, and the tasks serving them."""

    links: list[OutcomeLink]
    outcomes: dict[int, Outcome]  # by id: linked one by one, or in a reaffirmed document
    serving_pairs: list[tuple[int, int]]  # (task id, outcome id), visible or not


@dataclass(frozen=True)
class _Work:
    """The visible tasks of the report, in group order, each with its line and status."""

    tasks: list[Task]
    task_ids: list[int]
    lines: dict[int, TaskLine]
    status: dict[int, str]  # as of the report's day
    overdue_ids: set[int]
    stalled_ids: set[int]
    carried_ids: set[int]


def build_report(*, meeting: Meeting, user, level: int, as_of: datetime.date) -> Report:
    """Everything the chair's report says about `meeting`, as `user` may tell `level`."""
    scope = _scope(meeting, user, check_level(user, meeting, level), as_of)
    report = _cover(scope)
    adopted = _adopted_documents(scope, report)
    report.earlier_by_status = _earlier_by_status(scope)
    groups = _groups(scope)
    sources = _lineage_sources(scope, adopted)
    work = _work(scope, groups, sources)
    _work_section(report, groups, work)
    report.lineage = _lineage(sources, work)
    _implementation(scope, report)
    _attention(scope, report, work)
    _next_meetings(scope, report)
    return report


def _scope(meeting: Meeting, user, level: TLP, as_of: datetime.date) -> _Scope:
    within = Q(tlp__lte=level)
    end_of_day = datetime.datetime.combine(
        as_of + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    return _Scope(
        meeting=meeting,
        forum=meeting.forum,
        user=user,
        level=level,
        as_of=as_of,
        end_of_day=end_of_day,
        outcomes=Outcome.objects.visible_to(user).filter(within, document__tlp__lte=level),
        tasks=Task.objects.visible_to(user)
        .filter(within, working_group__tlp__lte=level, created_at__lt=end_of_day)
        .select_related("working_group", "lead", "reports_to__forum"),
    )


def _cover(scope: _Scope) -> Report:
    """The report with its cover filled in: forum, meeting, venue, dates, chairs, host."""
    meeting = scope.meeting
    chairs = [
        f"{chair.office or chair.member.name} ({chair.member.name})"
        if chair.office
        else chair.member.name
        for chair in Chair.objects.filter(meeting=meeting).select_related("member")
    ]
    host = Meeting.objects.with_host_name().get(pk=meeting.pk).host_name or "not recorded"
    return Report(
        forum=scope.forum.name,
        forum_acronym=scope.forum.acronym,
        meeting=str(meeting),
        sequence=meeting.sequence,
        venue=", ".join(x for x in (meeting.venue, meeting.country.name) if x) or "not known",
        dates=_dates(meeting),
        chairs=chairs or ["not recorded"],
        host=host,
        as_of=scope.as_of,
        level=scope.level,
        stalled_after_days=scope.forum.stalled_after_days,
    )


def _adopted_documents(scope: _Scope, report: Report) -> list[Outcome]:
    """The outcomes adopted at this meeting, in document order: counted, listed, charted."""
    documents = list(
        OutcomeDocument.objects.visible_to(scope.user)
        .filter(scope.within, meeting=scope.meeting)
        .order_by("code")
    )
    adopted = list(
        scope.outcomes.filter(document__in=documents)
        .select_related("parent")
        .order_by("document__code", "position")
    )
    by_document: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in adopted:
        by_document[outcome.document_id].append(outcome)
    kinds = dict(Outcome.Kind.choices)
    statuses = dict(Outcome.Status.choices)
    report.outcomes_by_kind = [
        Count(str(kinds.get(kind, "Not classified")), n)
        for kind, n in sorted(Counter(o.kind for o in adopted).items())
    ]
    report.documents = [
        DocumentSection(
            title=document.title,
            code=document.code,
            kind=document.get_kind_display(),
            outcomes=[_outcome_line(o, kinds, statuses) for o in by_document[document.pk]],
        )
        for document in documents
    ]
    report.chart_by_document = [
        Bar(
            label=document.short_title or document.title,
            parts=[
                Count(str(label), sum(1 for o in by_document[document.pk] if o.status == value))
                for value, label in Outcome.Status.choices
            ],
        )
        for document in documents
    ]
    return adopted


def _outcome_line(outcome: Outcome, kinds: dict, statuses: dict) -> OutcomeLine:
    return OutcomeLine(
        code=outcome.citation_code,
        number=outcome.number,
        kind=str(kinds.get(outcome.kind, "—")),
        status=str(statuses[outcome.status]),
        text=outcome.text,
        depth=1 if outcome.parent_id else 0,
    )


def _earlier_by_status(scope: _Scope) -> list[Count]:
    """The forum's earlier outcomes, counted by their implementation status."""
    earlier = scope.outcomes.filter(
        document__meeting__forum=scope.forum,
        document__meeting__sequence__lt=scope.meeting.sequence,
    )
    counts = Counter(earlier.values_list("status", flat=True))
    return [Count(str(label), counts.get(value, 0)) for value, label in Outcome.Status.choices]


def _groups(scope: _Scope) -> list[WorkingGroup]:
    """The working groups this meeting set up or that report to it, by name."""
    return list(
        WorkingGroup.objects.visible_to(scope.user)
        .filter(scope.within)
        .filter(Q(established_by=scope.meeting) | Q(reports_to=scope.meeting))
        .select_related("reports_to__forum")
        .order_by("name")
    )


def _lineage_sources(scope: _Scope, adopted: list[Outcome]) -> _LineageSources:
    links = list(links_out([o.pk for o in adopted], scope.user, at_most=scope.level))
    # An earlier document reaffirmed as a whole brings its outcomes into the lineage.
    reaffirmed_documents = {
        link.target_document_id: link for link in links if link.target_document_id
    }
    outcomes: dict[int, Outcome] = {
        link.target_outcome_id: link.target_outcome for link in links if link.target_outcome_id
    }
    for outcome in scope.outcomes.filter(document__in=reaffirmed_documents).select_related(
        "document"
    ):
        outcomes.setdefault(outcome.pk, outcome)
    # Which tasks serve a lineage outcome is asked first, by outcome: an OR across a join
    # on task_outcomes made PostgreSQL read every task.
    pairs = list(serving_links(list(outcomes)).values_list("task_id", "outcome_id"))
    return _LineageSources(links=links, outcomes=outcomes, serving_pairs=pairs)


def _work(scope: _Scope, groups: list[WorkingGroup], sources: _LineageSources) -> _Work:
    """The tasks of these groups and those serving the lineage, as they stood on `as_of`."""
    serving = {task_id for task_id, _ in sources.serving_pairs}
    tasks = list(
        scope.tasks.filter(Q(working_group__in=groups) | Q(pk__in=serving)).order_by(
            "working_group__name", "pk"
        )
    )
    task_ids = [t.pk for t in tasks]
    end_of_day = scope.end_of_day
    status_as_of = _status_as_of(task_ids, end_of_day) if scope.as_of < report_today() else {}
    latest = _latest_updates(scope.user, task_ids, scope.level, end_of_day)
    codes = _outcome_codes(task_ids, scope.outcomes)
    status = {t.pk: status_as_of.get(t.pk, (t.status, t.progress))[0] for t in tasks}
    # Open on the report's day, and so by the definitions (which read today's status).
    still_open = {t for t, value in status.items() if value in Task.OPEN_STATUSES}
    return _Work(
        tasks=tasks,
        task_ids=task_ids,
        lines={
            task.pk: _task_line(
                task, status_as_of.get(task.pk), latest.get(task.pk), codes[task.pk]
            )
            for task in tasks
        },
        status=status,
        **_attention_ids(scope, task_ids, still_open),
    )


def _attention_ids(scope: _Scope, task_ids: list[int], still_open: set[int]) -> dict:
    """Which of the report's tasks are overdue, stalled and carried over at the end of its
    day, by the one definition of each (workinggroups.models), within the report's level."""
    end_of_day = scope.end_of_day
    tasks = scope.tasks.filter(pk__in=task_ids)
    # Carried over: its meeting has been held, and the work is still open.
    held = Meeting.objects.held(day_at_venue(end_of_day)).values("pk")
    return {
        name: still_open & set(queryset.values_list("pk", flat=True))
        for name, queryset in (
            ("overdue_ids", tasks.overdue(end_of_day)),
            ("stalled_ids", tasks.stalled(scope.user, end_of_day, at_most=scope.level)),
            ("carried_ids", tasks.filter(reports_to__in=held)),
        )
    }


def _work_section(report: Report, groups: list[WorkingGroup], work: _Work) -> None:
    """The tasks counted by status, and each group with its tasks and its bar."""
    counts = Counter(work.status.values())
    # Each group's tasks and counts in one pass, not by filtering every task once per
    # group (and again per status for the chart): that grows with groups times tasks.
    tasks_of_group: dict[int, list[Task]] = defaultdict(list)
    for task in work.tasks:
        tasks_of_group[task.working_group_id].append(task)
    counts_of_group = Counter((task.working_group_id, work.status[task.pk]) for task in work.tasks)
    report.tasks_by_status = [
        Count(str(label), counts.get(value, 0)) for value, label in Task.Status.choices
    ]
    report.blocked_count = counts.get(Task.Status.BLOCKED, 0)
    report.overdue_count = len(work.overdue_ids)
    report.stalled_count = len(work.stalled_ids)
    report.groups = [
        GroupSection(
            name=group.name,
            mandate=group.mandate,
            reports_to=str(group.reports_to) if group.reports_to else "not set",
            tasks=[work.lines[task.pk] for task in tasks_of_group[group.pk]],
        )
        for group in groups
    ]
    report.chart_by_group = [
        Bar(
            label=group.name,
            parts=[
                Count(str(label), counts_of_group[group.pk, value])
                for value, label in Task.Status.choices
            ],
        )
        for group in groups
    ]


def _lineage(sources: _LineageSources, work: _Work) -> list[LineageItem]:
    """Each earlier outcome, who acted on it here, and the visible work that serves it."""
    serving: dict[int, list[int]] = defaultdict(list)
    for task_id, outcome_id in sources.serving_pairs:
        if task_id in work.lines:  # visible
            serving[outcome_id].append(task_id)
    acted = _acted_on_by(sources)
    statuses = dict(Outcome.Status.choices)
    return [
        LineageItem(
            code=outcome.citation_code,
            label=outcome.label,
            text=outcome.text,
            status=str(statuses[outcome.status]),
            acted_on_by=sorted(set(acted[outcome.pk])),
            tasks=[work.lines[t] for t in sorted(serving[outcome.pk])],
        )
        for outcome in sorted(sources.outcomes.values(), key=lambda o: (o.document_id, o.position))
    ]


def _acted_on_by(sources: _LineageSources) -> dict[int, list[str]]:
    """For each lineage outcome, the links of this meeting that reach it, in words."""
    acted: dict[int, list[str]] = defaultdict(list)
    for link in sources.links:
        if link.target_outcome_id:
            acted[link.target_outcome_id].append(
                f"{link.source.citation_code} {link.get_kind_display()}"
            )
            continue
        assert link.target_document is not None  # a link has exactly one target
        for outcome_id, outcome in sources.outcomes.items():
            if outcome.document_id == link.target_document_id:
                acted[outcome_id].append(
                    f"{link.source.citation_code} {link.get_kind_display()} "
                    f"the {link.target_document.title}"
                )
    return acted


def _attention(scope: _Scope, report: Report, work: _Work) -> None:
    """For the leaders' attention: ready, blocked, overdue, stalled and carried-over tasks."""
    lines, status, task_ids = work.lines, work.status, work.task_ids
    report.ready = [lines[t] for t in task_ids if status[t] == Task.Status.READY]
    report.blocked = [lines[t] for t in task_ids if status[t] == Task.Status.BLOCKED]
    report.overdue = [lines[t] for t in task_ids if t in work.overdue_ids]
    report.stalled = [lines[t] for t in task_ids if t in work.stalled_ids]
    report.carried_over = [lines[t] for t in task_ids if t in work.carried_ids]


def _implementation(scope: _Scope, report: Report) -> None:
    """Where this meeting's outcomes, and the forum's earlier ones still active, stand: the
    state and figure of workinggroups.implementation, counting only work within the level."""
    earlier = Q(
        document__meeting__forum=scope.forum,
        document__meeting__sequence__lt=scope.meeting.sequence,
        status=Outcome.Status.ACTIVE,
    )
    outcomes = with_implementation(
        scope.outcomes.filter(Q(document__meeting=scope.meeting) | earlier),
        scope.user,
        scope.end_of_day,
        at_most=scope.level,
    ).select_related("document__meeting")
    states = dict(State.choices)
    for outcome in outcomes.order_by("document__meeting__sequence", "document__code", "position"):
        line = ImplementationLine(
            code=outcome.citation_code,
            label=outcome.label,
            text=Truncator(outcome.text).chars(IMPLEMENTATION_TEXT_CHARS),
            state=str(states[outcome.implementation]),
            progress="—" if outcome.progress is None else f"{outcome.progress}%",
            work=f"{outcome.work_open} of {outcome.work_total} open"
            if outcome.work_total
            else "no work",
            last_moved=_day(outcome.last_moved_at.date()) if outcome.last_moved_at else "—",
            depth=1 if outcome.parent_id else 0,
        )
        if outcome.document.meeting_id == scope.meeting.pk:
            report.implementation.append(line)
        else:
            report.implementation_earlier.append(line)


def _next_meetings(scope: _Scope, report: Report) -> None:
    """The next meeting and the one after, with every hosting as it stood on `as_of`."""
    following = list(
        Meeting.objects.filter(forum=scope.forum, sequence__gt=scope.meeting.sequence).order_by(
            "sequence"
        )[:2]
    )
    hosting_lines = _hostings_as_of([m.pk for m in following], scope.end_of_day)
    if following:
        report.next_meeting = f"{following[0]} — {_dates(following[0])}"
        report.next_hostings = hosting_lines.get(following[0].pk, [])
    if len(following) > 1:
        report.hostings_after = hosting_lines.get(following[1].pk, [])


def _task_line(task: Task, as_of: tuple[str, int] | None, latest: str | None, codes) -> TaskLine:
    status, progress = as_of or (task.status, task.progress)
    return TaskLine(
        title=task.title,
        group=task.working_group.name,
        lead=(task.lead.get_full_name() or task.lead.username) if task.lead else "—",
        due=_day(task.due_on) if task.due_on else "not set",
        status=str(Task.Status(status).label),
        progress=progress,
        latest=latest or "no update yet",
        outcomes=codes,
    )


def _status_as_of(task_ids, end_of_day) -> dict[int, tuple[str, int]]:
    """Each task's status and progress as its updates left it by the end of `as_of`."""
    result: dict[int, tuple[str, int]] = {}
    for task_id, status, progress in (
        TaskUpdate.objects.filter(task_id__in=task_ids, created_at__lt=end_of_day)
        .order_by("task_id", "created_at", "pk")
        .values_list("task_id", "status_to", "progress")
    ):
        result[task_id] = (status, progress)
    # A task with no update by then stood where every task starts.
    for task_id in task_ids:
        result.setdefault(task_id, (Task.Status.NOT_STARTED, 0))
    return result


def _latest_updates(user, task_ids, level, end_of_day) -> dict[int, str]:
    latest: dict[int, str] = {}
    for task_id, created, note in (
        TaskUpdate.objects.visible_to(user)
        .filter(task_id__in=task_ids, tlp__lte=level, created_at__lt=end_of_day)
        .exclude(note="")
        .order_by("task_id", "created_at", "pk")
        .values_list("task_id", "created_at", "note")
    ):
        latest[task_id] = f"{_day(created.date())}: {note}"
    return latest


def _outcome_codes(task_ids, visible_outcomes) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    for task_id, code in (
        Task.outcomes.through.objects.filter(
            task_id__in=task_ids, outcome__in=visible_outcomes.values("pk")
        )
        .order_by("outcome__citation_code")
        .values_list("task_id", "outcome__citation_code")
    ):
        codes[task_id].append(code)
    return codes


def _hostings_as_of(meeting_ids, end_of_day) -> dict[int, list[HostingLine]]:
    labels = dict(Hosting.Status.choices)
    moves: dict[tuple[int, str], list[HostingChange]] = defaultdict(list)
    for change in (
        HostingChange.objects.filter(hosting__meeting_id__in=meeting_ids)
        # When it happened, if known; else when the secretariat recorded it.
        .filter(
            Q(effective_on__lt=end_of_day.date())
            | Q(effective_on__isnull=True, recorded_at__lt=end_of_day)
        )
        .select_related("hosting__member")
        .order_by("hosting__meeting_id", "hosting__member__name", "recorded_at", "pk")
    ):
        moves[(change.hosting.meeting_id, change.hosting.member.name)].append(change)
    lines: dict[int, list[HostingLine]] = defaultdict(list)
    for (meeting_id, member), changes in moves.items():
        history = " → ".join(
            f"{labels[c.status_to].lower()}"
            + (f" ({_day(c.effective_on)})" if c.effective_on else "")
            for c in changes
        )
        lines[meeting_id].append(
            HostingLine(member=member, status=str(labels[changes[-1].status_to]), history=history)
        )
    return lines
