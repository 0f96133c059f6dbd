from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found

admin.site.site_header = _("Talanoa secretariat")
admin.site.site_title = "Talanoa"
admin.site.index_title = _("Forums, outcomes and working groups")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("config.api_router")),
    path("reminders/", include("workinggroups.urls")),
    path("calendar/", include("workinggroups.calendar_urls")),
    path("", include("pages.urls")),
]


def not_found(request, exception=None):
    """JSON for API paths (clients parse it), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
