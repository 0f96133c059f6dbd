"""The chair's summary of a meeting, and every chair's report generated from it, kept.

A version (a GeneratedReport) keeps who asked, when, at which level, in which language,
the summary it was made with, and the file. The chair must be able to show what Forum
leaders were sent, so the app never deletes a row or its file (no delete in the admin,
PROTECT on the meeting and the people), and never remakes a version in place: asking
again makes a new version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forums.access import audience_of, secretariat_people, tlp_rule
from forums.audit import Versioned
from forums.models import Chair, Meeting, Profile
from forums.tlp import TLP
from reports.content import LEVELS, ChairsWords
from reports.storage import DatabaseStorage

# What each format is on the wire; the renderers (reports/render.py) produce the same.
MEDIA_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# Who may read a report, or a chair's summary, at each level: TLP 2.0's meanings (FIRST)
# in the forum's words. The report form offers them; a version keeps them as its
# distribution line.
READERS = {
    TLP.CLEAR: _("Anyone; it may be published"),
    TLP.GREEN: _("The forum's members and observers; not to be published"),
    TLP.AMBER: _(
        "The forum's chairs, working groups and secretariat; each shares it within their "
        "own organisation, only with those who need to know"
    ),
}


def readers_of(level: int) -> str:
    """Who may read it, in words, with its label: "… (TLP:GREEN)", in the active language."""
    label = TLP(level)
    return gettext("%(readers)s (%(label)s)") % {"readers": READERS[label], "label": label.label}


# Key messages or recommendations fit on the report's first page, after the cover: some
# 250 words each.
SUMMARY_MAX_CHARS = 1500


def summary_length(text: str) -> int:
    """Characters as the writer counts them: a line break is one, as the browser sent it
    (a form sends each as two, CR LF)."""
    return len(text.replace("\r\n", "\n"))


def check_summary_length(text: str) -> None:
    """Refuse a text that would not fit on the page, saying how long it is."""
    count = summary_length(text)
    if count > SUMMARY_MAX_CHARS:
        raise ValidationError(
            gettext(
                "Keep it to %(limit)s characters, so that it fits on the page: this has %(count)s."
            )
            % {
                "limit": number_format(SUMMARY_MAX_CHARS, force_grouping=True),
                "count": number_format(count, force_grouping=True),
            },
            code="max_length",
        )


class ChairSummaryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChairSummaryQuerySet":
        """Read within its label, as an outcome of the meeting's forum is (RED: never)."""
        audience = audience_of(user)
        return self.filter(
            tlp_rule(
                audience,
                label="tlp",
                forum="meeting__forum_id",
                amber=Q(meeting__forum_id__in=audience.amber_forums),
                red=None,
            )
        )


class ChairSummary(Versioned):
    """The chair's key messages and recommendations to leaders: the brief's first page.

    Written by the meeting's chairs or the secretariat for them (reports.policy), in plain
    text: every page, file and answer that shows it escapes it. It carries a TLP label
    like everything said in Talanoa: a report below it leaves it out.
    """

    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="chair_summary",
    )
    key_messages = models.TextField(
        _("key messages"),
        blank=True,
        validators=[check_summary_length, ProhibitNullCharactersValidator()],
    )
    recommendations = models.TextField(
        _("recommendations"),
        blank=True,
        validators=[check_summary_length, ProhibitNullCharactersValidator()],
    )
    tlp = models.PositiveSmallIntegerField(
        pgettext_lazy("chair's summary", "who may read it"),
        choices=[(level.value, level.label) for level in LEVELS],
        default=TLP.GREEN,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    objects = ChairSummaryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chair's summary")
        verbose_name_plural = _("chair's summaries")
        constraints = [
            models.CheckConstraint(condition=Q(tlp__lte=TLP.AMBER), name="chair_summary_never_red"),
        ]

    def __str__(self) -> str:
        return gettext("Chair's summary of %(meeting)s") % {"meeting": self.meeting}

    def readable_at(self, level: int) -> bool:
        """Whether a report at `level` may carry it."""
        return self.tlp <= level


def chairs_words(meeting: Meeting, level: int) -> ChairsWords:
    """What a report at `level` says besides the record, as of now: the chair's summary if
    its label allows the level, and who may read the report, in the active language. A
    version keeps them (reports.services); a report made without one reads them here."""
    summary = ChairSummary.objects.filter(meeting=meeting).first()
    carried = summary is not None and summary.readable_at(level)
    return ChairsWords(
        key_messages=summary.key_messages if summary and carried else "",
        recommendations=summary.recommendations if summary and carried else "",
        distribution=readers_of(level),
    )


class GeneratedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GeneratedReportQuerySet":
        """A version is its requester's and the secretariat's; and the meeting's chairs'
        when it was made by someone who speaks for the meeting (a chair of it, or the
        secretariat, who prepares versions for the chair), so that they see which one
        leaders were sent. A delegate's own download stays the delegate's.
        """
        audience = audience_of(user)
        if audience.is_secretariat:
            return self
        if audience.is_anonymous:
            return self.none()
        chaired = Chair.objects.filter(person_id=audience.user_id).values("meeting_id")
        by_a_chair = Chair.objects.filter(
            meeting_id=OuterRef("meeting_id"), person_id=OuterRef("requested_by_id")
        )
        speaks_for_it = Q(requested_by__in=secretariat_people()) | Q(Exists(by_a_chair))
        return self.filter(
            Q(requested_by_id=audience.user_id) | (Q(meeting_id__in=chaired) & speaks_for_it)
        )


class StoredFile(models.Model):
    """The bytes of a generated report, kept in the database (reports/storage.py).

    The database is the one store every web and worker machine shares: a worker on one
    machine writes the file that a web server on another sends (README, "Production").
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.name


class GeneratedReport(models.Model):
    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX (Word)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="generated_reports",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="generated_reports",
        verbose_name=_("requested by"),
    )
    # A report is written for an audience up to TLP:AMBER; RED is for named people only.
    level = models.PositiveSmallIntegerField(
        _("TLP level"), choices=[(level.value, level.label) for level in LEVELS]
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    as_of = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Named <forum>-<sequence>-<level>-<random>.<ext>: the random part keeps it unguessable.
    file = models.FileField(
        _("file"),
        upload_to="reports/%Y/%m/",
        storage=DatabaseStorage(),
        blank=True,
        max_length=255,
    )
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # When a worker claimed it: a claim older than the job time limit is a dead worker's.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Profile.Language.choices,
        default=Profile.Language.ENGLISH,
    )
    # What the version was made with, frozen when it was asked for: the chair's summary
    # (empty when there was none, or when its label is above the version's level) and
    # who may read it, in the version's language.
    key_messages = models.TextField(_("key messages"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    distribution = models.CharField(_("distribution"), max_length=300, blank=True)
    # Marked by a chair or the secretariat once leaders have it (report_mark_sent).
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("generated chair's report")
        verbose_name_plural = _("generated chair's reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__lte=TLP.AMBER), name="generated_report_never_red"
            ),
            # Only a finished file can have been sent; a sent version is never claimed
            # by a worker again (report_run), so its file is never remade.
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(status="done"),
                name="generated_report_sent_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["meeting", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} — {TLP(self.level).label}, {self.get_format_display()}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def readers(self) -> str:
        """Who may read it, in the reader's language (the distribution line is frozen)."""
        return readers_of(self.level)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def download_name(self) -> str:
        """What the person saves it as: "JHOPS-5-chairs-report-TLP-GREEN-2023-08-24.pdf"."""
        return download_name(self.meeting, self.level, self.format, self.as_of)


def download_name(meeting: Meeting, level: int, fmt: str, as_of) -> str:
    forum = slugify(meeting.forum.acronym).upper() or "forum"
    return f"{forum}-{meeting.sequence}-chairs-report-TLP-{TLP(level).name}-{as_of}.{fmt}"
