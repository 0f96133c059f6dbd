"""The secretariat's data entry for outcome documents, their numbered outcomes and links."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from forums.admin_base import AuditedAdmin, AuditedInline, adopt, cut
from forums.audit import save_validated
from outcomes import services
from outcomes.akoma_ntoso import MEDIA_TYPE, document_to_akn, download_name
from outcomes.importing.admin import StatementImportMixin
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink

# --- outcome documents ----------------------------------------------------------------


class DocumentForm(forms.ModelForm):
    class Meta:
        model = OutcomeDocument
        fields = [
            "meeting",
            "kind",
            "title",
            "short_title",
            "code",
            "adopted_on",
            "place",
            "tlp",
            "source_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Leave empty for forum / meeting number, e.g. JHOPS/5. Never changes once "
                "outcomes exist: it starts their citation codes."
            )


def record_document(request, document: OutcomeDocument) -> None:
    """A new document through its service, which picks the default prefix; edits saved."""
    if not document._state.adding:
        save_validated(document, actor=request.user)
        return
    adopt(
        document,
        services.outcome_document_record(
            actor=request.user,
            meeting=document.meeting,
            kind=document.kind,
            title=document.title,
            short_title=document.short_title,
            code=document.code,
            adopted_on=document.adopted_on,
            place=document.place,
            tlp=document.tlp,
            source_note=document.source_note,
        ),
    )


class OutcomeDocumentInline(AuditedInline):
    """Documents a meeting adopted, listed on the meeting's page."""

    model = OutcomeDocument
    form = DocumentForm
    fields = ["kind", "title", "short_title", "code", "adopted_on", "tlp"]
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False

    def record(self, request, obj, change):
        record_document(request, obj)


# --- outcomes -------------------------------------------------------------------------


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = [
            "document",
            "number",
            "position",
            "parent",
            "text",
            "kind",
            "tlp",
            "responsible",
            "recipients",
            "source_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].required = False
            self.fields["position"].help_text = _("Leave empty to put it after the last one.")


def record_outcome(request, outcome: Outcome) -> None:
    """A new outcome gets its permanent citation code from the service; edits keep it."""
    if not outcome._state.adding:
        services.outcome_save(actor=request.user, outcome=outcome)
        return
    adopt(
        outcome,
        services.outcome_add(
            actor=request.user,
            document=outcome.document,
            number=outcome.number,
            text=outcome.text,
            kind=outcome.kind,
            parent=outcome.parent,
            tlp=outcome.tlp,
            source_note=outcome.source_note,
            position=outcome.position,
        ),
    )


class OutcomeInline(AuditedInline):
    model = Outcome
    form = OutcomeForm
    fields = ["number", "position", "parent", "text", "kind", "tlp", "status", "citation_code"]
    # Status moves through the "mark …" actions, which check the transition map.
    readonly_fields = ["status", "citation_code"]
    autocomplete_fields = ["parent"]
    # Tall enough to read a paragraph; its column takes what the others leave (admin.css).
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False  # outcomes are cited permanently

    def record(self, request, obj, change):
        record_outcome(request, obj)


# Registered by the secretariat's admin (secretariat/admin.py), which adds the working
# groups an imported statement may set up.
class OutcomeDocumentAdmin(StatementImportMixin, AuditedAdmin):
    form = DocumentForm
    list_display = ["code", "title", "kind", "meeting", "adopted_on", "tlp", "outcome_count"]
    list_filter = ["kind", "tlp", ("meeting__forum", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["meeting__forum"]
    search_fields = ["code", "title", "short_title"]
    autocomplete_fields = ["meeting"]
    inlines = [OutcomeInline]
    actions = ["download_akoma_ntoso"]
    readonly_fields = ["source_text"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": DocumentForm.Meta.fields})]
        if obj is None or not obj.source_text:
            return fieldsets  # only an import has a text to show
        # Folded away: long, and there to check the outcomes against, not to edit.
        return [
            *fieldsets,
            (_("Source text"), {"classes": ["collapse"], "fields": ["source_text"]}),
        ]

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering (GROUP BY); autocomplete pages need an order.
        return (
            super()
            .get_queryset(request)
            .annotate(outcome_total=Count("outcomes"))
            .order_by(*OutcomeDocument._meta.ordering)
        )

    @admin.display(description=_("outcomes"), ordering="outcome_total")
    def outcome_count(self, document):
        return document.outcome_total

    def record(self, request, obj, form, change):
        record_document(request, obj)

    @admin.action(description=_("Download as Akoma Ntoso"))
    def download_akoma_ntoso(self, request, queryset):
        documents = list(queryset[:2])
        if len(documents) != 1:
            self.message_user(
                request, _("Choose one document to download as Akoma Ntoso."), messages.WARNING
            )
            return None
        document = documents[0]
        try:
            content = document_to_akn(document, user=request.user)
        except OutcomeDocument.DoesNotExist:
            self.message_user(
                request,
                _("%(document)s is beyond your TLP clearance.") % {"document": document},
                messages.ERROR,
            )
            return None
        response = HttpResponse(content, content_type=MEDIA_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, download_name(document))
        return response


class OutcomeLinkInline(AuditedInline):
    model = OutcomeLink
    fk_name = "source"
    fields = ["kind", "target_outcome", "target_document"]
    autocomplete_fields = ["target_outcome", "target_document"]

    def record(self, request, obj, change):
        record_link(request, obj)


def record_link(request, link: OutcomeLink) -> None:
    if not link._state.adding:
        save_validated(link, actor=request.user)
        return
    adopt(
        link,
        services.outcome_link_add(
            actor=request.user,
            source=link.source,
            kind=link.kind,
            target_outcome=link.target_outcome,
            target_document=link.target_document,
        ),
    )


# Registered by the secretariat's admin (secretariat/admin.py), which adds where each
# outcome stands, derived from the work serving it (workinggroups).
class OutcomeAdmin(AuditedAdmin):
    form = OutcomeForm
    list_display = ["citation_code", "kind", "status", "tlp", "excerpt"]
    list_filter = [
        "status",
        "kind",
        "tlp",
        ("document__meeting__forum", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["citation_code", "text", "document__title", "document__short_title"]
    autocomplete_fields = ["document", "parent", "responsible", "recipients"]
    fields = [
        "document",
        "number",
        "position",
        "parent",
        "text",
        "kind",
        "status",
        "tlp",
        "responsible",
        "recipients",
        "source_note",
        "citation_code",
    ]
    inlines = [OutcomeLinkInline]
    actions = ["mark_implemented", "mark_elapsed", "mark_active"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "citation_code"]
        if obj is not None:
            # The citation code is made of them; it is permanent once recorded.
            readonly += ["document", "number"]
        return readonly

    @admin.display(description=_("text"))
    def excerpt(self, outcome):
        # Cut to keep the list short; the whole text on hover.
        return format_html(
            '<span title="{}">{}</span>', outcome.text, Truncator(outcome.text).chars(120)
        )

    def record(self, request, obj, form, change):
        record_outcome(request, obj)

    def _move(self, request, queryset, status):
        self.act_on_each(
            request,
            queryset,
            lambda outcome: services.outcome_change_status(
                actor=request.user, outcome=outcome, status=status
            ),
            _("Marked %(count)d outcome(s) “%(status)s”."),
            status=Outcome.Status(status).label,
        )

    @admin.action(description=_("Mark the selected outcomes implemented"))
    def mark_implemented(self, request, queryset):
        self._move(request, queryset, Outcome.Status.IMPLEMENTED)

    @admin.action(description=_("Mark the selected outcomes elapsed"))
    def mark_elapsed(self, request, queryset):
        self._move(request, queryset, Outcome.Status.ELAPSED)

    @admin.action(description=_("Mark the selected outcomes active again"))
    def mark_active(self, request, queryset):
        self._move(request, queryset, Outcome.Status.ACTIVE)


@admin.register(OutcomeLink)
class OutcomeLinkAdmin(AuditedAdmin):
    list_display = ["source_code", "kind", "target"]
    list_filter = ["kind"]
    list_select_related = ["source", "target_outcome", "target_document"]
    search_fields = [
        "source__citation_code",
        "target_outcome__citation_code",
        "target_document__code",
        "target_document__title",
    ]
    autocomplete_fields = ["source", "target_outcome", "target_document"]

    @admin.display(description=_("source"), ordering="source__citation_code")
    def source_code(self, link):
        return link.source.citation_code

    @admin.display(description=_("target"))
    def target(self, link):
        return cut(link.target_outcome or link.target_document)

    def record(self, request, obj, form, change):
        record_link(request, obj)
