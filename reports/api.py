"""The chair's report in the API: the file now, a queued one for a worker, and its record.

- `GET /api/v1/meetings/{id}/report/?format=pdf|docx|html&tlp=clear|green|amber&as_of=…`
  builds and returns the file. `format` is DRF's own content-negotiation parameter: each
  format is a renderer of this view, so an unknown one is a 404, as everywhere in DRF
  (without `format`, the Accept header chooses; `*/*` gets the PDF). `tlp` defaults to
  CLEAR, the level anyone may ask for; a level above the caller's clearance is a 400 on
  `tlp` naming the levels they may ask for (the caller learns only their own standing).
  A signed-in caller's report is kept (a GeneratedReport); an anonymous caller's public
  report is not: nobody could be shown it later, and an open endpoint that wrote a file
  on every request would let anyone fill the disk.
- `POST /api/v1/meetings/{id}/reports/` queues a large report for a worker: 202.
- `GET /api/v1/reports/` and `/reports/{id}/`: the records, each visible only to whoever
  asked for it and to the secretariat; `/reports/{id}/file/` downloads a finished one.
"""

from typing import TYPE_CHECKING

import django_filters
from django.http import FileResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, renderers, serializers, status, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from forums.access import audience_of
from forums.api.base import ResourceMixin, StrictSerializer, TLPField
from forums.api.filters import IdFilter
from forums.models import Meeting
from forums.tlp import TLP
from reports import services
from reports.content import LEVELS, allowed_levels, check_as_of, report_today
from reports.models import MEDIA_TYPES, GeneratedReport, download_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LEVEL_NAMES = [level.name.lower() for level in LEVELS]
FORMAT_NAMES = list(MEDIA_TYPES)


# --- renderers: one per format, so that `?format=pdf` selects it --------------------------


class FileRenderer(renderers.BaseRenderer):
    """Passes on the bytes reports/render.py made; errors are JSON (ErrorsAsJSON)."""

    charset: str | None = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFRenderer(FileRenderer):
    media_type = MEDIA_TYPES["pdf"]
    format = "pdf"


class DOCXRenderer(FileRenderer):
    media_type = MEDIA_TYPES["docx"]
    format = "docx"


class HTMLRenderer(FileRenderer):
    media_type = MEDIA_TYPES["html"]
    format = "html"
    charset = "utf-8"


class ErrorsAsJSON:
    """A refusal is JSON whatever file was asked for: a PDF renderer cannot say "400"."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return response


class IgnoreAccept(BaseContentNegotiation):
    """A download is the file it is, whatever Accept says (errors: the JSON renderer)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class ReportThrottle(UserRateThrottle):
    """Building a report takes seconds of a server: fewer per minute than plain reads."""

    scope = "reports"
    rate = "30/minute"


# api_settings imports the classes its settings name; the stubs type them as the names.
THROTTLES: list[type[BaseThrottle]] = [
    *api_settings.DEFAULT_THROTTLE_CLASSES,  # type: ignore[list-item]
    ReportThrottle,
]


# The HTML report is one self-contained file (its CSS in a <style> element, its charts
# inline SVG) that quotes what people typed: shown as a page of this site it may run
# nothing (sandbox), load nothing, and is framed by nobody. It replaces the site's policy
# (settings.CONTENT_SECURITY_POLICY), which would refuse the <style>.
HTML_REPORT_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def file_headers(response, fmt: str):
    # TLP:GREEN and AMBER text must not stay in shared caches.
    response["Cache-Control"] = "private, no-store"
    if fmt == "html":
        response["Content-Security-Policy"] = HTML_REPORT_POLICY
    return response


# --- serializers --------------------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    tlp = serializers.ChoiceField(choices=LEVEL_NAMES, default="clear")
    as_of = serializers.DateField(required=False, validators=[check_as_of])


class ReportRequestSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=GeneratedReport.Format.choices)
    tlp = serializers.ChoiceField(choices=LEVEL_NAMES, default="clear")
    as_of = serializers.DateField(required=False, validators=[check_as_of])


class GeneratedReportSerializer(serializers.ModelSerializer):
    meeting_name = serializers.CharField(source="meeting.__str__", read_only=True)
    tlp = TLPField(source="level", read_only=True)
    requested_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of whoever asked for it."
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedReport
        fields = [
            "id",
            "meeting",
            "meeting_name",
            "format",
            "tlp",
            "as_of",
            "status",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "size",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, report) -> str | None:
        if report.status != GeneratedReport.Status.DONE:
            return None
        url = reverse("api:report-file", kwargs={"pk": report.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def _level(name: str) -> int:
    return TLP[name.upper()].value


# --- views --------------------------------------------------------------------------------

FILE_RESPONSES = {
    (200, media_type): OpenApiResponse(
        OpenApiTypes.BINARY, description="The report: PDF, DOCX or HTML, as `format` chose."
    )
    for media_type in MEDIA_TYPES.values()
}


@extend_schema(tags=["reports"])
class MeetingReportView(ErrorsAsJSON, generics.GenericAPIView):
    queryset = Meeting.objects.select_related("forum")
    renderer_classes = [PDFRenderer, DOCXRenderer, HTMLRenderer]
    throttle_classes = THROTTLES

    @extend_schema(
        operation_id="meeting_report",
        summary="The chair's report of a meeting, as a file",
        description=(
            "Built now, as of `as_of` (default today), for the audience `tlp` (default "
            "clear; green and amber up to your clearance in the meeting's forum, else a "
            "400 naming the levels you may ask for). `format` chooses the file (an unknown "
            "format is a 404); PDF and DOCX come as attachments, HTML inline. A signed-in "
            "caller's report is kept: see /api/v1/reports/. A PDF or DOCX too long to lay "
            "out within a request (over REPORT_NOW_MAX_ROWS rows, 600 by default) is queued "
            "for a worker instead, as the POST would: 202 with its record, and Location."
        ),
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=FORMAT_NAMES,
                description="The file: pdf, docx or html (default: by Accept, else pdf).",
            ),
            OpenApiParameter("tlp", str, enum=LEVEL_NAMES, default="clear"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses={
            **FILE_RESPONSES,
            202: OpenApiResponse(
                GeneratedReportSerializer, description="Too long for now: queued instead."
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        meeting = self.get_object()
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = request.accepted_renderer.format
        level = _level(query.validated_data["tlp"])
        as_of = query.validated_data.get("as_of") or report_today()
        try:
            if request.user.is_authenticated:
                report = services.report_generate(
                    actor=request.user, meeting=meeting, level=level, fmt=fmt, as_of=as_of
                )
                with report.file.open("rb") as stored:
                    content = stored.read()
            else:
                content = services.report_render(
                    actor=request.user,
                    meeting=meeting,
                    level=level,
                    fmt=fmt,
                    as_of=as_of,
                    now=True,
                ).content
        except services.TooLongForNow as too_long:
            return self._queued_instead(request, meeting, level, fmt, as_of, too_long.rows)
        name = download_name(meeting, level, fmt, as_of)
        response = Response(
            content,
            headers={"Content-Disposition": content_disposition_header(fmt != "html", name)},
        )
        return file_headers(response, fmt)

    def _queued_instead(self, request, meeting, level, fmt, as_of, rows: int) -> Response:
        """Too long to lay out now: queued for a worker (202), as the POST would have."""
        if not request.user.is_authenticated:
            raise exceptions.ValidationError(
                {
                    "format": [
                        _(
                            "This report is too long to lay out now (%(rows)s rows): sign in "
                            "to have it made by a worker, or ask for format=html."
                        )
                        % {"rows": rows}
                    ]
                }
            )
        report = services.report_request(
            actor=request.user, meeting=meeting, level=level, fmt=fmt, as_of=as_of
        )
        # A record, not the file: JSON, as a refusal is (ErrorsAsJSON).
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = renderers.JSONRenderer.media_type
        return Response(
            _report_record(report, request),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:report-detail", kwargs={"pk": report.pk})},
        )


def _report_record(report: GeneratedReport, request) -> dict:
    fresh = GeneratedReport.objects.select_related("meeting__forum", "requested_by").get(
        pk=report.pk
    )
    return GeneratedReportSerializer(fresh, context={"request": request}).data


@extend_schema(tags=["reports"])
class MeetingReportRequestView(generics.GenericAPIView):
    queryset = Meeting.objects.select_related("forum")
    serializer_class = ReportRequestSerializer
    throttle_classes = THROTTLES

    @extend_schema(
        operation_id="meeting_report_request",
        summary="Queue the chair's report of a meeting (large meetings)",
        description=(
            "A worker generates it; follow its status at /api/v1/reports/{id}/ and download "
            "it from `download_url` when done. Same levels as the GET."
        ),
        request=ReportRequestSerializer,
        responses={202: GeneratedReportSerializer},
    )
    def post(self, request, *args, **kwargs):
        meeting = self.get_object()
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_request(
            actor=request.user,
            meeting=meeting,
            level=_level(body.validated_data["tlp"]),
            fmt=body.validated_data["format"],
            as_of=body.validated_data.get("as_of") or report_today(),
        )
        return Response(_report_record(report, request), status=status.HTTP_202_ACCEPTED)


class GeneratedReportFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    status = django_filters.ChoiceFilter(choices=GeneratedReport.Status.choices)

    class Meta:
        model = GeneratedReport
        fields = ["meeting", "status"]


@extend_schema(tags=["reports"])
class GeneratedReportViewSet(ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """Chair's reports generated: yours (the secretariat: everyone's), newest first."""

    serializer_class = GeneratedReportSerializer
    filterset_class = GeneratedReportFilter
    default_ordering = "-created"
    ordering_choices = {"-created": ("-created_at", "-id"), "created": ("created_at", "id")}

    def get_queryset(self):
        return GeneratedReport.objects.visible_to(self.request.user).select_related(
            "meeting__forum", "requested_by"
        )


@extend_schema(tags=["reports"])
class GeneratedReportFileView(ErrorsAsJSON, generics.GenericAPIView):
    renderer_classes = [renderers.JSONRenderer]  # for refusals; the file is the file
    content_negotiation_class = IgnoreAccept

    def get_queryset(self):
        return GeneratedReport.objects.visible_to(self.request.user).select_related(
            "meeting__forum"
        )

    @extend_schema(
        operation_id="report_file",
        summary="Download a generated report",
        description=(
            "The file of a finished report (404 until it is done). Refused (403) if your "
            "clearance no longer covers the report's level."
        ),
        responses=FILE_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        report = self.get_object()
        if report.status != GeneratedReport.Status.DONE:
            raise exceptions.NotFound(_("The report is not ready: see its status."))
        audience = audience_of(request.user)
        if not audience.is_secretariat and report.level not in allowed_levels(
            request.user, report.meeting
        ):
            raise exceptions.PermissionDenied(
                _("Your clearance in this forum no longer covers the report's level.")
            )
        response = FileResponse(
            report.file.open("rb"),
            as_attachment=report.format != GeneratedReport.Format.HTML,
            filename=report.download_name,
            content_type=HTMLRenderer.media_type + "; charset=utf-8"
            if report.format == GeneratedReport.Format.HTML
            else report.media_type,
        )
        return file_headers(response, report.format)
