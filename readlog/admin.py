from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from forums.admin_base import ReadOnlyAdminMixin
from forums.people import person_search_fields
from readlog.models import RedRead


class ItemKindFilter(admin.SimpleListFilter):
    title = _("item kind")
    parameter_name = "item_kind"

    def lookups(self, request, model_admin):
        kinds = RedRead.objects.order_by().values_list("item_kind", flat=True).distinct()
        return [(kind, _kind_name(kind)) for kind in sorted(kinds)]

    def queryset(self, request, queryset):
        return queryset.filter(item_kind=self.value()) if self.value() else queryset


def _kind_name(kind: str) -> str:
    try:
        return str(apps.get_model(kind)._meta.verbose_name)
    except LookupError:
        return kind


@admin.register(RedRead)
class RedReadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The secretariat reads the log here; nobody, superusers included, edits it."""

    list_display = ["at", "reader", "channel", "kind", "item_id"]
    list_filter = ["channel", ItemKindFilter, "at", ("reader", admin.RelatedOnlyFieldListFilter)]
    search_fields = [*person_search_fields("reader"), "=item_id"]
    list_select_related = ["reader"]
    date_hierarchy = "at"
    actions = None
    fields = readonly_fields = ("at", "reader", "channel", "kind", "item_id")

    @admin.display(description=_("item kind"), ordering="item_kind")
    def kind(self, read: RedRead) -> str:
        return _kind_name(read.item_kind)
