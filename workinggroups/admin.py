"""The secretariat's data entry for working groups, their members, tasks and updates."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from forums.admin_base import (
    AuditedAdmin,
    AuditedInline,
    ReadOnlyAdminMixin,
    adopt,
    cut,
    person_column,
    person_column_related,
)
from forums.audit import save_validated
from forums.models import seat_current_on
from forums.people import PersonChoiceField, person_search_fields
from forums.tlp import TLP
from outcomes.models import Outcome
from workinggroups import reminders, services
from workinggroups.admin_forms import (
    TaskRowForm,
    WorkingGroupForm,
    form_for_page,
    group_page,
    initial_for_new_group,
    task_row_form,
)
from workinggroups.jobs import sweep_reminders
from workinggroups.models import (
    Reason,
    Reminder,
    ReminderPreference,
    ReminderRule,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)
from workinggroups.services import EDITABLE_TASK_FIELDS

# --- tasks ----------------------------------------------------------------------------


class TaskUpdateForm(forms.ModelForm):
    """A new progress update; empty fields keep the task's status, progress and label."""

    status_to = forms.ChoiceField(
        label=_("move to"),
        choices=[("", _("— keep status —")), *Task.Status.choices],
        required=False,
    )
    progress = forms.IntegerField(label=_("progress %"), min_value=0, max_value=100, required=False)
    tlp = forms.TypedChoiceField(
        label=_("TLP label"),
        choices=[("", _("— as the task —")), *TLP.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = TaskUpdate
        fields = ["status_to", "progress", "note", "tlp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.initial["tlp"] = None


class TaskUpdateInline(AuditedInline):
    """Append-only: past updates are read-only; a new row is a move through the service."""

    model = TaskUpdate
    form = TaskUpdateForm
    fields = ["created_at", "author", "status_from", "status_to", "progress", "note", "tlp"]
    readonly_fields = ["created_at", "author", "status_from"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def record(self, request, obj, change):
        adopt(
            obj,
            services.task_update_status(
                actor=request.user,
                task=obj.task,
                status=obj.status_to or None,
                note=obj.note,
                progress=obj.progress,
                tlp=obj.tlp,
            ),
        )


def task_changes(task: Task) -> dict:
    """The details an admin form changed on `task`, read against its stored row."""
    stored = Task.objects.get(pk=task.pk)
    fields = EDITABLE_TASK_FIELDS - {"outcomes", "recipients"}
    return {
        name: getattr(task, name) for name in fields if getattr(task, name) != getattr(stored, name)
    }


def record_task(request, task: Task, *, outcomes=None, recipients=None) -> None:
    """A new task through task_add; an edited one through task_edit, which asks the policy
    (the label, the named people) as it does for the API."""
    if not task._state.adding:
        changes = task_changes(task)
        if outcomes is not None:
            changes["outcomes"] = outcomes
        if recipients is not None:
            changes["recipients"] = recipients
        adopt(
            task,
            services.task_edit(actor=request.user, task=task, expected_version=None, **changes),
        )
        return
    adopt(
        task,
        services.task_add(
            actor=request.user,
            working_group=task.working_group,
            title=task.title,
            description=task.description,
            outcomes=outcomes or (),
            lead=task.lead,
            reports_to=task.reports_to,
            due_on=task.due_on,
            tlp=task.tlp,
            recipients=recipients or (),
        ),
    )


class LateWorkFilter(admin.SimpleListFilter):
    """Overdue or stalled work, by the one definition of each (TaskQuerySet), with the
    signed-in officer as the reader whose updates count."""

    title = _("late work")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("stalled", _("stalled"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "stalled":
            return queryset.stalled(request.user)
        return queryset


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = [
        "title",
        "group",
        "lead_name",
        "reports_to",
        "due_on",
        "status_and_progress",
        "tlp",
        "outcome_codes",
    ]
    list_filter = [
        "status",
        LateWorkFilter,
        "tlp",
        ("working_group__established_by__forum", admin.RelatedOnlyFieldListFilter),
        "due_on",
    ]
    list_select_related = ["working_group", "reports_to__forum", *person_column_related("lead")]
    lead_name = person_column("lead", _("lead"))
    search_fields = [
        "title",
        "description",
        "outcomes__citation_code",
        "working_group__name",
        *person_search_fields("lead"),
    ]
    autocomplete_fields = ["working_group", "lead", "reports_to", "outcomes", "recipients"]
    fields = [
        "working_group",
        "title",
        "description",
        "outcomes",
        "lead",
        "reports_to",
        "due_on",
        "status",
        "progress",
        "tlp",
        "recipients",
        "created_at",
        "updated_at",
    ]
    # Status and progress move only through an update (the inline below) or an action.
    readonly_fields = ["status", "progress", "created_at", "updated_at"]
    inlines = [TaskUpdateInline]
    actions = ["carry_over", "mark_in_progress"]

    def get_queryset(self, request):
        codes = Outcome.objects.only("pk", "citation_code").order_by("citation_code")
        return super().get_queryset(request).prefetch_related(Prefetch("outcomes", queryset=codes))

    @admin.display(description=_("working group"), ordering="working_group__name")
    def group(self, task):
        return cut(task.working_group)

    @admin.display(description=_("status"), ordering="status")
    def status_and_progress(self, task):
        return _("%(status)s, %(progress)d%%") % {
            "status": task.get_status_display(),
            "progress": task.progress,
        }

    @admin.display(description=_("serves outcomes"))
    def outcome_codes(self, task):
        return ", ".join(outcome.citation_code for outcome in task.outcomes.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        # A task stays in its group (as in the API); a new one chooses it.
        return [*self.readonly_fields, "working_group"] if obj else self.readonly_fields

    def record(self, request, obj, form, change):
        # The many-to-many fields go through the service too (which keeps the links the
        # editor may not see); taken out of cleaned_data, the admin does not set them again.
        many = {
            name: form.cleaned_data.pop(name)
            for name in ("outcomes", "recipients")
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }
        record_task(request, obj, **many)

    @admin.action(description=_("Carry the selected open tasks over to the next meeting"))
    def carry_over(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda task: services.task_carry_over(actor=request.user, task=task),
            _("Carried %(count)d task(s) over."),
        )

    @admin.action(description=_("Mark the selected tasks in progress"))
    def mark_in_progress(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda task: services.task_update_status(
                actor=request.user, task=task, status=Task.Status.IN_PROGRESS
            ),
            _("Marked %(count)d task(s) in progress."),
        )


@admin.register(TaskUpdate)
class TaskUpdateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Updates are posted on their task's page, through the one service that moves a task."""

    list_display = ["task", "created_at", "author", "status_from", "status_to", "progress", "tlp"]
    list_filter = ["status_to", "tlp"]
    list_select_related = ["task", "author"]
    search_fields = ["task__title", "note", *person_search_fields("author")]
    date_hierarchy = "created_at"


# --- working groups -------------------------------------------------------------------


def record_membership(request, membership: WorkingGroupMembership) -> None:
    if not membership._state.adding:
        save_validated(membership, actor=request.user)
        return
    left_on = membership.left_on
    adopt(
        membership,
        services.working_group_add_member(
            actor=request.user,
            working_group=membership.working_group,
            person=membership.person,
            represents=membership.represents,
            role=membership.role,
            joined_on=membership.joined_on,
        ),
    )
    if left_on:  # a past seat, recorded after the fact
        membership.left_on = left_on
        save_validated(membership, actor=request.user)


class MembershipInline(AuditedInline):
    """Roles and leaving; new members are ticked above it (WorkingGroupForm.add_members)."""

    model = WorkingGroupMembership
    fields = ["person", "represents", "role", "joined_on", "left_on"]
    autocomplete_fields = ["person", "represents"]

    class Media:
        css = {"all": ["workinggroups/group_page.css"]}

    def get_queryset(self, request):
        # The group too: each row is named with it (WorkingGroupMembership.__str__).
        return super().get_queryset(request).select_related("person", "represents", "working_group")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            # A person's or member's own page is one click away in its list; icons to
            # add, change and view them on every row would push the table past 1280 px.
            widget.can_add_related = widget.can_change_related = False
            widget.can_view_related = widget.can_delete_related = False
        return formfield

    def record(self, request, obj, change):
        record_membership(request, obj)


class TaskInline(AuditedInline):
    """The group's tasks as a grid (admin_forms.TaskRowForm); the rest of a task (its
    outcomes, meeting, label, updates) on its own page, through the row's change link."""

    model = Task
    form = TaskRowForm
    fields = ["title", "due_on", "lead", "status"]
    readonly_fields = ["status"]
    show_change_link = True
    classes = ["task-grid"]

    class Media:
        css = {"all": ["workinggroups/group_page.css"]}
        js = ["workinggroups/task_grid.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead")

    def get_extra(self, request, obj=None, **kwargs):
        # Rows ready to type into: several for a new group, one beside existing tasks.
        return 1 if obj is not None and obj.pk and obj.tasks.exists() else 3

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = task_row_form(group_page(request, obj))
        return super().get_formset(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # a task that is no longer wanted is withdrawn, with a note

    def record(self, request, obj, change):
        if change:
            record_task(request, obj)
            return
        # The grid leaves the meeting and the label to the service: the group's.
        adopt(
            obj,
            services.task_add(
                actor=request.user,
                working_group=obj.working_group,
                title=obj.title,
                lead=obj.lead,
                due_on=obj.due_on,
            ),
        )


@admin.register(WorkingGroup)
class WorkingGroupAdmin(AuditedAdmin):
    list_display = [
        "name",
        "established_by",
        "reports_to",
        "tlp",
        "closed_on",
        "member_count",
        "open_task_count",
    ]
    list_filter = [
        "tlp",
        ("established_by__forum", admin.RelatedOnlyFieldListFilter),
        ("closed_on", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["established_by__forum", "reports_to__forum"]
    search_fields = ["name", "mandate"]
    autocomplete_fields = ["established_by", "reports_to", "establishing_outcome"]
    form = WorkingGroupForm
    # Members first: a task's lead must be one, and may be someone ticked on this page.
    inlines = [MembershipInline, TaskInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_members=Count(
                    "memberships",
                    filter=seat_current_on(prefix="memberships__"),
                    distinct=True,
                ),
                open_tasks=Count(
                    "tasks", filter=Q(tasks__status__in=Task.OPEN_STATUSES), distinct=True
                ),
            )
            # An aggregate drops Meta.ordering (GROUP BY); autocomplete pages need an order.
            .order_by(*WorkingGroup._meta.ordering)
        )

    def get_readonly_fields(self, request, obj=None):
        # A group is closed when its mandate ends, never as it is set up.
        return [] if obj else ["closed_on"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return form_for_page(form_class, group_page(request, obj))

    def get_fieldsets(self, request, obj=None):
        fields = [name for name in self.get_fields(request, obj) if name != "add_members"]
        return [(None, {"fields": fields}), (_("Members"), {"fields": ["add_members"]})]

    def get_changeform_initial_data(self, request):
        return initial_for_new_group(super().get_changeform_initial_data(request))

    @admin.display(description=_("members"), ordering="current_members")
    def member_count(self, group):
        return group.current_members

    @admin.display(description=_("open tasks"), ordering="open_tasks")
    def open_task_count(self, group):
        return group.open_tasks

    def record(self, request, obj, form, change):
        if not change:
            adopt(
                obj,
                services.working_group_establish(
                    actor=request.user,
                    name=obj.name,
                    established_by=obj.established_by,
                    mandate=obj.mandate,
                    reports_to=obj.reports_to,
                    establishing_outcome=obj.establishing_outcome,
                    tlp=obj.tlp,
                ),
            )
        elif set(form.changed_data) - {"add_members"}:
            save_validated(obj, actor=request.user)
        # Before the inlines are saved: the tasks below may be led by those ticked.
        joining = list(form.cleaned_data.get("add_members") or ())
        if joining:
            services.working_group_add_members(
                actor=request.user, working_group=obj, people=joining
            )


@admin.register(WorkingGroupMembership)
class WorkingGroupMembershipAdmin(AuditedAdmin):
    list_display = ["person_name", "working_group", "represents", "role", "joined_on", "left_on"]
    list_filter = ["role", ("working_group", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["working_group", "represents", *person_column_related("person")]
    person_name = person_column("person", _("person"))
    search_fields = [*person_search_fields("person"), "working_group__name"]
    autocomplete_fields = ["working_group", "person", "represents"]

    def record(self, request, obj, form, change):
        record_membership(request, obj)


# --- reminders --------------------------------------------------------------------------


@admin.register(ReminderRule)
class ReminderRuleAdmin(AuditedAdmin):
    list_display = ["forum", "reason", "days_before", "weekday", "active"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "reason", "active"]
    list_select_related = ["forum"]
    autocomplete_fields = ["forum"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(AuditedAdmin):
    list_display = ["person_name", *Reason.values]
    list_filter = list(Reason.values)
    list_select_related = person_column_related("person")
    person_name = person_column("person", _("person"))
    search_fields = [*person_search_fields("person"), "person__email"]
    autocomplete_fields = ["person"]

    def has_add_permission(self, request):
        # Made by reminder_preference_for() with its unsubscribe secret; one added here
        # would have none, and its people an unsubscribe link that leads nowhere.
        return False


class PreviewForm(forms.Form):
    person = PersonChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label=_("person"),
    )


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: every reminder planned, sent, failed or cancelled, and why."""

    change_list_template = "admin/workinggroups/reminder/change_list.html"
    list_display = [
        "scheduled_for",
        "person",
        "reason",
        "subject",
        "status",
        "attempts",
        "send_after",
        "sent_at",
        "last_error",
    ]
    list_filter = [
        "status",
        "reason",
        "scheduled_for",
        ("person", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["person"]
    search_fields = [*person_search_fields("person"), "person__email", "subject"]
    date_hierarchy = "scheduled_for"

    def get_urls(self):
        return [
            path(
                "sweep/",
                self.admin_site.admin_view(self.sweep_now),
                name="workinggroups_reminder_sweep",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="workinggroups_reminder_preview",
            ),
            *super().get_urls(),
        ]

    def sweep_now(self, request):
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        transaction.on_commit(sweep_reminders.delay)
        self.message_user(
            request, _("The reminder sweep is queued; the ledger fills as the worker runs it.")
        )
        return redirect("admin:workinggroups_reminder_changelist")

    def preview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.GET or None)
        messages_today = []
        if form.is_valid():
            messages_today = [
                {"subject": m.subject, "to": ", ".join(m.to), "body": m.body}
                for m in reminders.preview(form.cleaned_data["person"])
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("What this person would receive today"),
            "form": form,
            "messages_today": messages_today,
        }
        return TemplateResponse(request, "admin/workinggroups/reminder/preview.html", context)
