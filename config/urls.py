from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from django.views.generic import RedirectView

admin.site.site_header = "Talanoa secretariat"
admin.site.site_title = "Talanoa"
admin.site.index_title = "Forums, outcomes and working groups"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("reminders/", include("workinggroups.urls")),
    path("calendar/", include("workinggroups.calendar_urls")),
]


def not_found(request, exception=None):
    """JSON for API paths (clients parse it), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
