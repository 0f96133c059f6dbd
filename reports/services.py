"""The writes of the reports app: a chair's report generated now, or queued for a worker.

Building and rendering take seconds on a large meeting, so they run outside any
transaction (on SQLite a transaction holds the database's write lock from its first
statement); only the short writes of the row are transactions. A file is written before
its row points at it: a crash in between leaves an unreferenced file, never a row whose
file is missing.
"""

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

from forums.models import Meeting
from forums.tlp import TLP
from reports.content import build_report, check_level
from reports.models import GeneratedReport
from reports.render import FORMATS, Rendered, render

log = logging.getLogger(__name__)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError(
            {"format": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}]}
        )


class TooLongForNow(Exception):
    """A PDF or DOCX too long to lay out within a web request: a worker must make it."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


# WeasyPrint lays out each page on one core, so a faster server hardly shortens it: a
# report of thousands of rows would hold a web worker for minutes (README, "Benchmark").
LAID_OUT = ("pdf", "docx")


def report_render(
    *, actor, meeting: Meeting, level: int, fmt: str, as_of: datetime.date, now: bool = False
) -> Rendered:
    """The report as `actor` may tell it at `level`, laid out as `fmt`; nothing is kept.

    Refuses a level above the actor's clearance (ValidationError on `tlp`). `now`: for a
    web request, which refuses (TooLongForNow) a PDF or DOCX of more rows than
    settings.REPORT_NOW_MAX_ROWS; the HTML, and a worker's report, have no bound.
    """
    _check_format(fmt)
    check_level(actor, meeting, level)  # refused in the asker's language
    # The report goes to Forum leaders in English, whatever language the asker reads
    # Talanoa in: its labels (statuses, kinds, meeting names) are English too.
    with translation.override("en"):
        report = build_report(meeting=meeting, user=actor, level=level, as_of=as_of)
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


def report_generate(
    *, actor, meeting: Meeting, level: int, fmt: str, as_of: datetime.date
) -> GeneratedReport:
    """Build, render and keep a report now (the API's GET). Synchronous.

    A PDF or DOCX too long for a web request raises TooLongForNow: queue it instead.
    """
    started = timezone.now()
    rendered = report_render(
        actor=actor, meeting=meeting, level=level, fmt=fmt, as_of=as_of, now=True
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
    )
    _store(report, rendered)
    report.save()
    return report


@transaction.atomic
def report_request(
    *, actor, meeting: Meeting, level: int, fmt: str, as_of: datetime.date
) -> GeneratedReport:
    """Queue a report for a worker (large meetings); the job runs once this commits."""
    from reports.jobs import generate_report  # jobs imports this module

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to request a report: it is kept under your name."))
    _check_format(fmt)
    # Refused now, not in the worker: the person learns at once what they may ask for.
    check_level(actor, meeting, level)
    report = GeneratedReport.objects.create(
        meeting=meeting, requested_by=actor, level=level, format=fmt, as_of=as_of
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
