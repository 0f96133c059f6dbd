"""The writes of the reports app: the chair's summary, a chair's report generated now or
queued for a worker, and a version marked as sent.

Building and rendering take seconds on a large meeting, so they run outside any
transaction (on SQLite a transaction holds the database's write lock from its first
statement); only the short writes of the row are transactions. A file is written before
its row points at it: a crash in between leaves an unreferenced file, never a row whose
file is missing.
"""

import dataclasses
import datetime
import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forums.audit import PreconditionFailed, save_validated
from forums.models import Meeting, Profile
from forums.policy import require
from forums.tlp import TLP
from reports import policy
from reports.content import ChairsWords, build_report, check_level
from reports.models import ChairSummary, GeneratedReport, chairs_words
from reports.render import FORMATS, Rendered, render
from workinggroups.reminders.compose import language_of

log = logging.getLogger(__name__)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError(
            {"format": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}]}
        )


def _language(actor, language: str | None) -> str:
    """The version's language: the one asked for, else the one the asker reads Talanoa in."""
    if language is None:
        return language_of(actor)
    if language not in Profile.Language.values:
        raise ValidationError(
            {
                "language": [
                    _("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(Profile.Language.values)}
                ]
            }
        )
    return language


class TooLongForNow(Exception):
    """A PDF or DOCX too long to lay out within a web request: a worker must make it."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


# A report of thousands of rows holds a web worker for seconds and a few hundred MB while
# it is laid out: a worker makes it instead (docs/reports.md, "Long reports go to a worker").
LAID_OUT = ("pdf", "docx")


def report_render(
    *,
    actor,
    meeting: Meeting,
    level: int,
    fmt: str,
    as_of: datetime.date,
    language: str | None = None,
    now: bool = False,
    words: ChairsWords | None = None,
) -> Rendered:
    """The report as `actor` may tell it at `level`, laid out as `fmt`; nothing is kept.

    Refuses a level above the actor's clearance (ValidationError on `tlp`). `now`: for a
    web request, which refuses (TooLongForNow) a PDF or DOCX of more rows than
    settings.REPORT_NOW_MAX_ROWS; the HTML, and a worker's report, have no bound.
    `words`: the chair's summary and distribution a version was made with; without, the
    summary as it stands.
    """
    _check_format(fmt)
    check_level(actor, meeting, level)  # refused in the asker's language
    # Written in the version's language, whatever language the asker reads Talanoa in:
    # its labels (statuses, kinds, meeting names) too.
    with translation.override(_language(actor, language)):
        report = build_report(meeting=meeting, user=actor, level=level, as_of=as_of, words=words)
        if now and fmt in LAID_OUT and report.rows > settings.REPORT_NOW_MAX_ROWS:
            raise TooLongForNow(report.rows)
        return render(report, fmt)


def _store(report: GeneratedReport, rendered: Rendered) -> None:
    """Write the file; its name says what it is and has a random part nobody can guess."""
    forum = slugify(report.meeting.forum.acronym) or "forum"
    name = (
        f"{forum}-{report.meeting.sequence}-{TLP(report.level).name.lower()}-"
        f"{secrets.token_hex(16)}.{report.format}"
    )
    report.file.save(name, ContentFile(rendered.content), save=False)
    report.size = len(rendered.content)


def _made_with(meeting: Meeting, level: int, language: str) -> dict[str, str]:
    """What a version keeps of the moment it was asked for: the chair's summary as it then
    stood, if its label allows the version's level, and who may read it, in its language."""
    with translation.override(language):
        words = chairs_words(meeting, level)
    return {"language": language, **dataclasses.asdict(words)}


def _words(version: GeneratedReport) -> ChairsWords:
    """What the version was made with: the report says it, not the summary as it is now."""
    return ChairsWords(
        key_messages=version.key_messages,
        recommendations=version.recommendations,
        distribution=version.distribution,
    )


def report_generate(
    *,
    actor,
    meeting: Meeting,
    level: int,
    fmt: str,
    as_of: datetime.date,
    language: str | None = None,
) -> GeneratedReport:
    """Build, render and keep a new version now (the API's GET, the meeting page).

    A PDF or DOCX too long for a web request raises TooLongForNow: queue it instead.
    `language`: the asker's own (their profile) unless given.
    """
    started = timezone.now()
    language = _language(actor, language)
    # Read before it is laid out: the version keeps the summary it was made with.
    made_with = _made_with(meeting, level, language)
    rendered = report_render(
        actor=actor,
        meeting=meeting,
        level=level,
        fmt=fmt,
        as_of=as_of,
        language=language,
        now=True,
        words=ChairsWords(
            key_messages=made_with["key_messages"],
            recommendations=made_with["recommendations"],
            distribution=made_with["distribution"],
        ),
    )
    report = GeneratedReport(
        meeting=meeting,
        requested_by=actor,
        level=level,
        format=fmt,
        as_of=as_of,
        status=GeneratedReport.Status.DONE,
        started_at=started,
        finished_at=timezone.now(),
        **made_with,
    )
    _store(report, rendered)
    report.save()
    return report


@transaction.atomic
def report_request(
    *,
    actor,
    meeting: Meeting,
    level: int,
    fmt: str,
    as_of: datetime.date,
    language: str | None = None,
) -> GeneratedReport:
    """Queue a new version for a worker (large meetings); the job runs once this commits.

    It keeps the chair's summary as it is now, not as it will be when the worker runs.
    """
    from reports.jobs import generate_report  # jobs imports this module

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to request a report: it is kept under your name."))
    _check_format(fmt)
    language = _language(actor, language)
    # Refused now, not in the worker: the person learns at once what they may ask for.
    check_level(actor, meeting, level)
    report = GeneratedReport.objects.create(
        meeting=meeting,
        requested_by=actor,
        level=level,
        format=fmt,
        as_of=as_of,
        **_made_with(meeting, level, language),
    )
    transaction.on_commit(partial(generate_report.delay, report.pk))
    return report


def report_run(report_id: int) -> str:
    """The job's work: claim the queued row, build as its requester, store, mark done.

    Safe to run twice or concurrently: the claim is a conditional UPDATE, so one run does
    the work and the others return "taken". A claim older than the job time limit belongs
    to a worker that died (the broker redelivers its job): it is taken over.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORT_JOB_TIME_LIMIT)
    claimed = (
        GeneratedReport.objects.filter(pk=report_id)
        .filter(
            Q(status=GeneratedReport.Status.QUEUED)
            | Q(status=GeneratedReport.Status.RUNNING, started_at__lt=stale)
        )
        .update(status=GeneratedReport.Status.RUNNING, started_at=now, error="")
    )
    if not claimed:
        return "taken"  # done, failed, or being generated by another worker
    mine = GeneratedReport.objects.filter(
        pk=report_id, status=GeneratedReport.Status.RUNNING, started_at=now
    )
    report = GeneratedReport.objects.select_related("meeting__forum", "requested_by").get(
        pk=report_id
    )
    try:
        # As the person who asked, with their clearance today: if it has dropped below the
        # level since they asked, the report is refused, not written.
        rendered = report_render(
            actor=report.requested_by,
            meeting=report.meeting,
            level=report.level,
            fmt=report.format,
            as_of=report.as_of,
            language=report.language,
            words=_words(report),
        )
        _store(report, rendered)
    except Exception as error:
        log.exception("chair's report %s could not be generated", report_id)
        reason = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else f"{type(error).__name__}: {error}"
        )
        mine.update(status=GeneratedReport.Status.FAILED, error=reason, finished_at=timezone.now())
        return "failed"
    finished = mine.update(
        status=GeneratedReport.Status.DONE,
        file=report.file.name,
        size=report.size,
        finished_at=timezone.now(),
    )
    if not finished:
        # Taken over meanwhile (we were too slow): the other run's file is the one kept.
        report.file.delete(save=False)
        return "taken"
    return "done"


# --- the chair's summary, and a version sent ---------------------------------------------

WRITE_SUMMARY = gettext_lazy(
    "Only the meeting's chairs, and the secretariat for them, write the chair's summary."
)
MARK_SENT = gettext_lazy(
    "Only the meeting's chairs and the secretariat say which version leaders were sent."
)


def plain_text(text: str) -> str:
    """As typed, without the line endings' CRs and the trailing spaces of lines and text.

    Never HTML: every page, file and answer escapes it.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


@transaction.atomic
def chair_summary_save(
    *,
    actor,
    meeting: Meeting,
    key_messages: str,
    recommendations: str,
    tlp: int | None = None,
    expected_version: int | None = None,
) -> ChairSummary:
    """Write the meeting's chair's summary (made on its first save), as `actor`, recorded.

    `tlp`: who may read it (None: as it was; GREEN for a new one). `expected_version`: the
    version the writer read (0: there was none); someone else's save since is refused
    (PreconditionFailed) rather than overwritten. Text too long for the page is refused
    on its field, with its length, and nothing is saved.
    """
    require(policy.may_write_summary(actor, meeting), WRITE_SUMMARY)
    # The meeting's row, locked: two first saves of one summary wait for each other.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").get()
    summary = ChairSummary.objects.filter(meeting=meeting).first() or ChairSummary(meeting=meeting)
    current = summary.version if summary.pk else 0
    if expected_version is not None and expected_version != current:
        raise PreconditionFailed(current_version=current)
    wanted = {
        "key_messages": plain_text(key_messages),
        "recommendations": plain_text(recommendations),
        "tlp": summary.tlp if tlp is None else tlp,
    }
    if summary.pk and all(getattr(summary, name) == value for name, value in wanted.items()):
        return summary  # nothing changed: no new version, no empty history row
    for name, value in wanted.items():
        setattr(summary, name, value)
    summary.updated_by = actor
    return save_validated(summary, actor=actor)


def report_mark_sent(*, actor, report: GeneratedReport) -> GeneratedReport:
    """Record that leaders were sent this version: when, and who says so.

    Claimed with a conditional UPDATE, so two marks at once keep the first; marking a
    version already sent changes nothing. Only a finished version can have been sent.
    """
    require(policy.may_mark_sent(actor, report), MARK_SENT)
    if report.status != GeneratedReport.Status.DONE:
        raise ValidationError(_("Only a finished version can be sent: this one is not ready."))
    GeneratedReport.objects.filter(
        pk=report.pk, status=GeneratedReport.Status.DONE, sent_at__isnull=True
    ).update(sent_at=timezone.now(), sent_by=actor)
    report.refresh_from_db(fields=["sent_at", "sent_by"])
    return report
