"""What the chair's report says, computed once; HTML, PDF and DOCX only lay it out.

Every figure, name and sentence comes from `build_report`, so the three formats say the
same thing. It reads only what the person asking may see (`visible_to`) AND what the
chosen audience level allows (TLP ≤ level, never RED): nothing above the level appears,
not in a list, a count or a chart.

Queries are a fixed number, whatever the number of outcomes and tasks.
"""

import dataclasses
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from forums.access import audience_of
from forums.dates import format_date
from forums.models import Chair, Forum, Hosting, HostingChange, Meeting, day_at_venue, ordinal
from forums.tlp import TLP
from outcomes.lineage import links_out
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from readlog.models import Channel
from readlog.services import record_reads
from reports import brief
from reports.brief import CodeExample, GlossarySection
from workinggroups.implementation import State, with_standings
from workinggroups.models import (
    NO_DUE_DATE,
    Task,
    TaskQuerySet,
    TaskUpdate,
    WorkingGroup,
    serving_links,
)

# The audiences a report is written for (RED is for named people, never for a report).
LEVELS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)
# The state of implementation cites each outcome by its opening words: the full text is
# in the documents section, and the main body stays short (DESIGN.md, "Leaders' brief").
IMPLEMENTATION_TEXT_CHARS = 160


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    key: str = ""  # what it counts, in no language ("state:stalled"): how a chart draws it


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
    outcomes: list[str]  # citation codes
    serves: list[str]  # the same outcomes by name: "Denarau Outcome 16 (JHOPS/4/16)"


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
    label: str  # "Denarau Outcome 16", or "Outcome 16 of the 4th meeting"
    text: str
    state: str  # "Stalled"
    progress: str  # "40%", or "—" with no work
    work: str  # "3 of 4 tasks open"
    last_moved: str  # the day of the newest update the audience may read
    depth: int


@dataclass(frozen=True)
class AttentionLine:
    """Open work of the forum that is stalled or overdue: the task (who leads it, what it
    serves), why it is listed, and when it last moved."""

    task: TaskLine
    why: str  # "Overdue", "Stalled", "Overdue and stalled"
    last_moved: str  # the day of the newest update the audience may read


@dataclass(frozen=True)
class ChairsWords:
    """What a version is made with besides the record (GeneratedReport keeps them): the
    chair's summary as it stood when asked for, and who may read it, in its language."""

    key_messages: str = ""
    recommendations: str = ""
    distribution: str = ""


@dataclass(frozen=True)
class HostingLine:
    member: str
    status: str
    history: str  # "planned (24 Aug 2023) → withdrawn"


@dataclass
class Report:
    """Everything the chair's report says, in the order of the leaders' brief.

    Plain values only (str, int, date, lists of dataclasses), so that `dataclasses.asdict`
    gives what any layout needs. The main body's lists are already capped (reports.brief),
    each with how many more its annex holds; the annexes' lists are whole.
    """

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
    # --- the cover
    title: str = ""  # "Chair's report: 5th JHOPS", in the report's language
    language: str = "en"
    made_on: datetime.date | None = None  # the day it was made (UTC)
    marking_meaning: str = ""  # "TLP:GREEN: Limited disclosure, …" (TLP 2.0's words)
    distribution: str = ""  # who may read it: "The forum's members and observers; …"
    # --- the chair's summary, and for the leaders' decision
    key_messages: str = ""  # plain text as the chair wrote it: line breaks kept, escaped
    recommendations: str = ""
    decisions: list[TaskLine] = field(default_factory=list)  # ready, the first of `ready`
    decisions_more: int = 0
    # --- the state of implementation in the body
    implementation_by_meeting: list[Bar] = field(default_factory=list)  # table and chart
    implementation_body: list[ImplementationLine] = field(default_factory=list)
    implementation_body_more: int = 0  # this meeting's outcomes left to Annex A
    work_done: list[Bar] = field(default_factory=list)  # per week or month since the meeting
    # --- stalled or overdue across the forum: the first in the body, all in Annex B
    attention: list[AttentionLine] = field(default_factory=list)
    attention_more: int = 0
    attention_all: list[AttentionLine] = field(default_factory=list)
    # --- the annexes
    outcomes_by_kind: list[Count] = field(default_factory=list)
    earlier_by_status: list[Count] = field(default_factory=list)
    tasks_by_status: list[Count] = field(default_factory=list)
    overdue_count: int = 0  # across the forum
    blocked_count: int = 0
    stalled_count: int = 0  # across the forum
    chart_by_group: list[Bar] = field(default_factory=list)
    documents: list[DocumentSection] = field(default_factory=list)
    lineage: list[LineageItem] = field(default_factory=list)
    groups: list[GroupSection] = field(default_factory=list)
    # This meeting's outcomes, then the forum's earlier outcomes still active: Annex A.
    implementation: list[ImplementationLine] = field(default_factory=list)
    implementation_earlier: list[ImplementationLine] = field(default_factory=list)
    ready: list[TaskLine] = field(default_factory=list)
    blocked: list[TaskLine] = field(default_factory=list)
    carried_over: list[TaskLine] = field(default_factory=list)
    next_meeting: str = ""
    next_hostings: list[HostingLine] = field(default_factory=list)
    hostings_after: list[HostingLine] = field(default_factory=list)
    glossary: list[GlossarySection] = field(default_factory=list)

    @property
    def marking(self) -> str:
        return self.level.label

    @property
    def rows(self) -> int:
        """The table rows its layout holds: outcomes, and task lines in every section.

        What the time to lay out a PDF or DOCX grows with (README, "Benchmark").
        """
        task_lists: list[list[Any]] = [
            *(item.tasks for item in self.lineage),
            *(group.tasks for group in self.groups),
            self.decisions,
            self.ready,
            self.blocked,
            self.attention,
            self.attention_all,
            self.carried_over,
        ]
        outcomes = sum(len(document.outcomes) for document in self.documents)
        outcomes += len(self.implementation) + len(self.implementation_earlier)
        outcomes += len(self.implementation_body)
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
    return format_date(value, "short") if value else _("not set")


def _dates(meeting: Meeting) -> str:
    if meeting.start_date and meeting.end_date and meeting.end_date != meeting.start_date:
        return f"{_day(meeting.start_date)} \u2013 {_day(meeting.end_date)}"  # en dash
    if meeting.start_date:
        return _day(meeting.start_date)
    return meeting.dates_note or _("dates not known")


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
    carried_ids: set[int]


def build_report(
    *,
    meeting: Meeting,
    user,
    level: int,
    as_of: datetime.date,
    words: ChairsWords | None = None,
) -> Report:
    """Everything the chair's report says about `meeting`, as `user` may tell `level`, in
    the active language. `words`: what a version was made with (the chair's summary and the
    distribution); by default, the summary as it stands now."""
    scope = _scope(meeting, user, check_level(user, meeting, level), as_of)
    report = _cover(scope, _chairs_words(scope, words))
    adopted = _adopted_documents(scope, report)
    report.earlier_by_status = _earlier_by_status(scope)
    groups = _groups(scope)
    sources = _lineage_sources(scope, adopted)
    work = _work(scope, groups, sources)
    # A report goes up to TLP:AMBER (LEVELS), so this logs nothing unless that rule breaks.
    record_reads(reader=user, channel=Channel.REPORT, items=[*adopted, *groups, *work.tasks])
    _work_section(report, groups, work)
    report.lineage = _lineage(sources, work)
    example = _implementation(scope, report)
    _this_meetings_work(report, work)
    report.work_done = _work_done(scope, work.task_ids)
    _forum_attention(scope, report)
    _next_meetings(scope, report)
    report.glossary = brief.glossary(
        example=example, stalled_after_days=report.stalled_after_days, level=scope.level
    )
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


def _chairs_words(scope: _Scope, words: ChairsWords | None) -> ChairsWords:
    """The version's summary and distribution; without a version, the summary as it stands
    (if its label allows the level) and who may read the report, in the active language."""
    from reports.models import chairs_words, readers_of  # models imports this module

    if words is None:
        return chairs_words(scope.meeting, scope.level)
    # A version made before versions kept their distribution: say it in today's words.
    return (
        words
        if words.distribution
        else dataclasses.replace(words, distribution=readers_of(scope.level))
    )


def _cover(scope: _Scope, words: ChairsWords) -> Report:
    """The report with its cover and the chair's summary filled in: forum, meeting, venue,
    dates, chairs, host, the day it is made and as of, its marking and distribution."""
    meeting = scope.meeting
    chairs = [
        f"{chair.office or chair.member.name} ({chair.member.name})"
        if chair.office
        else chair.member.name
        for chair in Chair.objects.filter(meeting=meeting).select_related("member")
    ]
    host = Meeting.objects.with_host_name().get(pk=meeting.pk).host_name or _("not recorded")
    return Report(
        forum=scope.forum.name,
        forum_acronym=scope.forum.acronym,
        meeting=str(meeting),
        sequence=meeting.sequence,
        venue=", ".join(x for x in (meeting.venue, meeting.country.name) if x) or _("not known"),
        dates=_dates(meeting),
        chairs=chairs or [_("not recorded")],
        host=host,
        as_of=scope.as_of,
        level=scope.level,
        stalled_after_days=scope.forum.stalled_after_days,
        title=str(brief.WORDING["title"]) % {"meeting": meeting},
        language=(translation.get_language() or settings.LANGUAGE_CODE).split("-")[0],
        made_on=report_today(),
        marking_meaning=brief.marking_meaning(scope.level),
        **dataclasses.asdict(words),
    )


def _adopted_documents(scope: _Scope, report: Report) -> list[Outcome]:
    """The outcomes adopted at this meeting, in document order: counted and listed."""
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
    served = _outcomes_served(task_ids, scope.outcomes)
    status = {t.pk: status_as_of.get(t.pk, (t.status, t.progress))[0] for t in tasks}
    # Open on the report's day, and so by the definitions (which read today's status).
    still_open = {t for t, value in status.items() if value in Task.OPEN_STATUSES}
    # Carried over: its meeting has been held, and the work is still open.
    held = Meeting.objects.held(day_at_venue(end_of_day)).values("pk")
    carried = scope.tasks.filter(pk__in=task_ids, reports_to__in=held).values_list("pk", flat=True)
    return _Work(
        tasks=tasks,
        task_ids=task_ids,
        lines={
            task.pk: _task_line(
                task, status_as_of.get(task.pk), latest.get(task.pk), served[task.pk]
            )
            for task in tasks
        },
        status=status,
        carried_ids=still_open & set(carried),
    )


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
    report.groups = [
        GroupSection(
            name=group.name,
            mandate=group.mandate,
            reports_to=str(group.reports_to) if group.reports_to else _("not set"),
            tasks=[work.lines[task.pk] for task in tasks_of_group[group.pk]],
        )
        for group in groups
    ]
    report.chart_by_group = [
        Bar(
            label=group.name,
            parts=[
                Count(str(label), counts_of_group[group.pk, value], f"task:{value}")
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


def _this_meetings_work(report: Report, work: _Work) -> None:
    """The work of this meeting's groups (and serving its lineage) that is ready for the
    leaders' decision, blocked, or carried over; the first ready items in the body."""
    lines, status, task_ids = work.lines, work.status, work.task_ids
    report.ready = [lines[t] for t in task_ids if status[t] == Task.Status.READY]
    report.blocked = [lines[t] for t in task_ids if status[t] == Task.Status.BLOCKED]
    report.carried_over = [lines[t] for t in task_ids if t in work.carried_ids]
    report.decisions = report.ready[: brief.BODY_DECISIONS]
    report.decisions_more = len(report.ready) - len(report.decisions)


def _implementation(scope: _Scope, report: Report) -> CodeExample | None:
    """Where this meeting's outcomes, and the forum's earlier ones still active, stand: the
    state and figure of workinggroups.implementation, counting only work within the level.
    Every outcome for Annex A, the body's share, the count by meeting and state; and an
    outcome whose code the glossary can explain."""
    earlier = Q(
        document__meeting__forum=scope.forum,
        document__meeting__sequence__lt=scope.meeting.sequence,
        status=Outcome.Status.ACTIVE,
    )
    outcomes = with_standings(
        scope.outcomes.filter(Q(document__meeting=scope.meeting) | earlier)
        .select_related("document__meeting")
        .order_by("document__meeting__sequence", "document__code", "position"),
        scope.user,
        scope.end_of_day,
        at_most=scope.level,
    )
    by_meeting: dict[int, Counter] = defaultdict(Counter)  # by the meeting's sequence
    names: dict[int, str] = {}
    example: Any = None  # an Outcome given its standing (with_standings)
    for outcome in outcomes:
        meeting = outcome.document.meeting
        by_meeting[meeting.sequence][outcome.implementation] += 1
        names[meeting.sequence] = Meeting.name_from(
            meeting.title, meeting.sequence, scope.forum.acronym
        )
        line = _implementation_line(outcome)
        if meeting.pk == scope.meeting.pk:
            report.implementation.append(line)
        else:
            report.implementation_earlier.append(line)
        # The first outcome with work serving it explains a code best ("JHOPS/4/15").
        if example is None or (outcome.work_total and not example.work_total):
            example = outcome
    report.implementation_by_meeting = _by_meeting(by_meeting, names)
    top = [line for line in report.implementation if not line.depth][: brief.BODY_OUTCOMES]
    report.implementation_body = [
        dataclasses.replace(line, text=Truncator(line.text).chars(brief.BODY_TEXT_CHARS))
        for line in top
    ]
    report.implementation_body_more = len(report.implementation) - len(top)
    return _code_example(example, scope.forum) if example else None


def _implementation_line(outcome: Any) -> ImplementationLine:
    """`outcome` given its standing (with_standings)."""
    return ImplementationLine(
        code=outcome.citation_code,
        label=_plain_name(outcome),
        text=Truncator(outcome.text).chars(IMPLEMENTATION_TEXT_CHARS),
        state=str(State(outcome.implementation).label),
        progress="—" if outcome.progress is None else f"{outcome.progress}%",
        work=_("%(open)s of %(total)s open")
        % {"open": outcome.work_open, "total": outcome.work_total}
        if outcome.work_total
        else _("no work"),
        last_moved=_day(outcome.last_moved_at.date()) if outcome.last_moved_at else "—",
        depth=1 if outcome.parent_id else 0,
    )


def _plain_name(outcome: Outcome) -> str:
    """ "Denarau Outcome 16", "Outcome 16 of the 4th meeting": reads the document and its
    meeting (select_related by the caller)."""
    document = outcome.document
    return brief.plain_name(
        number=outcome.number, short_title=document.short_title, sequence=document.meeting.sequence
    )


def _code_example(outcome: Outcome, forum: Forum) -> CodeExample:
    return CodeExample(
        code=outcome.citation_code,
        name=_plain_name(outcome),
        forum=forum.acronym,
        sequence=outcome.document.meeting.sequence,
        number=outcome.number,
    )


# A bar's states from done to no work: how far each meeting's outcomes have come.
STATE_ORDER = (
    State.DONE,
    State.READY,
    State.UNDER_WAY,
    State.NOT_STARTED,
    State.STALLED,
    State.NO_WORK,
)


def _by_meeting(by_meeting: dict[int, Counter], names: dict[int, str]) -> list[Bar]:
    """One bar per meeting, this one first and then the latest earlier ones, by state; the
    oldest meetings beyond brief.BODY_MEETINGS share one bar ("1st to 3rd meetings")."""
    sequences = sorted(by_meeting, reverse=True)
    kept, folded = sequences[: brief.BODY_MEETINGS - 1], sequences[brief.BODY_MEETINGS - 1 :]
    rows = [(names[sequence], by_meeting[sequence]) for sequence in kept]
    if len(folded) == 1:
        rows.append((names[folded[0]], by_meeting[folded[0]]))
    elif folded:
        label = _("%(first)s to %(last)s meetings") % {
            "first": ordinal(folded[-1]),
            "last": ordinal(folded[0]),
        }
        rows.append((label, sum((by_meeting[sequence] for sequence in folded), Counter())))
    return [
        Bar(
            label=label,
            parts=[
                Count(str(state.label), counts[state], f"state:{state.value}")
                for state in STATE_ORDER
            ],
        )
        for label, counts in rows
    ]


def _forum_attention(scope: _Scope, report: Report) -> None:
    """Open work of the forum's working groups, of every meeting, that is stalled or overdue
    at the end of the report's day, by the one definition of each (workinggroups.models),
    within the report's level: the most pressing first, the first few in the body."""
    end_of_day = scope.end_of_day
    tasks = scope.tasks.filter(working_group__established_by__forum=scope.forum)
    overdue = set(tasks.overdue(end_of_day).values_list("pk", flat=True))
    stalled = set(
        tasks.stalled(scope.user, end_of_day, at_most=scope.level).values_list("pk", flat=True)
    )
    task_ids = sorted(overdue | stalled)
    status: dict[int, str] = {}
    if scope.as_of < report_today():
        # The definitions read today's status: keep the work still open on the report's day.
        status = {t: value for t, (value, _p) in _status_as_of(task_ids, end_of_day).items()}
        task_ids = [t for t in task_ids if status[t] in Task.OPEN_STATUSES]
    moved = dict(
        TaskUpdate.objects.visible_to(scope.user)
        .filter(task_id__in=task_ids, tlp__lte=scope.level, created_at__lt=end_of_day)
        .order_by()
        .values("task_id")
        .annotate(at=Max("created_at"))
        .values_list("task_id", "at")
    )
    served = _outcomes_served(task_ids, scope.outcomes)
    rows = sorted(
        tasks.filter(pk__in=task_ids),
        key=lambda t: (
            -((t.pk in overdue) + (t.pk in stalled)),  # overdue and stalled first
            t.due_on or NO_DUE_DATE,
            moved.get(t.pk) or t.created_at,
            t.title,
        ),
    )
    report.attention_all = [
        _attention_line(
            task,
            _why(task.pk in overdue, task.pk in stalled),
            status.get(task.pk, task.status),
            moved.get(task.pk),
            served[task.pk],
        )
        for task in rows
    ]
    report.attention = report.attention_all[: brief.BODY_ATTENTION]
    report.attention_more = len(report.attention_all) - len(report.attention)
    report.overdue_count = sum(1 for t in rows if t.pk in overdue)
    report.stalled_count = sum(1 for t in rows if t.pk in stalled)


def _why(overdue: bool, stalled: bool) -> str:
    if overdue and stalled:
        return str(brief.WORDING["overdue_and_stalled"])
    return str(brief.WORDING["overdue" if overdue else "stalled"])


def _attention_line(
    task: Task, why: str, status: str, moved: datetime.datetime | None, served
) -> AttentionLine:
    return AttentionLine(
        task=_task_line(task, (status, task.progress), None, served),
        why=why,
        last_moved=_day(moved.date()) if moved else _("no update yet"),
    )


def _work_done(scope: _Scope, task_ids: list[int]) -> list[Bar]:
    """The report's work ready for ratification or ratified at the end of each week (or
    month) since the meeting opened, as the tasks' updates moved it: one bar a period."""
    start = scope.meeting.start_date or scope.meeting.expected_month
    if start is None or start > scope.as_of:
        return []
    ends = brief.period_ends(start, scope.as_of)
    moves = (
        TaskUpdate.objects.filter(task_id__in=task_ids, created_at__lt=scope.end_of_day)
        .exclude(status_from=F("status_to"))
        .order_by("created_at", "pk")
        .values_list("task_id", "created_at", "status_to")
    )
    status: dict[int, str] = {}
    counted = Counter[str]()
    bars: list[Bar] = []
    pending = iter(moves)
    move = next(pending, None)
    for end, label in ends:
        # Every move made by the end of the period's last day (UTC).
        while move is not None and move[1].date() <= end:
            task_id, _at, to = move
            counted[status.get(task_id, Task.Status.NOT_STARTED)] -= 1
            counted[to] += 1
            status[task_id] = to
            move = next(pending, None)
        bars.append(
            Bar(
                label=label,
                parts=[
                    Count(str(value.label), counted[value], f"task:{value.value}")
                    for value in (Task.Status.RATIFIED, Task.Status.READY)
                ],
            )
        )
    return bars


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


def _lead(task: Task) -> str:
    return (task.lead.get_full_name() or task.lead.username) if task.lead else "—"


def _task_line(
    task: Task, as_of: tuple[str, int] | None, latest: str | None, served: list[tuple[str, str]]
) -> TaskLine:
    status, progress = as_of or (task.status, task.progress)
    return TaskLine(
        title=task.title,
        group=task.working_group.name,
        lead=_lead(task),
        due=_day(task.due_on),
        status=str(Task.Status(status).label),
        progress=progress,
        latest=latest or _("no update yet"),
        outcomes=[code for code, _name in served],
        serves=[brief.cited(name, code) for code, name in served],
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


def _outcomes_served(task_ids, visible_outcomes) -> dict[int, list[tuple[str, str]]]:
    """Each task's outcomes the report may show, as (citation code, plain name)."""
    served: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for task_id, code, number, short_title, sequence in (
        Task.outcomes.through.objects.filter(
            task_id__in=task_ids, outcome__in=visible_outcomes.values("pk")
        )
        .order_by("outcome__citation_code")
        .values_list(
            "task_id",
            "outcome__citation_code",
            "outcome__number",
            "outcome__document__short_title",
            "outcome__document__meeting__sequence",
        )
    ):
        name = brief.plain_name(number=number, short_title=short_title, sequence=sequence)
        served[task_id].append((code, name))
    return served


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
