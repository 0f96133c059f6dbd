"""The REST API under /api/v1/: resources, token login, OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from config.api_auth import ObtainToken
from forums.api.base import ID_PATTERN
from forums.api.views import ForumViewSet, MeetingViewSet, MemberViewSet
from outcomes.api.imports import StatementImportView
from outcomes.api.views import OutcomeDocumentViewSet
from reports.api import (
    ChairSummaryView,
    GeneratedReportFileView,
    GeneratedReportViewSet,
    MeetingReportRequestView,
    MeetingReportView,
)
from workinggroups.api.lineage import OutcomeLineageView
from workinggroups.api.outcomes import OutcomeViewSet
from workinggroups.api.views import TaskViewSet, WorkingGroupViewSet

router = DefaultRouter()
router.register("forums", ForumViewSet, basename="forum")
router.register("members", MemberViewSet, basename="member")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("outcome-documents", OutcomeDocumentViewSet, basename="outcomedocument")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("working-groups", WorkingGroupViewSet, basename="workinggroup")
router.register("tasks", TaskViewSet, basename="task")
router.register("reports", GeneratedReportViewSet, basename="report")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # The chair's report: files, not resources, so no `.json` twins (the format is the
    # `?format=` query parameter, DRF's own).
    re_path(
        rf"^meetings/(?P<pk>{ID_PATTERN})/report/$",
        MeetingReportView.as_view(),
        name="meeting-report",
    ),
    re_path(
        rf"^meetings/(?P<pk>{ID_PATTERN})/reports/$",
        MeetingReportRequestView.as_view(),
        name="meeting-reports",
    ),
    re_path(
        rf"^meetings/(?P<pk>{ID_PATTERN})/summary/$",
        ChairSummaryView.as_view(),
        name="meeting-summary",
    ),
    re_path(
        rf"^reports/(?P<pk>{ID_PATTERN})/file/$",
        GeneratedReportFileView.as_view(),
        name="report-file",
    ),
    re_path(
        rf"^outcomes/(?P<pk>{ID_PATTERN})/lineage/$",
        OutcomeLineageView.as_view(),
        name="outcome-lineage",
    ),
    # Before the router's routes: a path of its own, not an outcome document's id.
    path(
        "outcome-documents/import/",
        StatementImportView.as_view(),
        name="outcomedocument-import",
    ),
    path("", include(router.urls)),
]
