"""The secretariat's data entry for forums, members, meetings, chairs, hosts and attendance."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from forums import second_factor, services
from forums.admin_base import (
    AuditedAdmin,
    AuditedInline,
    AuditedStackedInline,
    CountryInUseFilter,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
    adopt,
    person_column,
    person_column_related,
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
    Meeting,
    Member,
    Profile,
    SecondFactorEvent,
    country_zones_message,
)
from forums.people import (
    PERSON_LABEL_RELATED,
    PERSON_SEARCH_FIELDS,
    person_label,
    person_search_fields,
)
from forums.tokens import password_unchanged
from forums.zones import zones_by_country, zones_of

User = get_user_model()
BLANK_CHOICE = "---------"


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
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), "role"]
    list_select_related = ["member", "forum"]
    search_fields = ["member__name", "member__short_name", "forum__acronym"]
    autocomplete_fields = ["forum", "member"]


# --- meetings -------------------------------------------------------------------------


def meeting_form_forum_id(request, meeting: Meeting | None) -> int | None:
    """The forum a meeting's page is about: the meeting's; on the add form the one posted or
    named in the address (`?forum=<id>`, as the after-the-meeting checklist links), or the
    only forum there is."""
    if meeting is not None:
        return meeting.forum_id
    wanted = request.POST.get("forum") or request.GET.get("forum") or ""
    if wanted.isdigit():
        return int(wanted)
    only = list(Forum.objects.values_list("pk", flat=True)[:2])
    return only[0] if len(only) == 1 else None


def members_first(forum_id: int | None) -> list:
    """Every member, the forum's current members and observers first (chairs, hosts and
    delegations are nearly always at its table): two queries, whatever the rows."""
    members = list(Member.objects.only("pk", "name"))
    seats = list(
        ForumMembership.objects.current()
        .filter(forum_id=forum_id)
        .values_list("member_id", "role", "forum__acronym")
    )
    role_of = {member_id: role for member_id, role, _acronym in seats}
    if not role_of:
        return [("", BLANK_CHOICE), *((m.pk, m.name) for m in members)]
    acronym = seats[0][2]
    groups = [
        (_("Members of %(forum)s") % {"forum": acronym}, ForumMembership.Role.MEMBER),
        (_("Observers at %(forum)s") % {"forum": acronym}, ForumMembership.Role.OBSERVER),
        (_("Others"), None),
    ]
    return [("", BLANK_CHOICE)] + [
        (label, [(m.pk, m.name) for m in members if role_of.get(m.pk) == role])
        for label, role in groups
        if any(role_of.get(m.pk) == role for m in members)
    ]


def offer_choices(field: forms.ChoiceField, choices: list) -> None:
    """Give a member select fixed choices: each inline row renders them without asking the
    database again. Without the admin's add/change/view links, four icons a row that
    widened the table past the page (members are recorded on their own page)."""
    field.widget = getattr(field.widget, "widget", field.widget)
    field.choices = choices


class ForumMembersFirstMixin:
    """The member select of a meeting's inline offers the forum's own members first."""

    def get_queryset(self, request):
        # Each row is named by its member and meeting: read with the rows.
        return super().get_queryset(request).select_related("member", "meeting__forum")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("member")
        if field is not None:
            cache = request.__dict__.setdefault("_talanoa_members_first", {})
            forum_id = meeting_form_forum_id(request, obj)
            if forum_id not in cache:
                cache[forum_id] = members_first(forum_id)
            offer_choices(field, cache[forum_id])
        return formset


class RowReadyOnANewMeeting:
    """A new meeting is recorded with its chair and host: one row of each is ready."""

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class ChairInline(RowReadyOnANewMeeting, ForumMembersFirstMixin, AuditedInline):
    model = Chair
    fields = ["member", "role", "office", "person"]
    autocomplete_fields = ["person"]


class AttendanceInline(ForumMembersFirstMixin, AuditedInline):
    model = Attendance
    fields = ["member", "role"]


class MeetingHostingInline(RowReadyOnANewMeeting, ForumMembersFirstMixin, AuditedInline):
    """New hostings are recorded here; their moves happen on the hosting's own page."""

    model = Hosting
    fk_name = "meeting"
    fields = ["member", "status", "announced_at", "status_moves"]
    readonly_fields = ["status_moves"]
    autocomplete_fields = ["announced_at"]
    show_change_link = True

    @admin.display(description=_("status moves"))
    def status_moves(self, hosting: Hosting) -> str:
        if hosting.pk is None:
            return _("Once saved, on the hosting's own page.")
        url = reverse("admin:forums_hosting_change", args=[hosting.pk])
        return format_html('<a href="{}">{}</a>', url, _("Move it on its own page"))

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


class MeetingForm(forms.ModelForm):
    """A meeting as the secretariat types it: the forum gives the sequence, the country the
    venue's time zone (forums/static/forums/meeting_form.js proposes the one and narrows
    the list of the other as they are chosen)."""

    class Meta:
        model = Meeting
        fields = [
            *("forum", "sequence", "title", "start_date", "end_date", "dates_note"),
            *("venue", "country", "time_zone"),
        ]

    class Media:
        js = ["forums/meeting_form.js"]
        css = {"all": ["forums/meeting_form.css"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sequence" in self.fields:
            sequence = self.fields["sequence"]
            sequence.required = False
            sequence.help_text = _(
                "5 for the 5th meeting. Leave empty for the forum's next: one after its "
                "highest recorded."
            )
            if self.instance.pk is None:
                # For the page's script to propose the next when the forum is chosen.
                sequence.widget.attrs["data-next-sequences"] = json.dumps(
                    Meeting.objects.next_sequences(), separators=(",", ":")
                )
        if "time_zone" in self.fields:
            zone = self.fields["time_zone"]
            zone.help_text = _(
                "Deadlines of work reporting to this meeting end at 23:59 here. Leave it empty "
                "when the country has a single time zone: it is filled from the country."
            )
            zone.widget.attrs["data-country-zones"] = json.dumps(
                zones_by_country(), separators=(",", ":")
            )

    def clean(self):
        data = super().clean()
        forum = data.get("forum")
        if forum is not None and "sequence" in self.fields:
            self.clean_sequence_of(forum, data)
        if "time_zone" in self.fields:
            self.require_time_zone(data)
        return data

    def clean_sequence_of(self, forum: Forum, data: dict) -> None:
        if data.get("sequence") is None:
            data["sequence"] = Meeting.objects.next_sequence(forum.pk)
            return
        # The unique constraint decides; asked here too, to say which number is free.
        taken = Meeting.objects.filter(forum=forum, sequence=data["sequence"])
        if taken.exclude(pk=self.instance.pk).exists():
            self.add_error(
                "sequence",
                _("The %(meeting)s is already recorded: the forum's next is %(next)d.")
                % {
                    "meeting": Meeting.name_from("", data["sequence"], forum.acronym),
                    "next": Meeting.objects.next_sequence(forum.pk),
                },
            )

    def require_time_zone(self, data: dict) -> None:
        """A country with several zones needs one chosen (one zone: Meeting.clean fills it).

        A meeting recorded without one (the 6th JHoPS: somewhere in Australia, city not
        known) keeps none while neither its country nor its zone is edited.
        """
        zones = zones_of(data.get("country") or "")
        if len(zones) < 2 or data.get("time_zone") is not None:
            return
        untouched = self.instance.pk and not {"country", "time_zone"} & set(self.changed_data)
        if not untouched:
            self.add_error("time_zone", country_zones_message(data["country"], zones))


# Registered by the secretariat's admin (secretariat/admin.py), which adds what other apps
# show on a meeting: its outcome documents and the chair's report.
class MeetingAdmin(AuditedAdmin):
    # Its name says the forum and the number ("5th JHOPS"); the filters, the forum.
    list_display = ["__str__", "start_date", "venue", "country", "chair_names", "host"]
    list_display_links = ["__str__"]
    list_filter = [("forum", admin.RelatedOnlyFieldListFilter), CountryInUseFilter]
    list_select_related = ["forum"]
    # What the search box and every meeting picker read; get_search_results adds the
    # number ("8", "8th"), the year and the country name (MeetingQuerySet.matching).
    search_fields = ["title", "forum__acronym", "forum__name", "venue"]
    search_help_text = _("A number (8 or 8th), a forum, a venue, a country or a year.")
    date_hierarchy = "start_date"
    fieldsets = [
        (None, {"fields": ["forum", "sequence", "title"]}),
        (_("When"), {"fields": ["start_date", "end_date", "dates_note"]}),
        (_("Where"), {"fields": ["venue", "country", "time_zone"]}),
    ]
    autocomplete_fields = ["forum"]
    inlines = [ChairInline, MeetingHostingInline, AttendanceInline]
    form = MeetingForm

    def get_changeform_initial_data(self, request):
        """`?forum=<id>` (or the only forum) brings the forum and its next sequence."""
        initial = super().get_changeform_initial_data(request)
        if not str(initial.get("forum", "")).isdigit():
            initial.pop("forum", None)  # a forum is named by its number in the address
        forum_id = meeting_form_forum_id(request, None)
        if forum_id is not None:
            initial.setdefault("forum", forum_id)
            initial.setdefault("sequence", Meeting.objects.next_sequence(forum_id))
        return initial

    def get_search_results(self, request, queryset, search_term):
        return queryset.matching(search_term), False

    def get_queryset(self, request):
        chairs = Chair.objects.select_related("member")
        return (
            super()
            .get_queryset(request)
            .select_related("forum")  # its name, in pickers as in the list
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
    list_display = ["meeting", "member", "role", "office", "person_name"]
    list_filter = ["role", ("meeting__forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["meeting__forum", "member", *person_column_related("person")]
    person_name = person_column("person", _("person"))
    search_fields = [
        "member__name",
        "office",
        "meeting__title",
        "meeting__forum__acronym",
        *person_search_fields("person"),
    ]
    autocomplete_fields = ["meeting", "member", "person"]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ["meeting", "member", "role"]
    list_filter = ["role", ("meeting__forum", admin.RelatedOnlyFieldListFilter)]
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


class HostingPageForm(forms.ModelForm):
    """A hosting's own page: its status moves here, to one of the moves allowed from where
    it stands (Hosting.TRANSITIONS), through the service that records who moved it."""

    move_to = forms.ChoiceField(
        label=_("Move to"), choices=[("", "———"), *Hosting.Status.choices], required=False
    )
    effective_on = forms.DateField(label=_("Happened on"), required=False, widget=AdminDateWidget)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Hosting
        fields = ["announced_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Hosting.Status.choices)
        current = self.instance.status
        allowed = [s for s in labels if s in Hosting.TRANSITIONS.get(current, ())]
        field = self.fields["move_to"]
        # Any status passes the form: the service decides, and its refusal names the moves
        # allowed. The list offers only those.
        field.widget.choices = [("", "———"), *((s, labels[s]) for s in allowed)]
        names = {"status": labels.get(current, current)}
        if allowed:
            names["allowed"] = ", ".join(str(labels[s]) for s in allowed)
            field.help_text = _("From “%(status)s” it may move to: %(allowed)s.") % names
        else:
            field.help_text = _("“%(status)s” is final: no move is allowed from it.") % names
            field.disabled = True


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
    list_filter = ["status", ("meeting__forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["meeting__forum", "member", "announced_at__forum"]
    search_fields = ["member__name", "meeting__title", "meeting__forum__acronym"]
    autocomplete_fields = ["meeting", "member", "announced_at"]
    inlines = [HostingChangeInline]
    action_form = HostingActionForm
    actions = ["change_status"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = HostingAddForm if obj is None else HostingPageForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        return [
            (None, {"fields": ["meeting", "member", "status", "announced_at"]}),
            (_("Move the status"), {"fields": ["move_to", "effective_on", "note"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The status moves through the service (the fields below it or the list action),
        # so that each move is checked and recorded.
        return ["meeting", "member", "status"] if obj else []

    def record(self, request, obj, form, change):
        if change:
            self.record_change(request, obj, form)
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

    def record_change(self, request, obj, form):
        if set(form.changed_data) - {"move_to", "effective_on", "note"}:
            save_validated(obj, actor=request.user)
        status = form.cleaned_data.get("move_to")
        if not status:
            return
        try:
            moved = services.hosting_change_status(
                actor=request.user,
                hosting=obj,
                status=status,
                effective_on=form.cleaned_data.get("effective_on"),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as refusal:
            # Shown next to "move to", the field that asked for it.
            raise ValidationError({"move_to": refusal.messages}) from refusal
        obj.status = moved.status

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
    list_filter = ["status_to", ("hosting__meeting__forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["hosting__member", "hosting__meeting__forum", "recorded_by"]
    search_fields = ["hosting__member__name", "note"]


# --- people ---------------------------------------------------------------------------


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ["person", "member", "time_zone", "language"]
    list_filter = ["language"]
    list_select_related = ["member", *person_column_related("user")]
    person = person_column("user", _("person"))
    search_fields = person_search_fields("user")
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
    # Every person picker searches here: by name, login, agency or member state.
    search_fields = PERSON_SEARCH_FIELDS
    ordering = ["first_name", "last_name", "username"]

    def autocomplete_label(self, person) -> str:
        return person_label(person)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*PERSON_LABEL_RELATED)

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
    search_fields = ["name", *person_search_fields("user")]
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
    search_fields = [*person_search_fields("person"), "actor__username"]
    date_hierarchy = "at"
