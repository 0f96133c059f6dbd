"""Every chair's report generated, kept: who asked, when, at which level, and the file.

The chair must be able to show what Forum leaders were sent, so the app never deletes a
row or its file (no delete in the admin, PROTECT on the meeting and the requester).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from forums.access import audience_of
from forums.models import Meeting
from forums.tlp import TLP
from reports.content import LEVELS
from reports.storage import DatabaseStorage

# What each format is on the wire; the renderers (reports/render.py) produce the same.
MEDIA_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class GeneratedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GeneratedReportQuerySet":
        """A report's record is its requester's and the secretariat's; nobody else's."""
        audience = audience_of(user)
        if audience.is_secretariat:
            return self
        if audience.is_anonymous:
            return self.none()
        return self.filter(requested_by_id=audience.user_id)


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

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("generated chair's report")
        verbose_name_plural = _("generated chair's reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__lte=TLP.AMBER), name="generated_report_never_red"
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.meeting} — {TLP(self.level).label}, {self.get_format_display()}"

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
