"""POST /api/v1/outcome-documents/import/: an outcome statement imported by a script.

The same steps as the admin's review (outcomes/importing/admin.py), for the secretariat's
scripts: send the text (JSON `text`, or a multipart `file`) and get the parsed draft back
(`preview`, the default); send `preview: false` to save it, all or nothing; or send back
a corrected `draft`, as the preview returned it, instead of the text.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from forums.api.base import MAX_ID, BoundedPrimaryKeyRelatedField, StrictSerializer, TLPField
from forums.api.parsers import JSONParser
from forums.api.permissions import PolicyPermission, has_no_handler
from forums.models import Meeting
from forums.tlp import TLP
from outcomes.api.serializers import OutcomeDocumentSerializer
from outcomes.api.views import OutcomeDocumentViewSet
from outcomes.importing import review, uploads
from outcomes.importing.drafts import Draft, DraftLink, DraftOutcome
from outcomes.importing.services import outcome_statement_import
from outcomes.importing.statement import MAX_TEXT_CHARS
from outcomes.models import (
    DOCUMENT_CODE_VALIDATOR,
    OUTCOME_NUMBER_VALIDATOR,
    Outcome,
    OutcomeDocument,
    OutcomeLink,
)
from outcomes.policy import may_record_outcomes

MAX_DRAFT_OUTCOMES = 5000
MAX_LINKS_PER_OUTCOME = 100

# --- the draft on the wire -----------------------------------------------------------------


class DraftLinkSerializer(StrictSerializer):
    """A reference the text makes: resolved to an outcome or a document, or flagged."""

    kind = serializers.ChoiceField(choices=OutcomeLink.Kind.choices)
    phrase = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, help_text="The words of the text."
    )
    target_label = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        help_text="What the text names: “Outcome 16 of the Denarau Outcome”.",
    )
    target_code = serializers.CharField(
        max_length=90,
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text=(
            "The citation code (JHOPS/4/16) or document code (JHOPS/4) it resolved to; null "
            "when not recorded. To correct a link, set the code: it wins over the ids."
        ),
    )
    target_outcome_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False
    )
    target_document_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False
    )
    kind_inferred = serializers.BooleanField(
        required=False, help_text="The text names no relation: the kind is a default."
    )
    resolved = serializers.BooleanField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["target_code"] = data["target_code"] or None
        return data


class DraftOutcomeSerializer(StrictSerializer):
    """One parsed outcome: its number, its parent's, its kind, its text and its links."""

    number = serializers.CharField(max_length=40, validators=[OUTCOME_NUMBER_VALIDATOR])
    parent_number = serializers.CharField(
        max_length=40, allow_null=True, allow_blank=True, required=False
    )
    kind = serializers.ChoiceField(choices=Outcome.Kind.choices, allow_blank=True, required=False)
    text = serializers.CharField(max_length=MAX_TEXT_CHARS)
    heading = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        help_text="The unnumbered heading it stands under.",
    )
    is_section = serializers.BooleanField(required=False)
    source_line = serializers.IntegerField(
        min_value=0,
        max_value=MAX_TEXT_CHARS,
        required=False,
        help_text="Where it starts in the source text (1-based).",
    )
    # With many=True, max_length goes to the ListSerializer; the stubs lack it.
    links = DraftLinkSerializer(many=True, required=False, max_length=MAX_LINKS_PER_OUTCOME)  # type: ignore[call-arg]


class DraftAnnexSerializer(StrictSerializer):
    """An annex after the statement's body, kept apart from its outcomes."""

    title = serializers.CharField(read_only=True, help_text="“Annex A: Terms of reference”.")
    text = serializers.CharField(read_only=True)


class DraftSerializer(StrictSerializer):
    """A parsed statement: what the preview returns, and what a script may send back."""

    # With many=True, max_length goes to the ListSerializer; the stubs lack it.
    outcomes = DraftOutcomeSerializer(many=True, allow_empty=False, max_length=MAX_DRAFT_OUTCOMES)  # type: ignore[call-arg]
    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the parser noticed and could not settle.",
    )
    unresolved = serializers.SerializerMethodField(
        help_text="References not resolved to a recorded outcome or document."
    )
    source_text = serializers.CharField(
        max_length=MAX_TEXT_CHARS,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="The text as read; sent back with a corrected draft, it is kept as the "
        "document's source.",
    )
    title = serializers.CharField(
        read_only=True, help_text="The title the text's title block gives, or empty."
    )
    place = serializers.CharField(
        read_only=True, help_text="Where it was adopted, as the title block says, or empty."
    )
    adopted_on = serializers.CharField(
        read_only=True,
        help_text="The date the title block gives (its last day, ISO 8601), or empty.",
    )
    furniture = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Lines dropped as page or web furniture (running headers, page numbers, "
        "share links), each once.",
    )
    annexes = DraftAnnexSerializer(
        many=True, read_only=True, help_text="Annexes after the body, not read as outcomes."
    )

    def get_unresolved(self, draft) -> int:
        return len(draft.unresolved)


def draft_from(data: dict) -> Draft:
    return Draft(
        outcomes=[
            DraftOutcome(
                number=item["number"],
                text=item["text"],
                kind=item.get("kind", ""),
                parent_number=item.get("parent_number") or None,
                heading=item.get("heading", ""),
                is_section=item.get("is_section", False),
                source_line=item.get("source_line", 0),
                links=[
                    DraftLink(
                        kind=link["kind"],
                        phrase=link.get("phrase", ""),
                        target_label=link.get("target_label", ""),
                        target_code=(link.get("target_code") or "").strip(),
                        target_outcome_id=link.get("target_outcome_id"),
                        target_document_id=link.get("target_document_id"),
                        kind_inferred=link.get("kind_inferred", False),
                    )
                    for link in item.get("links", [])
                ],
            )
            for item in data["outcomes"]
        ],
        source_text=data.get("source_text", ""),
    )


# --- the request ---------------------------------------------------------------------------


class PreviewField(serializers.BooleanField):
    # A form (multipart) that leaves it out means "preview", not false: DRF reads a missing
    # checkbox as false, which here would save.
    default_empty_html = empty


class StatementImportSerializer(StrictSerializer):
    """The document's details and its text: `text`, or a corrected `draft`."""

    meeting = BoundedPrimaryKeyRelatedField(queryset=Meeting.objects.all())
    kind = serializers.ChoiceField(
        choices=OutcomeDocument.Kind.choices,
        required=False,
        help_text="Default: the kind the title names (a communiqué, a declaration, an action "
        "plan), else outcome_statement.",
    )
    title = serializers.CharField(
        max_length=300,
        required=False,
        help_text="Default: the title the text's title block gives; a 400 if it gives none.",
    )
    short_title = serializers.CharField(max_length=100, allow_blank=True, required=False)
    code = serializers.CharField(
        max_length=40,
        allow_blank=True,
        required=False,
        validators=[DOCUMENT_CODE_VALIDATOR],
        help_text="Empty: forum / meeting number, e.g. JHOPS/5.",
    )
    adopted_on = serializers.DateField(
        allow_null=True, required=False, help_text="Default: the date the title block gives."
    )
    place = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Where it was adopted. Default: the place the title block gives.",
    )
    tlp = TLPField(required=False, help_text="Default: clear.")
    preview = PreviewField(
        default=True, help_text="true (default): return the parsed draft, save nothing."
    )
    text = serializers.CharField(
        max_length=MAX_TEXT_CHARS,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="The statement's text, as pasted.",
    )
    draft = DraftSerializer(
        required=False, help_text="A corrected draft, as a preview returned it, instead of text."
    )

    def validate(self, data):
        given = [name for name in ("text", "file", "draft") if data.get(name) is not None]
        if len(given) > 1:
            raise ValidationError(
                {
                    given[1]: [
                        _("Send one of text, file or draft, not %(first)s too.")
                        % {"first": given[0]}
                    ]
                }
            )
        return data


class StatementUploadSerializer(StatementImportSerializer):
    """The same, with the statement as a file (.txt, .docx, .pdf, Akoma Ntoso .xml; 5 MB)."""

    file = serializers.FileField(
        required=False, help_text=".txt, .docx, a .pdf with text, or Akoma Ntoso .xml; up to 5 MB."
    )
    draft = None  # type: ignore[assignment]  # DRF: None removes the inherited field


class SecretariatOnly(PolicyPermission):
    """The secretariat's (outcomes/policy.py); a method the endpoint lacks is 405 for
    everyone (with Allow)."""

    def __init__(self):
        super().__init__(may_record_outcomes)

    def has_permission(self, request, view):
        return has_no_handler(request, view) or super().has_permission(request, view)


def flat_errors(detail, path: str = "") -> list[str]:
    """Nested serializer errors as "outcomes[2].links[0].kind: message" lines."""
    if isinstance(detail, dict):
        return [
            message
            for key, value in detail.items()
            for message in flat_errors(value, _error_path(path, key))
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{path}: {item}" if path else str(item) for item in detail]
        return [
            message
            for index, item in enumerate(detail)
            for message in flat_errors(item, f"{path}[{index}]")
        ]
    return [f"{path}: {detail}" if path else str(detail)]


def _error_path(path: str, key) -> str:
    if isinstance(key, int):  # an item of a list
        return f"{path}[{key}]"
    if key == api_settings.NON_FIELD_ERRORS_KEY:  # about the object at `path` itself
        return path
    return f"{path}.{key}" if path else str(key)


def field_errors(errors: dict) -> dict[str, list[str]]:
    """Field → list of messages, as every other endpoint answers (no nesting)."""
    return {field: flat_errors(value) for field, value in errors.items()}


# The shared error body (forums.api.schema) reserves `code` for an error code; this body has a
# field named `code` (the document's), whose messages are a list like any other field's.
IMPORT_ERRORS = {
    "type": "object",
    "description": "Field name → list of messages; `detail` for the request as a whole.",
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

IMPORT_DESCRIPTION = (
    "Read a statement's text (`text`, or a multipart `file`: .txt, .docx, a .pdf "
    "with text, or Akoma Ntoso .xml, up to 5 MB) into numbered outcomes, their kinds "
    "and the references "
    "they make. With `preview` (the default) the parsed draft is returned and nothing "
    "is saved: outcomes with their numbers, parents, kinds and source lines; links "
    "with the code they resolved to, or null when what they name is not recorded; "
    "the parser's warnings. Send `preview: false` to save the document and its "
    "outcomes, all or nothing (201); or send back a corrected `draft` instead of the "
    "text. An unresolved reference is kept in words in its outcome's source note. "
    "Any refusal is a 400 naming the field (an outcome by its number) and saves "
    "nothing."
)
EXAMPLE_TEXT = (
    "Members reiterated their commitment to the 2022 Denarau Outcome and agreed to "
    "establish an intersessional working group, including;\n"
    "- a terms of reference pursuant to Outcome 16 of the Denarau Outcome\n"
)


class StatementImportView(generics.GenericAPIView):
    permission_classes = [SecretariatOnly]
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = StatementImportSerializer

    def initialize_request(self, request, *args, **kwargs):
        # Before anything reads the body (authentication may): an upload over the limit is
        # dropped as it arrives.
        uploads.bound_uploads(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        tags=["outcome-documents"],
        operation_id="outcome_documents_import",
        summary="Import an outcome statement (secretariat)",
        description=IMPORT_DESCRIPTION,
        request={
            "application/json": StatementImportSerializer,
            "multipart/form-data": StatementUploadSerializer,
        },
        responses={
            200: DraftSerializer,
            201: OutcomeDocumentSerializer,
            400: OpenApiResponse(IMPORT_ERRORS, description="Field → messages; nothing saved."),
        },
        examples=[
            OpenApiExample(
                "Preview a pasted statement",
                request_only=True,
                media_type="application/json",
                value={
                    "meeting": 3,
                    "kind": "communique",
                    "title": "Joint Communiqué of the 6th JHoPS Meeting",
                    "code": "JHOPS/6",
                    "text": EXAMPLE_TEXT,
                },
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        upload = request.content_type.startswith("multipart/")
        body_class = StatementUploadSerializer if upload else StatementImportSerializer
        body = body_class(data=request.data)
        if not body.is_valid():
            raise ValidationError(field_errors(body.errors))
        data = body.validated_data
        if "file" in uploads.oversized_fields(request):
            raise ValidationError({"file": uploads.too_big_error().messages})
        draft = self._draft(data)
        if data["preview"]:
            return Response(DraftSerializer(draft).data)
        with transaction.atomic():
            document = outcome_statement_import(
                actor=request.user,
                meeting=data["meeting"],
                draft=review.without_repeated_links(draft),
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                short_title=data.get("short_title", ""),
                code=data.get("code", ""),
                adopted_on=data.get("adopted_on"),
                place=data.get("place", ""),
                tlp=data.get("tlp", TLP.CLEAR),
            )
        fresh = self._document(document.pk)
        return Response(OutcomeDocumentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def _draft(self, data) -> Draft:
        if data.get("draft") is not None:
            draft = draft_from(data["draft"])
            problems = review.check_link_targets(draft)
            if problems:
                raise ValidationError(
                    {
                        "draft": [
                            f"{number}: {message}"
                            for number, messages in problems.items()
                            for message in messages
                        ]
                    }
                )
            return draft
        field = "file" if data.get("file") is not None else "text"
        try:
            return review.read_statement(
                meeting=data["meeting"], text=data.get("text") or "", upload=data.get("file")
            )
        except DjangoValidationError as error:
            raise ValidationError({field: error.messages}) from error

    def _document(self, pk: int):
        # As the document resource shows it (its count of outcomes included).
        viewset = OutcomeDocumentViewSet(request=self.request, format_kwarg=None)
        return viewset.get_queryset().get(pk=pk)
