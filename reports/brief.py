"""The leaders' brief: what the chair's report puts in its main body, what it leaves to the
annexes, and the report's own words.

Leaders read the main body in minutes (DESIGN.md, "Leaders' brief"): the cover, the chair's
summary, what is for their decision, the state of implementation and what is stalled or
overdue. Each of its lists is capped here so that the body fits some six pages for a
meeting of the JHoPS record's size and twelve for one of 500 outcomes; the annexes carry
every row, and the body says how many more are there (docs/reports.md, "Body and annexes").

Nothing here reads the database: content.py computes what the report says, with these
rules, and render.py (and the PDF) lay it out with these words: `wording()`, and the
cover's rows, the annexes' headings, the "And N more" sentences and the key figures of a
Report, in the active language.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from forums.dates import format_date
from forums.models import ordinal
from forums.tlp import TLP, TLP_AUDIENCE
from outcomes.models import Outcome
from workinggroups.implementation import State
from workinggroups.models import Task

if TYPE_CHECKING:
    from reports.content import Report

# --- what the main body holds -------------------------------------------------------------
# Items ready for ratification listed under "For the leaders' decision".
BODY_DECISIONS = 12
# This meeting's outcomes listed in the body's state of implementation: top-level ones only
# (a parent's state rolls its sub-items up), in document order.
BODY_OUTCOMES = 40
# The body cites an outcome by its opening words: its full text is in Annex D.
BODY_TEXT_CHARS = 110
# Stalled or overdue work listed in the body, the most pressing first.
BODY_ATTENTION = 15
# Meetings drawn one bar each in the implementation chart (this one and the latest earlier
# ones); older meetings share one bar.
BODY_MEETINGS = 8
# Columns of the chart of work done since the meeting: weeks for four months, then months,
# then every second month or more.
WORK_DONE_COLUMNS = 18
WEEKS_UP_TO = 16


def period_ends(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """The last day of each column of the chart of work done from `start` to `end`, with
    its label: weeks ("12 Aug") under WEEKS_UP_TO, else months ("Aug 2025"), grouped so
    that there are at most WORK_DONE_COLUMNS; the last column ends on `end`."""
    days = (end - start).days
    if days < WEEKS_UP_TO * 7:
        # Weeks counted back from `end`: the first column is what is left, from `start`.
        weeks = [end - datetime.timedelta(days=7 * n) for n in reversed(range(days // 7 + 1))]
        return [(day, format_date(day, "day_month")) for day in weeks]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = -(-months // WORK_DONE_COLUMNS)  # months a column: rounded up
    ends = []
    for n in range(step - 1, months + step - 1, step):
        year, month = divmod(start.month - 1 + n, 12)
        last = _month_end(start.year + year, month + 1)
        ends.append(min(last, end))
    return [(day, format_date(day, "month")) for day in ends]


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


# The annexes, in order: each gets the next letter.
ANNEXES = ("implementation", "attention", "groups", "documents", "lineage", "hosting", "glossary")


def annex_letter(key: str) -> str:
    return "ABCDEFG"[ANNEXES.index(key)]


def annex_headings(w: dict[str, str]) -> dict[str, str]:
    """Each annex's heading, by key: "Annex B. Work for decision and attention, in full"."""
    return {
        key: f"{w['annex'] % {'letter': annex_letter(key)}}. {w[f'annex_{key}']}" for key in ANNEXES
    }


def more_sentences(report: "Report") -> dict[str, str]:
    """What each capped list of the body says it left to an annex ("" when nothing)."""
    left = {
        "decisions": (report.decisions_more, "attention"),
        "implementation": (report.implementation_body_more, "implementation"),
        "attention": (report.attention_more, "attention"),
    }
    return {key: more_in_annex(n, annex) if n else "" for key, (n, annex) in left.items()}


def cover_rows(report: "Report", w: dict[str, str]) -> list[tuple[str, str]]:
    """The cover's table: each label, in the report's language, with its value."""
    return [
        (w["forum"], f"{report.forum} ({report.forum_acronym})"),
        (w["meeting"], report.meeting),
        (w["venue"], report.venue),
        (w["dates"], report.dates),
        (w["chair"] if len(report.chairs) == 1 else w["co_chairs"], "; ".join(report.chairs)),
        (w["host"], report.host),
        (w["made_on"], format_date(report.made_on, "short") if report.made_on else "—"),
        (w["as_of"], format_date(report.as_of, "short")),
        (w["marking"], f"{report.marking_meaning} ({w['tlp_source']})"),
        (w["distribution"], report.distribution),
    ]


def key_figures(report: "Report", w: dict[str, str]) -> list[tuple[str, int]]:
    """The four figures that open the state of implementation."""
    return [
        (w["implementation_this"], len(report.implementation)),
        (w["implementation_earlier"], len(report.implementation_earlier)),
        (w["ready"], len(report.ready)),
        (w["attention"], len(report.attention_all)),
    ]


def more_in_annex(count: int, key: str) -> str:
    """ "And 12 more in Annex B.": what a capped list of the body leaves to an annex."""
    return ngettext(
        "And %(count)s more in Annex %(letter)s.",
        "And %(count)s more in Annex %(letter)s.",
        count,
    ) % {"count": count, "letter": annex_letter(key)}


# --- who may read it, in TLP 2.0's own words ----------------------------------------------
# FIRST's definitions of TLP 2.0 (https://www.first.org/tlp/), word for word: a recipient
# who knows the standard reads the same sentence here as in their agency's own rules.
# Translators: FIRST publishes official translations of TLP 2.0; use its French wording.
TLP_MEANINGS = {
    TLP.CLEAR: _("Recipients can spread this to the world, there is no limit on disclosure."),
    TLP.GREEN: _("Limited disclosure, recipients can spread this within their community."),
    TLP.AMBER: _(
        "Limited disclosure, recipients can only spread this on a need-to-know basis within "
        "their organization and its clients."
    ),
    TLP.RED: _("For the eyes and ears of individual recipients only, no further disclosure."),
}


def marking_meaning(level: int) -> str:
    """The label and its TLP 2.0 definition, in the active language."""
    return gettext("%(label)s: %(meaning)s") % {
        "label": TLP(level).label,
        "meaning": TLP_MEANINGS[TLP(level)],
    }


# --- plain names for citation codes -------------------------------------------------------
def plain_name(*, number: str, short_title: str, sequence: int) -> str:
    """How people cite an outcome: "Denarau Outcome 16" when the document has a short
    title, else "Outcome 16 of the 4th meeting" (a long title would not fit a table)."""
    if short_title:
        return f"{short_title} {number}"
    return gettext("Outcome %(number)s of the %(meeting)s meeting") % {
        "number": number,
        "meeting": ordinal(sequence),
    }


def cited(name: str, code: str) -> str:
    """ "Denarau Outcome 16 (JHOPS/4/16)": the plain name with the code that never changes."""
    return f"{name} ({code})"


# --- the glossary (Annex G) ---------------------------------------------------------------
@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str


@dataclass(frozen=True)
class GlossarySection:
    title: str
    entries: list[GlossaryEntry]


@dataclass(frozen=True)
class CodeExample:
    """One outcome of the report, to explain its citation code by example."""

    code: str
    name: str
    forum: str
    sequence: int
    number: str


KIND_MEANINGS = {
    Outcome.Kind.AGREEMENT: _("Members agreed on something to be done or held to."),
    Outcome.Kind.COMMITMENT: _("Members undertook to act: work usually follows."),
    Outcome.Kind.REAFFIRMATION: _(
        "Members confirmed an earlier outcome or document, which still applies."
    ),
    Outcome.Kind.RECOGNITION: _("Members acknowledged a fact, an effort or a body's role."),
    Outcome.Kind.WELCOME: _("Members welcomed a development, an offer or a report."),
    Outcome.Kind.DECISION: _("Members decided something that binds the forum's own work."),
    Outcome.Kind.RECOMMENDATION: _("Members recommended an action to others, such as leaders."),
    Outcome.Kind.NOTE: _(
        "A paragraph that records rather than decides: who met where, offers made, thanks "
        "given. It asks for no work."
    ),
}

STATUS_MEANINGS = {
    Outcome.Status.ACTIVE: _("Still to be carried out, or still in force."),
    Outcome.Status.IMPLEMENTED: _("The secretariat has recorded it as carried out."),
    Outcome.Status.ELAPSED: _("Its time passed before it was carried out."),
    Outcome.Status.SUPERSEDED: _("A later outcome replaced it."),
}

STATE_MEANINGS = {
    State.NO_WORK: _("No task serves it, or all the work serving it was withdrawn."),
    State.NOT_STARTED: _("Work is assigned, and none of it has started."),
    State.UNDER_WAY: _("Work has started; not all of it is ready for ratification."),
    State.READY: _("All the work serving it is ready for ratification or ratified."),
    State.DONE: _("All the work serving it is ratified."),
    State.STALLED: _(
        "Some open work serving it has had no update for %(days)s days, or has been carried "
        "past two meetings."
    ),
}


def glossary(
    *, example: CodeExample | None, stalled_after_days: int, level: int
) -> list[GlossarySection]:
    """The words of the report in plain language: codes, kinds, states, labels."""
    return [
        GlossarySection(gettext("Citation codes"), _code_entries(example)),
        GlossarySection(
            gettext("Kinds of outcome"),
            [GlossaryEntry(str(label), str(KIND_MEANINGS[kind])) for kind, label in _kinds()],
        ),
        GlossarySection(
            gettext("Where an outcome stands"),
            [
                GlossaryEntry(
                    str(state.label), str(STATE_MEANINGS[state]) % {"days": stalled_after_days}
                )
                for state in State
            ]
            + [
                GlossaryEntry(str(status.label), str(STATUS_MEANINGS[status]))
                for status in Outcome.Status
            ],
        ),
        GlossarySection(gettext("Work"), _work_entries(stalled_after_days)),
        GlossarySection(gettext("Who may read it (TLP 2.0)"), _label_entries(TLP(level))),
    ]


def _label_entries(marked: TLP) -> list[GlossaryEntry]:
    """Each TLP label in FIRST's words and in the forum's. Only this report's label is
    written as a marking ("TLP:GREEN"); the others by their colour alone, so that nothing
    reading the file for markings (a mail filter, a records system) finds another."""
    return [
        GlossaryEntry(
            level.label if level == marked else level.name,
            gettext("%(meaning)s In this forum: %(audience)s.")
            % {"meaning": TLP_MEANINGS[level], "audience": TLP_AUDIENCE[level]},
        )
        for level in TLP
    ]


def _kinds():
    return [(Outcome.Kind(value), label) for value, label in Outcome.Kind.choices]


def _code_entries(example: CodeExample | None) -> list[GlossaryEntry]:
    pattern = GlossaryEntry(
        pgettext("citation code pattern", "FORUM/meeting/number"),
        gettext(
            "Each outcome's permanent code: the forum, the number of the meeting that adopted "
            "it, and its number in that meeting's document; a sub-item adds its letters, as "
            "in 3(2)(f). A code never changes once published, so that any text can cite it. "
            "The report gives each outcome's plain name beside its code."
        ),
    )
    if example is None:
        return [pattern]
    return [
        pattern,
        GlossaryEntry(
            example.code,
            gettext("%(name)s: outcome %(number)s of the %(meeting)s meeting of %(forum)s.")
            % {
                "name": example.name,
                "number": example.number,
                "meeting": ordinal(example.sequence),
                "forum": example.forum,
            },
        ),
    ]


def _work_entries(stalled_after_days: int) -> list[GlossaryEntry]:
    return [
        GlossaryEntry(
            str(Task.Status.READY.label),
            gettext(
                "The working group presents the task as finished; the meeting it reports to "
                "is asked to ratify it."
            ),
        ),
        GlossaryEntry(
            gettext("Overdue"),
            gettext(
                "Open past its due day at the venue of the meeting it reports to, or with no "
                "due day once that meeting has been held."
            ),
        ),
        GlossaryEntry(
            gettext("Stalled"),
            gettext(
                "Open with no update for %(days)s days (the forum's period), or carried past "
                "two meetings."
            )
            % {"days": stalled_after_days},
        ),
        GlossaryEntry(
            gettext("Carried over"),
            gettext("Still open once the meeting it reports to has been held."),
        ),
    ]


# --- the report's own words ---------------------------------------------------------------
# Every fixed word of the report, shared by the HTML, the Word template and the PDF. Lazy:
# `wording()` reads them in the active language (the version's, reports.services).
WORDING = {
    # The cover
    "title": _("Chair's report: %(meeting)s"),
    "forum": _("Forum"),
    "meeting": _("Meeting"),
    "venue": _("Venue"),
    "dates": _("Dates"),
    "chair": _("Chair"),
    "co_chairs": _("Co-chairs"),
    "host": _("Host"),
    "made_on": _("Date of this report"),
    "as_of": _("As of"),
    "marking": _("Marking"),
    "distribution": _("Distribution"),
    "tlp_source": _("TLP 2.0, the Traffic Light Protocol of FIRST"),
    "page": _("Page"),
    # The chair's summary
    "summary": _("The chair's summary"),
    "key_messages": _("Key messages"),
    "no_key_messages": _("No key messages."),
    # For decision
    "decision": _("For the leaders' decision"),
    "ready": _("Ready for ratification"),
    "ready_note": _(
        "Work the working groups present as finished, for the meeting to ratify: the outcome "
        "it serves and who leads it."
    ),
    "no_ready": _("No task is ready for ratification."),
    "recommendations": _("The chair's recommendations"),
    "no_recommendations": _("No recommendations."),
    # State of implementation
    "implementation": _("State of implementation"),
    "implementation_note": _(
        "Where each outcome stands, derived from the work serving it and its sub-items that "
        "this report's distribution may read. Stalled: open work with no update for "
        "%(days)s days, or carried past two meetings."
    ),
    "by_meeting": _("Outcomes still active, by meeting and state"),
    "chart_implementation": _("Where the outcomes stand, by meeting"),
    "implementation_this": _("Outcomes of this meeting"),
    "implementation_earlier": _("Earlier outcomes still active"),
    "no_implementation_this": _("No outcomes adopted at this meeting."),
    "no_implementation_earlier": _("No earlier outcome of this forum is still active."),
    "no_by_meeting": _("No outcome of this forum is still active."),
    "chart_work_done": _("Work ready for ratification or ratified since the meeting"),
    "no_work_done": _(
        "No work of this meeting has been ready for ratification or ratified since it was held."
    ),
    "earlier_meetings": _("Earlier meetings"),
    # Stalled or overdue
    "attention": _("Stalled or overdue work across the forum"),
    "attention_note": _(
        "Open work of all the forum's working groups, the most pressing first. Overdue: past "
        "its due day, or undated once its meeting has been held. Stalled: no update for "
        "%(days)s days, or carried past two meetings."
    ),
    "no_attention": _("No work of the forum is stalled or overdue."),
    "overdue": _("Overdue"),
    "stalled": _("Stalled"),
    "overdue_and_stalled": _("Overdue and stalled"),
    # Annexes
    "annexes": _("Annexes"),
    "annex": _("Annex %(letter)s"),
    "annex_implementation": _("State of implementation, every outcome"),
    "annex_attention": _("Work for decision and attention, in full"),
    "annex_groups": _("Working groups and their tasks"),
    "annex_documents": _("Outcome documents adopted"),
    "annex_lineage": _("Lineage: earlier outcomes acted on"),
    "annex_hosting": _("Hosting of the next meetings"),
    "annex_glossary": _("Glossary"),
    "blocked": _("Blocked"),
    "carried_over": _("Carried over"),
    "by_kind": _("Outcomes adopted, by kind"),
    "earlier_by_status": _("Earlier outcomes, by implementation status"),
    "tasks_by_status": _("Tasks, by status"),
    "chart_groups": _("Task status, by working group"),
    "next_meeting": _("Next meeting"),
    "next_hostings": _("Hosting of the next meeting"),
    "after_hostings": _("Hosting of the meeting after"),
    # Column headings
    "task": _("Task"),
    "lead": _("Lead"),
    "group": _("Working group"),
    "due": _("Due"),
    "status": _("Status"),
    "progress": _("Progress"),
    "latest": _("Latest update"),
    "outcome": _("Outcome"),
    "outcomes": _("Outcomes"),
    "state": _("State"),
    "work": _("Work"),
    "last_moved": _("Last movement"),
    "why": _("Why"),
    "serves": _("Serves"),
    "citation": _("Citation"),
    "number": pgettext_lazy("outcome number, a column heading", "No."),
    "kind": _("Kind"),
    "text": _("Text"),
    "member": _("Member"),
    "history": _("History"),
    "acted_on_by": _("Acted on by"),
    "mandate": _("Mandate"),
    "reports_to": _("Reports to"),
    # When there is nothing to show
    "no_adopted": _("No outcomes adopted at this meeting."),
    "no_earlier": _("No earlier outcomes recorded."),
    "no_tasks": _("No tasks recorded."),
    "no_documents": _("No outcome documents recorded for this meeting."),
    "no_outcomes": _("No outcomes recorded in this document."),
    "no_lineage": _("No earlier outcomes were reaffirmed or acted on at this meeting."),
    "no_lineage_tasks": _("No task serves this outcome yet."),
    "no_groups": _("No working groups recorded for this meeting."),
    "no_group_tasks": _("No tasks recorded for this working group."),
    "no_blocked": _("No task is blocked."),
    "no_carried_over": _("No task carries over."),
    "no_next_meeting": _("No next meeting recorded for this forum."),
    "no_next_hostings": _("No hosting recorded for the next meeting."),
    "no_after_hostings": _("No hosting recorded for the meeting after."),
}


def wording() -> dict[str, str]:
    """Every fixed word of the report in the active language."""
    return {key: str(value) for key, value in WORDING.items()}
