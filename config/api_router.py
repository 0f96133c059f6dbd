"""The REST API under /api/v1/: resources, token login, OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from config.api_auth import ObtainToken
from forums.api.views import ForumViewSet, MeetingViewSet, MemberViewSet
from outcomes.api.views import OutcomeDocumentViewSet, OutcomeViewSet
from workinggroups.api.views import TaskViewSet, WorkingGroupViewSet

router = DefaultRouter()
router.register("forums", ForumViewSet, basename="forum")
router.register("members", MemberViewSet, basename="member")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("outcome-documents", OutcomeDocumentViewSet, basename="outcomedocument")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("working-groups", WorkingGroupViewSet, basename="workinggroup")
router.register("tasks", TaskViewSet, basename="task")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
