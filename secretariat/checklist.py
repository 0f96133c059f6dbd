"""After the meeting: what the secretariat records once a meeting is over, step by step.

Each meeting's checklist is read here and nowhere else: its chairs and host, the outcome
documents imported, the working groups set up (or reporting to it) with their members
and tasks, the next meeting with its planned host, and that host confirmed. Every step
says its state and the page where it is done. `meeting_checklists` reads any number of
meetings in the same few queries, so the admin index's panel costs what one page does.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from forums.models import Chair, Hosting, Meeting, seat_current_on
from outcomes.models import OutcomeDocument
from workinggroups.models import WorkingGroup

DONE, PARTLY, TO_DO = "done", "partly", "to-do"
STATE_LABELS = {
    DONE: gettext_lazy("done"),
    PARTLY: gettext_lazy("partly"),
    TO_DO: gettext_lazy("to do"),
}
# A member only interested in hosting is not yet its host; one planned is, until the
# model's hosting statuses (confirmed, hosted) say so more firmly. Least firm first.
HOST_STATUSES = (Hosting.Status.PLANNED, *Hosting.HOSTING_STATUSES)


@dataclass(frozen=True)
class Line:
    """One thing a step found (a document, a group), with its page and what it lacks."""

    text: str
    url: str = ""
    lacks: str = ""


@dataclass(frozen=True)
class Step:
    title: str
    state: str
    summary: str
    name: str = ""  # a few words for the index's panel: "next meeting"
    action: str = ""  # the button's words; empty when the step waits on another
    url: str = ""
    lines: tuple[Line, ...] = ()

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Checklist:
    meeting: Meeting
    steps: list[Step] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(step.state != DONE for step in self.steps)

    @property
    def open_names(self) -> str:
        return ", ".join(step.name for step in self.steps if step.state != DONE)


@dataclass
class _Facts:
    """What the queries found, by meeting id."""

    chairs: dict[int, list[Chair]]
    hostings: dict[int, list[Hosting]]
    documents: dict[int, list[OutcomeDocument]]
    groups: dict[int, list[tuple[WorkingGroup, str]]]
    next_meeting: dict[int, Meeting | None]


def admin_url(name: str, *args, query: dict | None = None) -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def meeting_checklists(meetings: Iterable[Meeting], reader) -> list[Checklist]:
    """Each meeting's checklist, as `reader` may see its documents and groups: five
    queries whatever the number of meetings, documents, groups or members."""
    meetings = list(meetings)
    facts = _read_facts(meetings, reader)
    return [
        Checklist(
            meeting,
            [
                _chairs_and_host(meeting, facts),
                _documents(meeting, facts),
                _groups(meeting, facts),
                _next_meeting(meeting, facts),
                _hosting_confirmed(meeting, facts),
            ],
        )
        for meeting in meetings
    ]


def meeting_checklist(meeting: Meeting, reader) -> Checklist:
    return meeting_checklists([meeting], reader)[0]


def _read_facts(meetings: list[Meeting], reader) -> _Facts:
    ids = [meeting.pk for meeting in meetings]
    next_meeting = _next_meetings(meetings)
    chairs = defaultdict(list)
    for chair in Chair.objects.filter(meeting_id__in=ids).select_related("member"):
        chairs[chair.meeting_id].append(chair)
    hostings = defaultdict(list)
    wanted = ids + [later.pk for later in next_meeting.values() if later is not None]
    for hosting in Hosting.objects.filter(meeting_id__in=wanted).select_related("member"):
        hostings[hosting.meeting_id].append(hosting)
    documents = defaultdict(list)
    for document in (
        OutcomeDocument.objects.visible_to(reader)
        .filter(meeting_id__in=ids)
        .with_outcome_count()
        .order_by("code")
    ):
        documents[document.meeting_id].append(document)
    return _Facts(chairs, hostings, documents, _groups_of(ids, reader), next_meeting)


def _next_meetings(meetings: list[Meeting]) -> dict[int, Meeting | None]:
    """Meeting.next_meeting of each, in one query: its forum's first later meeting."""
    later = defaultdict(list)
    forums = {meeting.forum_id for meeting in meetings}
    for other in Meeting.objects.filter(forum_id__in=forums).select_related("forum"):
        later[other.forum_id].append(other)  # by sequence (Meta.ordering)
    return {
        meeting.pk: next(
            (m for m in later[meeting.forum_id] if m.sequence > meeting.sequence), None
        )
        for meeting in meetings
    }


def _groups_of(ids: list[int], reader) -> dict[int, list[tuple[WorkingGroup, str]]]:
    """The groups each meeting set up, then those reporting to it, with their counts."""
    found = (
        WorkingGroup.objects.visible_to(reader)
        .filter(Q(established_by_id__in=ids) | Q(reports_to_id__in=ids))
        .annotate(
            member_count=Count(
                "memberships", filter=seat_current_on(prefix="memberships__"), distinct=True
            ),
            task_count=Count("tasks", distinct=True),
        )
        .order_by("name")
    )
    groups = defaultdict(list)
    for group in found:
        if group.established_by_id in ids:
            groups[group.established_by_id].append((group, _("set up at this meeting")))
        if group.reports_to_id in ids:
            groups[group.reports_to_id].append((group, _("reports to this meeting")))
    return groups


def _state(begun: bool, complete: bool) -> str:
    """Done when complete; partly once begun; nothing recorded is to do."""
    if begun and complete:
        return DONE
    return PARTLY if begun else TO_DO


def _host(hostings: list[Hosting]) -> Hosting | None:
    """The member hosting: confirmed or hosted first, then planned."""
    hosts = [h for h in hostings if h.status in HOST_STATUSES]
    hosts.sort(key=lambda h: HOST_STATUSES.index(h.status), reverse=True)
    return hosts[0] if hosts else None


def _chairs_and_host(meeting: Meeting, facts: _Facts) -> Step:
    chairs = facts.chairs[meeting.pk]
    host = _host(facts.hostings[meeting.pk])
    names = ", ".join(chair.member.name for chair in chairs) or _("no chair recorded")
    hosted = (
        _("host: %(member)s (%(status)s)")
        % {"member": host.member.name, "status": host.get_status_display().lower()}
        if host
        else _("no host recorded")
    )
    return Step(
        title=_("Chairs and host recorded"),
        name=_("chairs and host"),
        state=_state(bool(chairs) or host is not None, bool(chairs) and host is not None),
        summary=f"{names}; {hosted}",
        action=_("Open the meeting"),
        url=admin_url("forums_meeting_change", meeting.pk),
    )


def _documents(meeting: Meeting, facts: _Facts) -> Step:
    documents = facts.documents[meeting.pk]
    lines = tuple(
        Line(
            text=document.counted(),
            url=admin_url("outcomes_outcomedocument_change", document.pk),
            lacks="" if document.outcome_count else _("no outcomes"),  # type: ignore[attr-defined]
        )
        for document in documents
    )
    return Step(
        title=_("Outcome document imported"),
        name=_("outcome document"),
        state=_state(bool(lines), all(not line.lacks for line in lines)),
        summary=ngettext("%(count)d document", "%(count)d documents", len(documents))
        % {"count": len(documents)}
        if documents
        else _("No outcome document imported yet."),
        action=_("Import another document") if documents else _("Import the outcome document"),
        url=admin_url("outcomes_outcomedocument_import", query={"meeting": meeting.pk}),
        lines=lines,
    )


def _group_line(group: WorkingGroup, relation: str) -> Line:
    lacks = [
        words
        for words, missing in (
            (_("no members"), not group.member_count),  # type: ignore[attr-defined]
            (_("no tasks"), not group.task_count),  # type: ignore[attr-defined]
        )
        if missing
    ]
    counts = _("%(members)d member(s), %(tasks)d task(s)") % {
        "members": group.member_count,  # type: ignore[attr-defined]
        "tasks": group.task_count,  # type: ignore[attr-defined]
    }
    return Line(
        text=f"{group.name} ({relation}): {counts}",
        url=admin_url("workinggroups_workinggroup_change", group.pk),
        lacks=", ".join(str(words) for words in lacks),
    )


def _groups(meeting: Meeting, facts: _Facts) -> Step:
    lines = tuple(_group_line(group, relation) for group, relation in facts.groups[meeting.pk])
    complete = [line for line in lines if not line.lacks]
    return Step(
        title=_("Working groups set up with members and tasks"),
        name=_("working groups"),
        # A group set up but lacking members or tasks is a step begun.
        state=_state(bool(lines), len(complete) == len(lines)),
        summary=_("%(complete)d of %(count)d group(s) with members and tasks")
        % {"complete": len(complete), "count": len(lines)}
        if lines
        else _("No working group set up at this meeting or reporting to it."),
        action=_("Add a working group set up at this meeting"),
        url=admin_url("workinggroups_workinggroup_add", query={"established_by": meeting.pk}),
        lines=lines,
    )


def next_meeting_name(meeting: Meeting) -> str:
    return Meeting.name_from("", meeting.sequence + 1, meeting.forum.acronym)


def _next_meeting(meeting: Meeting, facts: _Facts) -> Step:
    later = facts.next_meeting[meeting.pk]
    title = _("Next meeting recorded, with its planned host")
    if later is None:
        return Step(
            title=title,
            name=_("next meeting"),
            state=TO_DO,
            summary=_("The %(name)s is not recorded yet.") % {"name": next_meeting_name(meeting)},
            action=_("Record the %(name)s") % {"name": next_meeting_name(meeting)},
            url=admin_url(
                "forums_meeting_add",
                query={"forum": meeting.forum_id, "sequence": meeting.sequence + 1},
            ),
        )
    host = _host(facts.hostings[later.pk])
    hosted = (
        _("planned host: %(member)s") % {"member": host.member.name}
        if host
        else _("no planned host")
    )
    return Step(
        title=title,
        name=_("next meeting"),
        state=_state(True, host is not None),
        summary=f"{later}; {hosted}",
        action=_("Open the %(name)s") % {"name": later},
        url=admin_url("forums_meeting_change", later.pk),
    )


def _hosting_confirmed(meeting: Meeting, facts: _Facts) -> Step:
    title, name = _("The next meeting's hosting confirmed"), _("hosting confirmed")
    later = facts.next_meeting[meeting.pk]
    if later is None:
        return Step(title, TO_DO, name=name, summary=_("Record the next meeting first."))
    hostings = [h for h in facts.hostings[later.pk] if h.status != Hosting.Status.WITHDRAWN]
    host = _host(hostings) or (hostings[0] if hostings else None)
    if host is None:
        return Step(
            title,
            TO_DO,
            name=name,
            summary=_("No member has offered to host the %(name)s yet.") % {"name": later},
            action=_("Record its host"),
            url=admin_url("forums_meeting_change", later.pk),
        )
    confirmed = host.status in Hosting.HOSTING_STATUSES
    return Step(
        title,
        DONE if confirmed else TO_DO,
        name=name,
        summary=_("%(member)s: %(status)s")
        % {"member": host.member.name, "status": host.get_status_display()},
        action=_("Open the hosting"),
        url=admin_url("forums_hosting_change", host.pk),
    )


def held_meetings_to_follow(reader, *, today: datetime.date | None = None, at_most: int = 8):
    """The admin index's panel: each forum's latest held meeting, then the held meetings
    with steps still open, newest first; `at_most` of them."""
    held = list(
        Meeting.objects.held(today or timezone.now().date())
        .select_related("forum")
        .order_by("-sequence")
    )
    checklists = meeting_checklists(held, reader)
    latest: dict[int, Checklist] = {}
    for checklist in checklists:
        latest.setdefault(checklist.meeting.forum_id, checklist)
    chosen = list(latest.values())
    chosen += [c for c in checklists if c.open_count and c not in chosen]
    return chosen[:at_most]
