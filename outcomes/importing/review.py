"""Getting an outcome statement into a reviewed Draft: what the admin and the API share.

`outcomes.importing.statement` reads text into a Draft and
`services.outcome_statement_import` saves one; between them, this module
- reads a paste or an upload into a draft (`read_statement`), the upload bounded while
  it arrived (outcomes/importing/uploads.py);
- lets a draft travel through the review form untouched (`sign_draft` / `unsign_draft`):
  what the secretariat corrects travels in the form's fields, never in the draft;
- applies a corrected link target, given as a citation code or a document code
  (`point_link_at`), and checks the targets of a draft sent back by a script
  (`check_link_targets`).
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from forums.models import Meeting
from outcomes.importing.drafts import Draft, DraftLink
from outcomes.importing.statement import MAX_UPLOAD_BYTES, extract_text, parse_statement
from outcomes.importing.uploads import too_big_error
from outcomes.models import Outcome, OutcomeDocument

# The module's old name, kept: a new salt would refuse the previews open when it changes.
SIGNING_SALT = "outcomes.imports.draft"
# Long enough to review a long action plan over a day's work; a stale preview is read again.
DRAFT_MAX_AGE = 24 * 60 * 60
FILE_SUFFIXES = (".txt", ".docx", ".pdf", ".xml")


# --- text into a draft ---------------------------------------------------------------------


def _storable(text: str) -> str:
    """Refuse what no database column holds: NUL characters, lone surrogates."""
    if "\x00" in text:
        raise ValidationError(
            _("This is not a text file; save the statement as plain text (.txt)."),
            code="binary",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _("The text is in an encoding Talanoa cannot read; save it as UTF-8."),
            code="encoding",
        ) from None
    return text


def statement_text(upload) -> tuple[str, bool]:
    """(text, from_pdf) of an uploaded file, or a ValidationError saying what is wrong."""
    name = upload.name or ""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_big_error()  # the bound was not installed (a direct call): still refused
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    text = extract_text(name, content)
    return _storable(text), name.lower().endswith(".pdf")


def read_statement(*, meeting: Meeting, text: str = "", upload=None) -> Draft:
    """Parse a pasted text or an uploaded file into a draft, references resolved against the
    meeting's forum. ValidationError with the reader's message for anything unreadable.

    An Akoma Ntoso file (.xml) is read as what it is: its numbers, kinds and links are
    explicit, so nothing is inferred (outcomes/importing/akoma_ntoso.py).
    """
    from_pdf = False
    if upload is not None and (upload.name or "").lower().endswith(".xml"):
        from outcomes.importing.akoma_ntoso import draft_from_akn  # lxml and the schema, only here

        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise too_big_error()
        return draft_from_akn(upload.read(MAX_UPLOAD_BYTES + 1))
    if upload is not None:
        text, from_pdf = statement_text(upload)
    return parse_statement(_storable(text), forum=meeting.forum, from_pdf=from_pdf)


# --- a draft through a form ----------------------------------------------------------------


def sign_draft(draft: Draft) -> str:
    return signing.dumps(draft.as_dict(), salt=SIGNING_SALT, compress=True)


def unsign_draft(token: str) -> Draft:
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:  # altered, or older than DRAFT_MAX_AGE
        raise ValidationError(
            _("This preview has expired or was altered; read the statement again."),
            code="draft",
        ) from None
    return Draft.from_dict(data)


# --- corrections ---------------------------------------------------------------------------


def unknown_target_error(code: str) -> ValidationError:
    return ValidationError(
        _("No outcome or document is recorded as “%(code)s”.") % {"code": code},
        code="unknown_target",
    )


def point_link_at(link: DraftLink, code: str) -> None:
    """Resolve `link` to the outcome (citation code) or document (code) named `code`;
    an empty code leaves it unresolved, kept in words in its outcome's source note."""
    code = code.strip()
    link.target_outcome_id = link.target_document_id = None
    link.target_code = ""
    if not code:
        return
    outcome = _one(Outcome.objects.filter(citation_code=code)) or _one(
        Outcome.objects.filter(citation_code__iexact=code)
    )
    if outcome is not None:
        link.target_outcome_id, link.target_code = outcome.pk, outcome.citation_code
        return
    document = _one(OutcomeDocument.objects.filter(code=code)) or _one(
        OutcomeDocument.objects.filter(code__iexact=code)
    )
    if document is not None:
        link.target_document_id, link.target_code = document.pk, document.code
        return
    raise unknown_target_error(code)


def _one(queryset):
    """The row if exactly one matches ("jhops/4/16" may also match "JHOPS/4/16")."""
    found = list(queryset[:2])
    return found[0] if len(found) == 1 else None


def check_link_targets(draft: Draft) -> dict[str, list[str]]:
    """Resolve the links of a draft sent back by a script: a `target_code` names the target
    (as the secretariat would type it), else the ids must name recorded rows.

    Returns the problems as {"outcome number": [messages]}; the draft is updated in place.
    """
    problems: dict[str, list[str]] = {}
    outcome_ids = {
        link.target_outcome_id
        for item in draft.outcomes
        for link in item.links
        if link.target_outcome_id
    }
    document_ids = {
        link.target_document_id
        for item in draft.outcomes
        for link in item.links
        if link.target_document_id
    }
    outcome_codes = dict(
        Outcome.objects.filter(pk__in=outcome_ids).values_list("pk", "citation_code")
    )
    document_codes = dict(
        OutcomeDocument.objects.filter(pk__in=document_ids).values_list("pk", "code")
    )
    for item in draft.outcomes:
        for link in item.links:
            try:
                if link.target_code:
                    point_link_at(link, link.target_code)
                elif link.target_outcome_id:
                    if link.target_outcome_id not in outcome_codes:
                        raise unknown_target_error(f"#{link.target_outcome_id}")
                    link.target_document_id = None
                    link.target_code = outcome_codes[link.target_outcome_id]
                elif link.target_document_id:
                    if link.target_document_id not in document_codes:
                        raise unknown_target_error(f"#{link.target_document_id}")
                    link.target_code = document_codes[link.target_document_id]
            except ValidationError as error:
                problems.setdefault(item.number, []).extend(error.messages)
    return problems


def without_repeated_links(draft: Draft) -> Draft:
    """A paragraph that cites the same outcome twice makes one link, not a refused save."""
    for item in draft.outcomes:
        seen: set[tuple] = set()
        kept = []
        for link in item.links:
            target = (link.kind, link.target_outcome_id, link.target_document_id)
            if link.resolved and target in seen:
                continue
            seen.add(target)
            kept.append(link)
        item.links = kept
    return draft
