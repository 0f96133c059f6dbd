"""The secretariat's data entry for forums, members, meetings, chairs, hosts and attendance."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from forums import second_factor, services
from forums.admin_base import (
    AuditedAdmin,
    AuditedInline,
    AuditedStackedInline,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
    adopt,
)
from forums.audit import save_validated
from forums.models import (
    ApiToken,
    Attendance,
    Chair,
    Forum,
    ForumMembership,
    Hosting,
    HostingChange,
    Member,
    Profile,
    SecondFactorEvent,
)
from forums.tokens import password_unchanged

User = get_user_model()


# --- members and forums ---------------------------------------------------------------


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "country", "parent", "time_zone"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "country"]
    autocomplete_fields = ["parent"]


class ForumMembershipInline(AuditedInline):
    model = ForumMembership
    fields = ["member", "role", "joined_on", "left_on"]
    autocomplete_fields = ["member"]


@admin.register(Forum)
class ForumAdmin(AuditedAdmin):
    list_display = ["acronym", "name", "established_year", "secretariat"]
    list_select_related = ["secretariat"]
    search_fields = ["acronym", "name"]
    autocomplete_fields = ["secretariat"]
    inlines = [ForumMembershipInline]


@admin.register(ForumMembership)
class ForumMembershipAdmin(AuditedAdmin):
    list_display = ["member", "forum", "role", "joined_on", "left_on"]
    list_filter = ["forum", "role"]
    list_select_related = ["member", "forum"]
    search_fields = ["member__name", "member__short_name", "forum__acronym"]
    autocomplete_fields = ["forum", "member"]


# --- meetings -------------------------------------------------------------------------


class ChairInline(AuditedInline):
    model = Chair
    fields = ["member", "role", "office", "person"]
    autocomplete_fields = ["member", "person"]


class AttendanceInline(AuditedInline):
    model = Attendance
    fields = ["member", "role"]
    autocomplete_fields = ["member"]


class MeetingHostingInline(AuditedInline):
    """New hostings are recorded here; their moves happen on the hosting's own page."""

    model = Hosting
    fk_name = "meeting"
    fields = ["member", "status", "announced_at"]
    autocomplete_fields = ["member", "announced_at"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        # A status move is a HostingChange: the hosting page's action records it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def record(self, request, obj, change):
        adopt(
            obj,
            services.hosting_record(
                actor=request.user,
                meeting=obj.meeting,
                member=obj.member,
                status=obj.status,
                announced_at=obj.announced_at,
            ),
        )


# Registered by the secretariat's admin (secretariat/admin.py), which adds what other apps
# show on a meeting: its outcome documents and the chair's report.
class MeetingAdmin(AuditedAdmin):
    list_display = [
        "__str__",
        "forum",
        "sequence",
        "start_date",
        "end_date",
        "venue",
        "country",
        "chair_names",
        "host",
    ]
    list_display_links = ["__str__"]
    list_filter = ["forum", "country"]
    list_select_related = ["forum"]
    search_fields = ["title", "forum__acronym", "forum__name", "venue", "=sequence"]
    date_hierarchy = "start_date"
    fieldsets = [
        (None, {"fields": ["forum", "sequence", "title"]}),
        (_("When"), {"fields": ["start_date", "end_date", "dates_note"]}),
        (_("Where"), {"fields": ["venue", "country", "time_zone"]}),
    ]
    autocomplete_fields = ["forum"]
    inlines = [ChairInline, MeetingHostingInline, AttendanceInline]

    def get_queryset(self, request):
        chairs = Chair.objects.select_related("member")
        return (
            super()
            .get_queryset(request)
            .with_host_name()
            .prefetch_related(Prefetch("chairs", queryset=chairs))
        )

    @admin.display(description=_("chairs"))
    def chair_names(self, meeting):
        return ", ".join(
            chair.member.name
            if chair.role == Chair.Role.CHAIR
            else _("%(member)s (co)") % {"member": chair.member.name}
            for chair in meeting.chairs.all()
        )

    @admin.display(description=_("host"), ordering="host_name")
    def host(self, meeting):
        return meeting.host_name or "—"


@admin.register(Chair)
class ChairAdmin(AuditedAdmin):
    list_display = ["meeting", "member", "role", "office", "person"]
    list_filter = ["role", "meeting__forum"]
    list_select_related = ["meeting__forum", "member", "person"]
    search_fields = ["member__name", "office", "meeting__title", "meeting__forum__acronym"]
    autocomplete_fields = ["meeting", "member", "person"]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ["meeting", "member", "role"]
    list_filter = ["role", "meeting__forum"]
    list_select_related = ["meeting__forum", "member"]
    search_fields = ["member__name", "meeting__title", "meeting__forum__acronym"]
    autocomplete_fields = ["meeting", "member"]


# --- hosting --------------------------------------------------------------------------


class HostingMoveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("move to"),
        choices=[("", "———"), *Hosting.Status.choices],
        required=False,
    )
    effective_on = forms.DateField(label=_("on"), required=False, widget=AdminDateWidget)
    note = forms.CharField(label=_("note"), required=False)


class HostingActionForm(ActionForm, HostingMoveForm):
    pass


class HostingAddForm(forms.ModelForm):
    """The first relation a member has to hosting a meeting, with when and why."""

    effective_on = forms.DateField(label=_("happened on"), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)

    class Meta:
        model = Hosting
        fields = ["meeting", "member", "status", "announced_at"]


class HostingChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HostingChange
    fields = readonly_fields = (
        "status_from",
        "status_to",
        "effective_on",
        "note",
        "recorded_by",
        "recorded_at",
    )
    extra = 0


@admin.register(Hosting)
class HostingAdmin(AuditedAdmin):
    list_display = ["meeting", "member", "status", "announced_at"]
    list_filter = ["status", "meeting__forum"]
    list_select_related = ["meeting__forum", "member", "announced_at__forum"]
    search_fields = ["member__name", "meeting__title", "meeting__forum__acronym"]
    autocomplete_fields = ["meeting", "member", "announced_at"]
    inlines = [HostingChangeInline]
    action_form = HostingActionForm
    actions = ["change_status"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = HostingAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Moves go through the "change status" action, so that each one is recorded.
        return ["meeting", "member", "status"] if obj else []

    def record(self, request, obj, form, change):
        if change:
            save_validated(obj, actor=request.user)
            return
        adopt(
            obj,
            services.hosting_record(
                actor=request.user,
                meeting=obj.meeting,
                member=obj.member,
                status=obj.status,
                announced_at=obj.announced_at,
                effective_on=form.cleaned_data.get("effective_on"),
                note=form.cleaned_data.get("note", ""),
            ),
        )

    @admin.action(description=_("Move the selected hostings to the status chosen above"))
    def change_status(self, request, queryset):
        move = HostingMoveForm(request.POST)
        if not move.is_valid() or not move.cleaned_data["status"]:
            self.message_user(request, _("Choose the status to move to."), "error")
            return
        self.act_on_each(
            request,
            queryset,
            lambda hosting: services.hosting_change_status(
                actor=request.user,
                hosting=hosting,
                status=move.cleaned_data["status"],
                effective_on=move.cleaned_data["effective_on"],
                note=move.cleaned_data["note"],
            ),
            _("Moved %(count)d hosting(s)."),
        )


@admin.register(HostingChange)
class HostingChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "hosting",
        "status_from",
        "status_to",
        "effective_on",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["status_to", "hosting__meeting__forum"]
    list_select_related = ["hosting__member", "hosting__meeting__forum", "recorded_by"]
    search_fields = ["hosting__member__name", "note"]


# --- people ---------------------------------------------------------------------------


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ["user", "member", "time_zone", "language"]
    list_filter = ["language"]
    list_select_related = ["user", "member"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "member__name"]
    autocomplete_fields = ["user", "member"]


class ProfileInline(AuditedStackedInline):
    model = Profile
    can_delete = False
    extra = 1  # a person is usually added with the member they represent
    max_num = 1
    fields = ["member", "time_zone", "language"]
    autocomplete_fields = ["member"]


# Fields through which an account gains powers; only a superuser grants them.
PRIVILEGE_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})

admin.site.unregister(User)


@admin.register(User)
class TalanoaUserAdmin(ServiceAdminMixin, UserAdmin):
    inlines = [ProfileInline]
    list_select_related = ["profile__member"]
    list_display = ["username", "first_name", "last_name", "email", "represents", "is_staff"]
    actions = ["reset_second_factor"]

    @admin.display(description=_("represents"), ordering="profile__member__name")
    def represents(self, user):
        profile = getattr(user, "profile", None)
        return profile.member if profile and profile.member else "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f not in PRIVILEGE_FIELDS]},
            )
            for name, options in fieldsets
        ]

    def record(self, request, obj, form, change: bool) -> None:
        super().record(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.api_tokens_end_on_deactivation(actor=request.user, user=obj)

    def has_change_permission(self, request, obj=None):
        # Changing a superuser's password or e-mail is a way into their powers.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Reset the second factor (they set it up again)"))
    def reset_second_factor(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda person: second_factor.second_factor_reset(actor=request.user, person=person),
            _("Reset the second factor of %(count)d person(s)."),
        )


# --- API tokens ---------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Everyone's tokens, to see and revoke: issued only by a sign-in, never shown again.

    Only the digest is stored, and it is not shown either: the page names a token by its
    owner, name and dates.
    """

    list_display = ["name", "user", "created", "expiry", "state", "ended_by"]
    list_filter = ["ended_because"]
    list_select_related = ["user", "ended_by"]
    search_fields = ["name", "user__username", "user__first_name", "user__last_name"]
    readonly_fields = ["user", "name", "created", "expiry", "state", "ended_at", "ended_by"]
    fields = tuple(readonly_fields)
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state(self, token: ApiToken) -> str:
        if token.ended_at is not None:
            return str(token.get_ended_because_display())
        if token.expiry <= timezone.now():
            return str(_("expired"))
        if not password_unchanged(token, token.user):
            return str(_("ended by a password change"))
        return str(_("live"))

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        try:
            for token in queryset.select_related("user"):
                services.api_token_revoke(actor=request.user, token=token)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        self.message_user(request, _("The selected tokens no longer work."), messages.SUCCESS)

    def has_add_permission(self, request):
        return False  # a token is issued by signing in, to the person who signs in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the row keeps who ended it and when


# django-otp's own device pages would delete a device without recording who did it:
# a reset goes through the action above, and the record is the list below.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(SecondFactorEvent)
class SecondFactorEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "person", "kind", "actor"]
    list_filter = ["kind"]
    list_select_related = ["person", "actor"]
    search_fields = ["person__username", "actor__username"]
    date_hierarchy = "at"
