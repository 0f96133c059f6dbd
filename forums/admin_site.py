"""The secretariat's admin site: Django's, with pickers that name what they find as the
model's admin names it (people as "Name (Agency, State)", forums/people.py)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """A picker's search results, labelled by the searched admin's `autocomplete_label`
    when it has one, so the list reads as the chosen value will (label_from_instance)."""

    def serialize_result(self, obj, to_field_name):
        label = getattr(self.model_admin, "autocomplete_label", str)
        return {"id": str(getattr(obj, to_field_name)), "text": label(obj)}


class TalanoaAdminSite(admin.AdminSite):
    # The model list beside every page took 300 px of a 1280 px screen, and lists and
    # inline tables scrolled sideways; the index and the breadcrumbs lead to every page.
    enable_nav_sidebar = False

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class TalanoaAdminConfig(AdminConfig):
    """Django's admin app on the site above (INSTALLED_APPS names this, not the admin)."""

    default_site = "forums.admin_site.TalanoaAdminSite"
