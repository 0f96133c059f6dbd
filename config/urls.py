from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Talanoa secretariat"
admin.site.site_title = "Talanoa"
admin.site.index_title = "Forums, outcomes and working groups"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
