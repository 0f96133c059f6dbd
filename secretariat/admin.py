"""The admin pages that read across apps, registered once here (see apps.py)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forums.admin import MeetingAdmin as ForumsMeetingAdmin
from forums.models import Meeting
from forums.policy import may_record_meetings
from outcomes.admin import OutcomeAdmin as OutcomesOutcomeAdmin
from outcomes.admin import OutcomeDocumentAdmin as OutcomesDocumentAdmin
from outcomes.admin import OutcomeDocumentInline
from outcomes.importing.admin import DraftOutcomeForm
from outcomes.models import Outcome, OutcomeDocument
from reports.admin import ChairsReportAction
from secretariat.checklist import meeting_checklist
from workinggroups.implementation import State, in_states, with_implementation, with_standings
from workinggroups.models import WorkingGroup
from workinggroups.services import (
    establishes_working_group,
    statement_import_setting_up_groups,
)


@admin.register(Meeting)
class MeetingAdmin(ChairsReportAction, ForumsMeetingAdmin):
    """A meeting with its chairs, hosts and attendance, the documents it adopted, and the
    chair's report action."""

    inlines = [*ForumsMeetingAdmin.inlines, OutcomeDocumentInline]
    # A class attribute in Django; the stubs type it per instance (with Self in its type).
    actions = [*(ForumsMeetingAdmin.actions or ()), "chairs_report"]  # type: ignore[misc]
    list_display = [*ForumsMeetingAdmin.list_display, "after_the_meeting"]
    # Its object tools open the meeting's "After the meeting" checklist; the page is
    # otherwise the one the forums' admin would show (render_change_form).
    change_form_template = "admin/secretariat/meeting_change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        opts = self.opts
        context["meeting_form_base"] = select_template(
            [
                *filter(None, [ForumsMeetingAdmin.change_form_template]),
                f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
                f"admin/{opts.app_label}/change_form.html",
                "admin/change_form.html",
            ]
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        # A meeting is recorded on the way through its predecessor's checklist: plain
        # "Save" carries on to the new meeting's own, where its next steps are.
        if {"_continue", "_addanother", IS_POPUP_VAR} & set(request.POST):
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request, gettext("The meeting “%(meeting)s” was recorded.") % {"meeting": obj}
        )
        return HttpResponseRedirect(reverse("admin:forums_meeting_after", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/after/",
                self.admin_site.admin_view(self.after_the_meeting_view),
                name="forums_meeting_after",
            ),
            *super().get_urls(),
        ]

    def after_the_meeting_view(self, request, object_id):
        """The meeting's checklist: each step's state and the page where it is done."""
        if not (may_record_meetings(request.user) and self.has_view_permission(request)):
            raise PermissionDenied
        meeting = get_object_or_404(Meeting.objects.select_related("forum"), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("After the meeting: %(meeting)s") % {"meeting": meeting},
            "subtitle": None,
            "checklist": meeting_checklist(meeting, request.user),
        }
        return TemplateResponse(request, "admin/secretariat/after_the_meeting.html", context)

    @admin.display(description=_("after the meeting"))
    def after_the_meeting(self, meeting):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:forums_meeting_after", args=[meeting.pk]),
            gettext("Checklist"),
        )


class StatementRowForm(DraftOutcomeForm):
    """A parsed outcome with sub-items may establish a group whose tasks they are."""

    establishes_group = forms.BooleanField(
        label=_("These items are the tasks of a working group this paragraph establishes"),
        required=False,
    )
    group_name = forms.CharField(
        label=_("working group name"),
        max_length=WorkingGroup._meta.get_field("name").max_length,
        required=False,
        help_text=_("Empty: “Working group under” its citation code."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.has_children:
            del self.fields["establishes_group"]
            del self.fields["group_name"]
        elif self.item is not None:
            # Ticked when the words say so, for the secretariat to confirm or untick; only
            # the first showing: a posted review carries what the officer decided.
            self.fields["establishes_group"].initial = establishes_working_group(self.item.text)


@admin.register(OutcomeDocument)
class OutcomeDocumentAdmin(OutcomesDocumentAdmin):
    """Outcome documents, whose statement import may set up working groups."""

    statement_row_form = StatementRowForm

    def save_statement(self, request, *, draft, rows, fields):
        groups = {
            item.number: data.get("group_name", "").strip()
            for item, data in rows
            if data.get("establishes_group")
        }
        document, made = statement_import_setting_up_groups(
            actor=request.user, draft=draft, groups=groups, **fields
        )
        notes = [
            gettext("Working group “%(name)s” set up with %(count)d task(s).")
            % {"name": group.name, "count": group.tasks.count()}
            for group in made
        ]
        if not self._opened_from_checklist(request):
            # The way back to the path the import is a step of.
            notes.append(
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:forums_meeting_after", args=[document.meeting_id]),
                    gettext("Back to “After the meeting: %(meeting)s”")
                    % {"meeting": document.meeting},
                )
            )
        return document, notes

    @staticmethod
    def _opened_from_checklist(request) -> bool:
        return "meeting" in request.GET  # the checklist's button names its meeting

    def statement_imported_url(self, request, document) -> str:
        # Imported as a step of a meeting's checklist: back to it, for the next step.
        if self._opened_from_checklist(request):
            return reverse("admin:forums_meeting_after", args=[document.meeting_id])
        return super().statement_imported_url(request, document)


class ProposedFilter(admin.SimpleListFilter):
    """Active outcomes whose serving work is all done: for the secretariat to consider
    marking implemented (an outcome's status stays its decision, never automatic)."""

    title = _("proposed")
    parameter_name = "proposed"

    def lookups(self, request, model_admin):
        return [("implemented", _("implemented (active, all its work done)"))]

    def queryset(self, request, queryset):
        if self.value() == "implemented":
            active = queryset.filter(status=Outcome.Status.ACTIVE)
            return active.filter(in_states(request.user, [State.DONE]))
        return queryset


class StandingChangeList(ChangeList):
    """The rows shown read their standing in one pass (with_standings). Only a filter or a
    sort on it asks SQL for each row's (with_implementation, a subquery a figure)."""

    def get_queryset(self, request, exclude_parameters=None):
        ordering = self.get_ordering(request, self.root_queryset)
        if any(str(field).lstrip("-") == "progress" for field in ordering):
            self.root_queryset = with_implementation(self.root_queryset, request.user)
        return super().get_queryset(request, exclude_parameters)

    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_standings(self.result_list, request.user)


@admin.register(Outcome)
class OutcomeAdmin(OutcomesOutcomeAdmin):
    """Outcomes with where each stands, derived from the work serving it."""

    list_display = [*OutcomesOutcomeAdmin.list_display, "standing"]
    list_filter = [*OutcomesOutcomeAdmin.list_filter, ProposedFilter]

    def get_changelist(self, request, **kwargs):
        # Derived for the signed-in officer, as every page derives it for its reader.
        return StandingChangeList

    @admin.display(description=_("implementation"), ordering="progress")
    def standing(self, outcome):
        state = State(outcome.implementation).label
        if outcome.progress is None:
            return state
        return gettext("%(state)s, %(progress)d%%") % {
            "state": state,
            "progress": outcome.progress,
        }


# The secretariat's first page after signing in opens on what is left to record after
# each forum's latest meeting (templatetags/after_the_meeting.py).
admin.site.index_template = "admin/secretariat/index.html"
