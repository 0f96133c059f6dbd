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
- `GET /api/v1/reports/` and `/reports/{id}/`: the versions, each visible to whoever
  asked for it, its meeting's chairs and the secretariat, with the chair's summary it was
  made with; `/reports/{id}/file/` downloads a finished one, `POST /reports/{id}/sent/`
  records that leaders were sent it.
- `GET|PUT /api/v1/meetings/{id}/summary/`: the chair's summary, read within its label,
  written by the meeting's chairs and the secretariat (If-Match once it exists).
"""

from typing import TYPE_CHECKING

import django_filters
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
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
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from forums.access import audience_of
from forums.api.base import (
    ResourceMixin,
    StrictSerializer,
    TLPField,
    etag_response,
    expected_version,
)
from forums.api.filters import IdFilter
from forums.models import Meeting, Profile
from forums.policy import require
from forums.tlp import TLP
from reports import policy, services
from reports.content import LEVELS, allowed_levels, check_as_of, report_today
from reports.models import (
    MEDIA_TYPES,
    SUMMARY_MAX_CHARS,
    ChairSummary,
    GeneratedReport,
    check_summary_length,
    download_name,
)

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


def report_file_response(report: GeneratedReport) -> FileResponse:
    """A version's file: the HTML opens in the browser (its own policy), the others download."""
    html = report.format == GeneratedReport.Format.HTML
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=not html,
        filename=report.download_name,
        content_type=HTMLRenderer.media_type + "; charset=utf-8" if html else report.media_type,
    )
    return file_headers(response, report.format)


# --- serializers --------------------------------------------------------------------------


LANGUAGE_HELP = "en or fr (default: the language you read Talanoa in)."


class ReportQuerySerializer(serializers.Serializer):
    tlp = serializers.ChoiceField(choices=LEVEL_NAMES, default="clear")
    as_of = serializers.DateField(required=False, validators=[check_as_of])
    language = serializers.ChoiceField(choices=Profile.Language.values, required=False)


class ReportRequestSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=GeneratedReport.Format.choices)
    tlp = serializers.ChoiceField(choices=LEVEL_NAMES, default="clear")
    as_of = serializers.DateField(required=False, validators=[check_as_of])
    language = serializers.ChoiceField(
        choices=Profile.Language.values, required=False, help_text=LANGUAGE_HELP
    )


class FrozenSummarySerializer(serializers.ModelSerializer):
    """The chair's summary as it stood when the version was asked for."""

    class Meta:
        model = GeneratedReport
        fields = ["key_messages", "recommendations"]
        read_only_fields = fields


class GeneratedReportSerializer(serializers.ModelSerializer):
    meeting_name = serializers.CharField(source="meeting.__str__", read_only=True)
    tlp = TLPField(source="level", read_only=True)
    requested_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of whoever asked for it."
    )
    summary = FrozenSummarySerializer(
        source="*",
        read_only=True,
        help_text="The chair's summary it was made with (empty: none, or above its level).",
    )
    sent_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Username of whoever marked it sent (null: a draft).",
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
            "language",
            "as_of",
            "distribution",
            "summary",
            "status",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "size",
            "error",
            "sent_at",
            "sent_by",
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
            OpenApiParameter(
                "language", str, enum=Profile.Language.values, description=LANGUAGE_HELP
            ),
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
        asked = {
            "meeting": meeting,
            "level": _level(query.validated_data["tlp"]),
            "fmt": request.accepted_renderer.format,
            "as_of": query.validated_data.get("as_of") or report_today(),
            "language": query.validated_data.get("language"),
        }
        try:
            if request.user.is_authenticated:
                report = services.report_generate(actor=request.user, **asked)
                with report.file.open("rb") as stored:
                    content = stored.read()
            else:
                content = services.report_render(actor=request.user, now=True, **asked).content
        except services.TooLongForNow as too_long:
            return self._queued_instead(request, asked, too_long.rows)
        fmt = asked["fmt"]
        name = download_name(meeting, asked["level"], fmt, asked["as_of"])
        response = Response(
            content,
            headers={"Content-Disposition": content_disposition_header(fmt != "html", name)},
        )
        return file_headers(response, fmt)

    def _queued_instead(self, request, asked: dict, rows: int) -> Response:
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
        report = services.report_request(actor=request.user, **asked)
        # A record, not the file: JSON, as a refusal is (ErrorsAsJSON).
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = renderers.JSONRenderer.media_type
        return Response(
            _report_record(report, request),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:report-detail", kwargs={"pk": report.pk})},
        )


def _report_record(report: GeneratedReport, request) -> dict:
    fresh = GeneratedReport.objects.select_related("meeting__forum", "requested_by", "sent_by").get(
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
            language=body.validated_data.get("language"),
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
            "meeting__forum", "requested_by", "sent_by"
        )

    @extend_schema(
        operation_id="report_mark_sent",
        summary="Record that leaders were sent this version",
        description=(
            "For the meeting's chairs and the secretariat (else 403); a version not yet "
            "made is a 400. Marking a version already sent changes nothing: it keeps when "
            "it was first marked, and by whom."
        ),
        request=None,
        responses=GeneratedReportSerializer,
    )
    @action(detail=True, methods=["post"], url_path="sent")
    def sent(self, request, pk=None, format=None):
        report = services.report_mark_sent(actor=request.user, report=self.get_object())
        return Response(_report_record(report, request))


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
        return report_file_response(report)


# --- the chair's summary ------------------------------------------------------------------


class ChairSummarySerializer(serializers.ModelSerializer):
    tlp = TLPField(read_only=True, help_text="Who may read it; a report below it leaves it out.")
    updated_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    etag = serializers.CharField(read_only=True, help_text="Send it as If-Match to change it.")

    class Meta:
        model = ChairSummary
        fields = [
            "meeting",
            "key_messages",
            "recommendations",
            "tlp",
            "updated_by",
            "updated_at",
            "version",
            "etag",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "maxLength": SUMMARY_MAX_CHARS})
class SummaryTextField(serializers.CharField):
    """Refused over the length that fits a page, with its count (reports.models), which
    DRF's own max_length would not say; the schema still declares the limit."""


def _summary_text(label: str) -> serializers.CharField:
    return SummaryTextField(
        allow_blank=True,
        trim_whitespace=False,
        validators=[check_summary_length],
        help_text=f"{label}: plain text, line breaks kept, up to {SUMMARY_MAX_CHARS:,} characters.",
    )


class ChairSummaryWriteSerializer(StrictSerializer):
    key_messages = _summary_text("The chair's key messages")
    recommendations = _summary_text("The recommendations to leaders")
    tlp = serializers.ChoiceField(
        choices=LEVEL_NAMES,
        required=False,
        help_text="Who may read it (default: as it was; green for a new summary).",
    )


@extend_schema(tags=["reports"])
class ChairSummaryView(generics.GenericAPIView):
    """The chair's summary of a meeting: its key messages and recommendations to leaders."""

    queryset = Meeting.objects.select_related("forum")
    serializer_class = ChairSummarySerializer

    def _summary(self, meeting) -> ChairSummary:
        return get_object_or_404(
            ChairSummary.objects.visible_to(self.request.user).select_related("updated_by"),
            meeting=meeting,
        )

    @extend_schema(
        operation_id="meeting_summary",
        summary="The chair's summary of a meeting",
        description="404 while there is none, or when its label is above your clearance.",
    )
    def get(self, request, *args, **kwargs):
        summary = self._summary(self.get_object())
        return etag_response(summary, ChairSummarySerializer(summary).data)

    @extend_schema(
        operation_id="meeting_summary_write",
        summary="Write the chair's summary of a meeting",
        description=(
            "For the meeting's chairs and the secretariat (else 403). Once it exists, send "
            "`If-Match` with the ETag you read (428 without, 412 if someone saved since). "
            f"A text over {SUMMARY_MAX_CHARS:,} characters is a 400 on its field saying how "
            "long it is, and nothing is saved."
        ),
        request=ChairSummaryWriteSerializer,
        responses=ChairSummarySerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="The ETag you last read: required once a summary exists (428).",
            )
        ],
    )
    def put(self, request, *args, **kwargs):
        meeting = self.get_object()
        require(policy.may_write_summary(request.user, meeting), services.WRITE_SUMMARY)
        exists = ChairSummary.objects.filter(meeting=meeting).exists()
        # Without a summary there is nothing to overwrite: version 0, "I saw none".
        version = expected_version(request) if exists or "If-Match" in request.headers else 0
        body = ChairSummaryWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            services.chair_summary_save(
                actor=request.user,
                meeting=meeting,
                key_messages=data["key_messages"],
                recommendations=data["recommendations"],
                tlp=_level(data["tlp"]) if "tlp" in data else None,
                expected_version=version,
            )
            summary = self._summary(meeting)
        return etag_response(summary, ChairSummarySerializer(summary).data)
