"""The secretariat's review-before-save import of an outcome statement.

1. The document's details and its text: pasted, or a .txt, .docx or text-based .pdf
   (bounded while it arrives: outcomes.importing.uploads.BoundedUploadHandler).
2. The preview: each parsed outcome is a row to correct (number, parent, kind, text, "is a
   section"); under it each detected link (relation; target by citation or document code,
   flagged when not recorded, or dropped); the source text beside it with line numbers;
   the parser's warnings on top.
3. Save: services.outcome_statement_import, all or nothing; a refusal is shown on the
   preview with nothing saved.

The draft travels through the preview signed (outcomes.importing.review.sign_draft), as
it was read: the corrections are the form's fields, applied to it on each post, so a draft
that was altered on the way is refused rather than saved.

Another app adds to the review without `outcomes` importing it (models depend one way):
workinggroups/admin.py subclasses the document admin, adding fields to each row
(`statement_row_form`) and what it saves with the statement (`save_statement`).
"""

import dataclasses
import re
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from forums.admin_base import show_refusal
from outcomes.importing import review, uploads
from outcomes.importing.drafts import Draft, DraftOutcome
from outcomes.importing.services import document_kind_named_in, outcome_statement_import
from outcomes.models import OUTCOME_NUMBER_VALIDATOR, Outcome, OutcomeDocument, OutcomeLink

# The review page's indent levels: the .depth-N classes of outcomes/import_review.css.
MAX_INDENT_DEPTH = 6

if TYPE_CHECKING:
    # StatementImportMixin is only ever mixed into a ModelAdmin: for the type checker it is one.
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object

# --- forms ---------------------------------------------------------------------------------


class StatementSourceForm(forms.Form):
    """Step 1: the statement's text, pasted or uploaded (one of the two)."""

    text = forms.CharField(
        label=capfirst(_("text")),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        help_text=_("Paste the statement as it was adopted, headings and numbers included."),
    )
    file = forms.FileField(
        label=capfirst(_("or a file")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(review.FILE_SUFFIXES)}),
        help_text=_(".txt, .docx, a .pdf with text, or Akoma Ntoso .xml; up to %(limit)s MB.")
        % {"limit": uploads.MAX_UPLOAD_BYTES // 1_000_000},
    )

    def __init__(self, *args, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized

    def clean(self):
        cleaned_data = super().clean()
        text, upload = cleaned_data.get("text") or "", cleaned_data.get("file")
        if self.oversized:
            self.add_error("file", uploads.too_big_error())
        elif text.strip() and upload is not None:
            self.add_error(None, _("Paste the text or upload a file, not both."))
        elif not text.strip() and upload is None:
            self.add_error(
                "text", _("There is no text to import: paste the statement or upload its file.")
            )
        return cleaned_data


class DraftOutcomeForm(forms.Form):
    """One parsed outcome, as the secretariat corrects it."""

    number = forms.CharField(
        label=_("number"),
        max_length=40,
        validators=[OUTCOME_NUMBER_VALIDATOR],
        widget=forms.TextInput(attrs={"size": 8}),
    )
    parent_number = forms.CharField(
        label=_("part of"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"size": 8}),
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", "—"), *Outcome.Kind.choices], required=False
    )
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))
    is_section = forms.BooleanField(label=_("is a section heading"), required=False)

    def __init__(self, *args, item: DraftOutcome | None = None, has_children=False, **kwargs):
        self.item = item
        self.has_children = has_children
        super().__init__(*args, **kwargs)

    @property
    def extra_fields(self):
        """Fields another app's admin added (see workinggroups/admin.py)."""
        return [self[name] for name in self.fields if name not in DraftOutcomeForm.base_fields]


class DraftLinkForm(forms.Form):
    """One detected reference: its relation and what it points to, or dropped."""

    kind = forms.ChoiceField(label=_("relation"), choices=OutcomeLink.Kind.choices)
    target = forms.CharField(
        label=_("to"),
        max_length=90,
        required=False,
        widget=forms.TextInput(attrs={"size": 14}),
        help_text=_(
            "A citation code (JHOPS/4/16) or a document code (JHOPS/4); left empty, the "
            "reference is kept in words in the outcome's source note."
        ),
    )
    drop = forms.BooleanField(label=_("not a reference: leave it out"), required=False)

    def __init__(self, *args, link=None, **kwargs):
        self.link = link
        super().__init__(*args, **kwargs)


class OneFormPerItem(forms.BaseFormSet):
    """As many forms as the draft has items, no more and no fewer, each told its item."""

    def __init__(self, *args, per_form=(), **kwargs):
        self.per_form = list(per_form)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.per_form):
            kwargs.update(self.per_form[index])
        return kwargs


def one_form_per_item(form_class, items: list[dict], *, data=None, initial, prefix):
    formset_class = forms.formset_factory(
        form_class,
        formset=OneFormPerItem,
        extra=0,
        min_num=len(items),
        max_num=len(items),
        absolute_max=len(items),
        validate_min=True,
        validate_max=True,
    )
    # A subclass of OneFormPerItem; the stubs type formset_factory's result as BaseFormSet.
    return formset_class(data, initial=initial, prefix=prefix, per_form=items)  # type: ignore[call-arg]


class AsksBeforeASecondDocument(forms.ModelForm):
    """The import's details: a meeting that has a document already gets a second one only
    when the secretariat ticks that it means to add it (a step done twice asks first)."""

    ANOTHER = "add_another"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get(self.add_prefix("meeting")) if self.is_bound else None
        documents = _documents_of(chosen or self.initial.get("meeting"))
        if documents:
            self._ask(documents)

    def _ask(self, documents: str) -> None:
        """The question, right under the meeting it is about."""
        question = forms.BooleanField(
            label=_("Add another document to this meeting"),
            required=False,
            help_text=_("This meeting already has %(documents)s.") % {"documents": documents},
        )
        fields = list(self.fields.items())
        at = next((i + 1 for i, (name, _f) in enumerate(fields) if name == "meeting"), 0)
        self.fields = dict([*fields[:at], (self.ANOTHER, question), *fields[at:]])

    def clean(self):
        cleaned_data = super().clean()
        meeting = cleaned_data.get("meeting")
        documents = _documents_of(meeting.pk) if meeting is not None else ""
        if documents and not cleaned_data.get(self.ANOTHER):
            if self.ANOTHER not in self.fields:  # the meeting was changed on the page
                self._ask(documents)
            self.add_error(
                self.ANOTHER,
                _(
                    "This meeting already has %(documents)s. Tick “Add another document” "
                    "to add a second one, or choose another meeting."
                )
                % {"documents": documents},
            )
        return cleaned_data

    def document_fields(self) -> dict:
        """What the import service records: the details, without the question asked."""
        return {k: v for k, v in self.cleaned_data.items() if k != self.ANOTHER}


def _documents_of(meeting_id) -> str:
    """ "JHOPS/5 (10 outcomes)": the documents a meeting has, named as the checklist does;
    empty when it has none (or the id is not a meeting's)."""
    meeting_id = _meeting_id(meeting_id)
    if meeting_id is None:
        return ""
    documents = OutcomeDocument.objects.filter(meeting_id=meeting_id).with_outcome_count()
    return ", ".join(document.counted() for document in documents.order_by("code"))


def _meeting_id(value) -> int | None:
    """An id as typed in an address or posted; None for anything no meeting could have
    (letters, "²", a number past what the database holds)."""
    text = str(value) if value is not None else ""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def _initial_meeting(query) -> dict:
    meeting = _meeting_id(query.get("meeting"))
    return {"meeting": meeting} if meeting is not None else {}


# --- the view ------------------------------------------------------------------------------


class StatementImportMixin(_ModelAdmin):
    """Adds "Import an outcome statement…" to the outcome document admin."""

    statement_row_form = DraftOutcomeForm
    statement_fields = [
        "meeting",
        "kind",
        "title",
        "short_title",
        "code",
        "adopted_on",
        "place",
        "tlp",
    ]
    # Left empty, they are read from the text's title block (the import service says so).
    from_title_block = ["kind", "title", "adopted_on", "place"]
    statement_template = "admin/outcomes/outcomedocument/import.html"
    statement_review_template = "admin/outcomes/outcomedocument/import_review.html"

    def save_statement(self, request, *, draft: Draft, rows, fields) -> tuple[object, list[str]]:
        """Save the reviewed statement in one service call; (the document, messages).

        `rows` pairs each corrected DraftOutcome with its row's cleaned data, for an admin
        that saves more with it (secretariat/admin.py sets up the working groups a
        paragraph establishes). A ValidationError leaves nothing saved.
        """
        return outcome_statement_import(actor=request.user, draft=draft, **fields), []

    def get_urls(self):
        protected = csrf_protect(self.statement_import_view)

        @csrf_exempt  # checked by `protected`, once the upload bound is in place
        def bounded(request):
            # Before anything reads the body (the CSRF check does): a file over the limit
            # is dropped as it arrives, never held whole.
            uploads.bound_uploads(request)
            try:
                request.POST  # noqa: B018 - read now, under the bound
            except (RequestDataTooBig, TooManyFieldsSent):
                # The body is unread, the CSRF token with it: write nothing, say why.
                return self.statement_too_large(request)
            return protected(request)

        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            path("import/", self.admin_site.admin_view(bounded), name=name),
            *super().get_urls(),
        ]

    def _check_import_permission(self, request):
        # Importing adds a document and its outcomes: the secretariat's add permission.
        if not self.has_add_permission(request):
            raise PermissionDenied

    def statement_too_large(self, request):
        self._check_import_permission(request)
        self.message_user(
            request,
            gettext(
                "The text is too large to send in one form; upload it as a file "
                "(up to %(limit)s MB), or import one statement at a time."
            )
            % {"limit": uploads.MAX_UPLOAD_BYTES // 1_000_000},
            messages.ERROR,
        )
        return self._render_source(request, self._statement_form(request)(), StatementSourceForm())

    def _statement_form(self, request):
        form_class = self.get_form(request, fields=self.statement_fields)
        optional = self.from_title_block

        class StatementDetailsForm(AsksBeforeASecondDocument, form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name in optional:
                    self.fields[name].required = False
                self.fields["title"].help_text = _(
                    "Leave empty to take it from the text's title block."
                )

        return StatementDetailsForm

    def _with_title_block(self, meta_form_class, data, draft: Draft):
        """The details form as posted, its empty details filled from the title block the
        parser read, for the secretariat to check before saving."""
        data = data.copy()
        found = {
            "title": draft.title,
            "adopted_on": draft.adopted_on,
            "place": draft.place,
            "kind": draft.kind or (draft.title and document_kind_named_in(draft.title)),
        }
        for name, value in found.items():
            if value and not data.get(name):
                data[name] = value
        return meta_form_class(data)

    def statement_import_view(self, request):
        self._check_import_permission(request)
        meta_form_class = self._statement_form(request)
        if request.method == "POST" and "draft" in request.POST:
            return self._review(request, meta_form_class)
        posted = request.method == "POST"
        # Started from a meeting's checklist: that meeting is chosen already.
        meta = meta_form_class(
            request.POST if posted else None, initial=_initial_meeting(request.GET)
        )
        source = StatementSourceForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            oversized="file" in uploads.oversized_fields(request),
        )
        if posted and meta.is_valid() & source.is_valid():
            upload = source.cleaned_data["file"]
            try:
                draft = review.read_statement(
                    meeting=meta.cleaned_data["meeting"],
                    text=source.cleaned_data["text"],
                    upload=upload,
                )
            except ValidationError as error:
                source.add_error("file" if upload is not None else "text", error)
            else:
                rows, links = self._review_formsets(draft)
                meta = self._with_title_block(meta_form_class, request.POST, draft)
                return self._render_review(
                    request, meta, draft, review.sign_draft(draft), rows, links
                )
        return self._render_source(request, meta, source)

    def _review(self, request, meta_form_class):
        meta = meta_form_class(request.POST)
        token = request.POST["draft"]
        try:
            draft = review.unsign_draft(token)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return self._render_source(request, meta, StatementSourceForm())
        rows, links = self._review_formsets(draft, request.POST)
        if meta.is_valid() & rows.is_valid() & links.is_valid():
            corrected = self._corrected(draft, rows, links)
            if corrected is not None:
                row_data = [
                    (item, form.cleaned_data)
                    for item, form in zip(corrected.outcomes, rows.forms, strict=True)
                ]
                try:
                    document, notes = self.save_statement(
                        request,
                        draft=review.without_repeated_links(corrected),
                        rows=row_data,
                        fields=meta.document_fields(),
                    )
                except ValidationError as error:
                    show_refusal(meta, error)  # rolled back: nothing is saved
                else:
                    return self._imported(request, document, corrected, notes)
        return self._render_review(request, meta, draft, token, rows, links)

    def _imported(self, request, document, draft: Draft, notes: list[str]):
        links = OutcomeLink.objects.filter(source__document=document).count()
        self.message_user(
            request,
            gettext(
                "%(outcomes)d outcome(s) and %(links)d link(s) imported; %(unresolved)d "
                "reference(s) left unresolved (in each outcome's source note)."
            )
            % {
                "outcomes": document.outcomes.count(),
                "links": links,
                "unresolved": len(draft.unresolved),
            },
            messages.SUCCESS,
        )
        for note in notes:
            self.message_user(request, note, messages.SUCCESS)
        return HttpResponseRedirect(self.statement_imported_url(request, document))

    def statement_imported_url(self, request, document) -> str:
        """Where the officer goes once the statement is saved: the document's page."""
        change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return reverse(change, args=[document.pk])

    # --- the review's forms -----------------------------------------------------------

    def _review_formsets(self, draft: Draft, data=None):
        parents = {item.parent_number for item in draft.outcomes if item.parent_number}
        rows = one_form_per_item(
            self.statement_row_form,
            [{"item": item, "has_children": item.number in parents} for item in draft.outcomes],
            data=data,
            initial=[
                {
                    "number": item.number,
                    "parent_number": item.parent_number or "",
                    "kind": item.kind,
                    "text": item.text,
                    "is_section": item.is_section,
                }
                for item in draft.outcomes
            ],
            prefix="outcomes",
        )
        every_link = [link for item in draft.outcomes for link in item.links]
        links = one_form_per_item(
            DraftLinkForm,
            [{"link": link} for link in every_link],
            data=data,
            initial=[{"kind": link.kind, "target": link.target_code} for link in every_link],
            prefix="links",
        )
        return rows, links

    def _corrected(self, draft: Draft, rows, links) -> Draft | None:
        """The draft as read, with the review's corrections; None if a target is unknown
        (the error is on its row)."""
        renamed = {
            item.number: form.cleaned_data["number"]
            for item, form in zip(draft.outcomes, rows.forms, strict=True)
            if form.cleaned_data["number"] != item.number
        }
        link_forms = iter(links.forms)
        corrected: list[DraftOutcome] = []
        complete = True
        for item, form in zip(draft.outcomes, rows.forms, strict=True):
            data = form.cleaned_data
            parent = data["parent_number"].strip() or None
            if parent == item.parent_number and parent in renamed:
                parent = renamed[parent]  # renumbered above, untouched here: follow it
            kept = []
            for link in item.links:
                link_form = next(link_forms)
                if link_form.cleaned_data["drop"]:
                    continue
                link = dataclasses.replace(link, kind=link_form.cleaned_data["kind"])
                target = link_form.cleaned_data["target"].strip()
                if target != link.target_code:
                    try:
                        review.point_link_at(link, target)
                    except ValidationError as error:
                        link_form.add_error("target", error)
                        complete = False
                kept.append(link)
            corrected.append(
                dataclasses.replace(
                    item,
                    number=data["number"],
                    parent_number=parent,
                    kind=data["kind"],
                    text=data["text"],
                    is_section=data["is_section"],
                    links=kept,
                )
            )
        if not complete:
            return None
        return dataclasses.replace(draft, outcomes=corrected)

    # --- pages ------------------------------------------------------------------------

    def _context(self, request, meta, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "meta_form": meta,
            "media": self.media + meta.media,
            **extra,
        }

    def _render_source(self, request, meta, source):
        context = self._context(
            request,
            meta,
            title=gettext("Import an outcome statement"),
            source_form=source,
        )
        return TemplateResponse(request, self.statement_template, context)

    def _render_review(self, request, meta, draft: Draft, token: str, rows, links):
        depth: dict[str, int] = {}
        link_forms = iter(links.forms)
        items = []
        previous_heading = ""
        for item, form in zip(draft.outcomes, rows.forms, strict=True):
            depth[item.number] = depth.get(item.parent_number or "", -1) + 1
            items.append(
                {
                    "item": item,
                    "form": form,
                    # Indented by depth (outcomes/import_review.css); deeper items
                    # share the deepest indent.
                    "depth": min(depth[item.number], MAX_INDENT_DEPTH),
                    "heading": item.heading if item.heading != previous_heading else "",
                    "links": [(next(link_forms), link) for link in item.links],
                }
            )
            previous_heading = item.heading
        text = draft.source_text.replace("\r\n", "\n").replace("\r", "\n")
        context = self._context(
            request,
            meta,
            title=gettext("Review the statement before saving"),
            draft=draft,
            draft_token=token,
            items=items,
            rows=rows,
            links=links,
            link_count=sum(len(item.links) for item in draft.outcomes),
            link_help=DraftLinkForm.base_fields["target"].help_text,
            unresolved_count=len(draft.unresolved),
            source_lines=text.split("\n"),
        )
        return TemplateResponse(request, self.statement_review_template, context)
