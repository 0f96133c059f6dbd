"""The secretariat's side of the chair's report: the chair's summaries, the versions kept,
and an action on meetings.

The action sits on the meeting list, whose admin belongs to `forums`; forums must not
import reports (models depend one way), so the action is a mixin here and the
secretariat's admin (secretariat/admin.py) puts it on the meeting list.
"""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from forums.admin_base import (
    AuditedAdmin,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
    adopt,
    as_validation_error,
)
from forums.models import Profile
from forums.people import person_search_fields
from forums.tlp import TLP
from reports import services
from reports.content import LEVELS, check_as_of, report_today
from reports.models import ChairSummary, GeneratedReport, readers_of

if TYPE_CHECKING:
    # The action is only ever mixed into a ServiceAdminMixin admin: for the checker, one.
    _ModelAdmin = ServiceAdminMixin
else:
    _ModelAdmin = object


@admin.register(ChairSummary)
class ChairSummaryAdmin(AuditedAdmin):
    """The chair's summaries, written here by the secretariat for the chairs (or on the
    meeting page by the chairs): through the service, which records who and when."""

    list_display = ["meeting", "tlp", "updated_by", "updated_at", "version"]
    list_filter = ["tlp", ("meeting__forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["meeting__forum", "updated_by"]
    search_fields = ["meeting__title", "meeting__forum__acronym", "key_messages"]
    autocomplete_fields = ["meeting"]
    fields = ["meeting", "tlp", "key_messages", "recommendations", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # One summary per meeting: its meeting is chosen once.
        return [*self.readonly_fields, "meeting"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # the versions made from it keep their own copy; the summary stays

    def record(self, request, obj, form, change):
        adopt(
            obj,
            services.chair_summary_save(
                actor=request.user,
                meeting=obj.meeting,
                key_messages=obj.key_messages,
                recommendations=obj.recommendations,
                tlp=obj.tlp,
            ),
        )


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each leader was sent: every version kept, read-only, never deleted."""

    list_display = [
        "meeting",
        "format",
        "level_label",
        "language",
        "as_of",
        "requested_by",
        "status",
        "sent_at",
        "created_at",
        "size_label",
        "download",
    ]
    list_filter = [
        "status",
        ("sent_at", admin.EmptyFieldListFilter),
        "format",
        "level",
        "language",
        ("meeting__forum", admin.RelatedOnlyFieldListFilter),
        ("requested_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["meeting__forum", "requested_by"]
    search_fields = [
        "meeting__title",
        "meeting__forum__acronym",
        *person_search_fields("requested_by"),
    ]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "meeting",
        "format",
        "level",
        "language",
        "as_of",
        "distribution",
        "key_messages",
        "recommendations",
        "requested_by",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "sent_at",
        "sent_by",
        "size",
        "download",
        "error",
    )
    actions = ["mark_sent"]

    def has_mark_sent_permission(self, request):
        # Whoever reads the versions may ask; the service lets the secretariat through.
        return request.user.has_perm("reports.view_generatedreport")

    @admin.action(description=_("Mark as sent to leaders"), permissions=["mark_sent"])
    def mark_sent(self, request, queryset):
        sent = 0
        for report in queryset.select_related("meeting__forum"):
            try:
                services.report_mark_sent(actor=request.user, report=report)
            except (ValidationError, PermissionDenied) as refusal:
                reason = " ".join(as_validation_error(refusal).messages)
                self.message_user(request, f"{report}: {reason}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                gettext("%(count)d version(s) marked as sent.") % {"count": sent},
                messages.SUCCESS,
            )

    @admin.display(description=_("TLP level"), ordering="level")
    def level_label(self, report):
        return TLP(report.level).label

    @admin.display(description=_("size"), ordering="size")
    def size_label(self, report):
        if report.status != GeneratedReport.Status.DONE:
            return "—"
        if report.size < 1024:
            return _("%(size)s B") % {"size": report.size}
        # Grouped as the reader's language groups thousands: 1,234 KB; 1 234 Ko.
        size = number_format(round(report.size / 1024), force_grouping=True)
        return _("%(size)s KB") % {"size": size}

    @admin.display(description=_("file"))
    def download(self, report):
        if report.status != GeneratedReport.Status.DONE:
            return "—"
        # Through the API's download, which checks who may have it (the secretariat may).
        return format_html(
            '<a href="{}">{}</a>',
            reverse("api:report-file", kwargs={"pk": report.pk}),
            report.download_name,
        )


# Lazy: the form's choices are built once, at import, and read in each officer's language.
describe_level = lazy(readers_of, str)


class ChairsReportForm(forms.Form):
    format = forms.ChoiceField(label=_("format"), choices=GeneratedReport.Format.choices)
    level = forms.TypedChoiceField(
        label=_("audience (TLP)"),
        choices=[(level.value, describe_level(level)) for level in LEVELS],
        coerce=int,
        initial=TLP.GREEN.value,
    )
    # The browser's own date picker (the admin's needs scripts this page does not load),
    # which reads and writes ISO dates only, whatever the officer's language.
    as_of = forms.DateField(
        label=_("as of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[check_as_of],
    )
    # Empty: the officer's own language (reports.services).
    language = forms.ChoiceField(
        label=_("language"), choices=Profile.Language.choices, required=False
    )


class ChairsReportAction(_ModelAdmin):
    """The meeting list's "Chair's report…" action (secretariat/admin.py adds it there)."""

    def has_report_permission(self, request):
        # Whoever may read the kept reports may have one made (it is kept under their name).
        return request.user.has_perm("reports.view_generatedreport")

    @admin.action(description=_("Chair's report…"), permissions=["report"])
    def chairs_report(self, request, queryset):
        """An intermediate page (format, level, date), then one queued job per meeting."""
        form = ChairsReportForm(
            request.POST if "apply" in request.POST else None,
            initial={"as_of": report_today(), "language": get_language()},
        )
        if form.is_valid():
            queued: list[int] = []

            def request_one(meeting):
                queued.append(
                    services.report_request(
                        actor=request.user,
                        meeting=meeting,
                        level=form.cleaned_data["level"],
                        fmt=form.cleaned_data["format"],
                        as_of=form.cleaned_data["as_of"],
                        language=form.cleaned_data["language"] or None,
                    ).pk
                )

            self.act_on_each(
                request,
                queryset.select_related("forum"),
                request_one,
                _("Queued %(count)d chair's report(s); each appears below when generated."),
            )
            url = reverse("admin:reports_generatedreport_changelist")
            if queued:
                url += "?id__in=" + ",".join(map(str, queued))
            return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Chair's report"),
            "form": form,
            "meetings": queryset.select_related("forum"),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "chairs_report",
        }
        return TemplateResponse(request, "admin/reports/chairs_report.html", context)
