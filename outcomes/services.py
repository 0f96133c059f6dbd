"""The writes of the outcomes app: documents with their numbered outcomes, links, status."""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from forums.audit import check_transition, lock_for_edit, save_validated
from forums.models import Meeting, Member
from forums.tlp import TLP
from outcomes.importing.drafts import Draft, DraftOutcome
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink, citation_code_for


@dataclass(frozen=True)
class OutcomeSpec:
    """One numbered item as the secretariat (or the importer) reads it off the document."""

    number: str
    text: str
    kind: str = ""
    parent_number: str | None = None
    status: str = Outcome.Status.ACTIVE
    tlp: int | None = None  # None: the document's label
    responsible: Sequence[Member] = field(default_factory=tuple)
    source_note: str = ""


def default_document_code(meeting: Meeting) -> str:
    return f"{meeting.forum.acronym}/{meeting.sequence}"


@transaction.atomic
def outcome_document_record(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    title: str,
    outcomes: Sequence[OutcomeSpec] = (),
    short_title: str = "",
    code: str = "",
    adopted_on: datetime.date | None = None,
    tlp: int = TLP.CLEAR,
    source_note: str = "",
) -> OutcomeDocument:
    """Record a document a meeting adopted and its outcomes, all or nothing."""
    duplicates = sorted(n for n, count in Counter(s.number for s in outcomes).items() if count > 1)
    if duplicates:
        raise ValidationError(
            {
                "outcomes": [
                    _("Outcome number used twice in the document: %(numbers)s.")
                    % {"numbers": ", ".join(duplicates)}
                ]
            }
        )
    code = code or default_document_code(meeting)
    if OutcomeDocument.objects.filter(code=code).exists():
        raise ValidationError(
            {
                "code": [
                    _(
                        "%(code)s already starts another document's citation codes; "
                        "give this one a suffix, e.g. %(code)s-AP."
                    )
                    % {"code": code}
                ]
            }
        )
    document = save_validated(
        OutcomeDocument(
            meeting=meeting,
            kind=kind,
            title=title,
            short_title=short_title,
            code=code,
            adopted_on=adopted_on,
            tlp=tlp,
            source_note=source_note,
        ),
        actor=actor,
    )
    recorded: dict[str, Outcome] = {}
    for spec in outcomes:
        parent = None
        if spec.parent_number is not None:
            if spec.parent_number not in recorded:
                raise ValidationError(
                    {
                        "outcomes": [
                            _("%(number)s: its parent %(parent)s comes later.")
                            % {"number": spec.number, "parent": spec.parent_number}
                        ]
                    }
                )
            parent = recorded[spec.parent_number]
        outcome = outcome_add(
            actor=actor,
            document=document,
            number=spec.number,
            text=spec.text,
            kind=spec.kind,
            parent=parent,
            status=spec.status,
            tlp=document.tlp if spec.tlp is None else spec.tlp,
            source_note=spec.source_note,
        )
        if spec.responsible:
            outcome.responsible.set(spec.responsible)
        recorded[spec.number] = outcome
    return document


@transaction.atomic
def outcome_add(
    *,
    actor,
    document: OutcomeDocument,
    number: str,
    text: str,
    kind: str = "",
    parent: Outcome | None = None,
    status: str = Outcome.Status.ACTIVE,
    tlp: int | None = None,
    source_note: str = "",
    position: int | None = None,
) -> Outcome:
    """Add one outcome at the end of a document (or at `position`) with its permanent code."""
    if position is None:
        last = document.outcomes.aggregate(last=Max("position"))["last"]
        position = (last or 0) + 1
    return outcome_save(
        actor=actor,
        outcome=Outcome(
            document=document,
            number=number,
            text=text,
            kind=kind,
            parent=parent,
            status=status,
            tlp=document.tlp if tlp is None else tlp,
            source_note=source_note,
            position=position,
        ),
    )


def outcome_save(*, actor, outcome: Outcome) -> Outcome:
    """Save a new or edited outcome; a new one gets its citation code, which never changes."""
    if not outcome.citation_code:
        outcome.citation_code = citation_code_for(outcome.document, outcome.number)
    return save_validated(outcome, actor=actor)


@transaction.atomic
def outcome_change_status(*, actor, outcome: Outcome, status: str, note: str = "") -> Outcome:
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    check_transition(
        transitions=Outcome.TRANSITIONS,
        current=outcome.status,
        wanted=status,
        labels=dict(Outcome.Status.choices),
    )
    outcome.status = status
    return save_validated(outcome, actor=actor, reason=note)


def outcome_link_add(
    *,
    actor,
    source: Outcome,
    kind: str,
    target_outcome: Outcome | None = None,
    target_document: OutcomeDocument | None = None,
) -> OutcomeLink:
    return save_validated(
        OutcomeLink(
            source=source,
            kind=kind,
            target_outcome=target_outcome,
            target_document=target_document,
        ),
        actor=actor,
    )


EDITABLE_OUTCOME_FIELDS = frozenset(
    {"text", "kind", "status", "tlp", "source_note", "responsible", "recipients"}
)


@transaction.atomic
def outcome_edit(
    *, actor, outcome: Outcome, expected_version: int | None, note: str = "", **changes
) -> Outcome:
    """Correct an outcome's details or move its status, refusing a stale `expected_version`.

    Its number and document are not editable: the citation code is permanent.
    """
    unknown = set(changes) - EDITABLE_OUTCOME_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be edited.")] for field in unknown})
    outcome = lock_for_edit(Outcome.objects.all(), pk=outcome.pk, expected_version=expected_version)
    status = changes.pop("status", outcome.status)
    responsible = changes.pop("responsible", None)
    recipients = changes.pop("recipients", None)
    for field_name, value in changes.items():
        setattr(outcome, field_name, value)
    if changes or responsible is not None or recipients is not None:
        outcome_save(actor=actor, outcome=outcome)  # moves the version (the ETag)
    if status != outcome.status:
        outcome = outcome_change_status(actor=actor, outcome=outcome, status=status, note=note)
    if responsible is not None:
        outcome.responsible.set(responsible)
    if recipients is not None:
        outcome.recipients.set(recipients)
    return outcome


# --- importing an outcome statement --------------------------------------------------------


def _import_note(item: DraftOutcome) -> str:
    """What the draft knew that has no field of its own: its heading, the references
    it made that nobody resolved (kept in words, so nothing read is lost)."""
    notes = []
    if item.heading:
        notes.append(_("Under the heading “%(heading)s”.") % {"heading": item.heading})
    for link in item.links:
        if not link.resolved:
            notes.append(
                _("Unresolved reference (%(relation)s): “%(label)s”.")
                % {
                    "relation": OutcomeLink.Kind(link.kind).label
                    if link.kind in OutcomeLink.Kind.values
                    else link.kind,
                    "label": link.target_label,
                }
            )
    return " ".join(notes)[:300]


def _refuse(number: str, messages) -> None:
    raise ValidationError({"outcomes": [f"{number}: {message}" for message in messages]})


@transaction.atomic
def outcome_statement_import(
    *,
    actor,
    meeting: Meeting,
    draft: Draft,
    kind: str,
    title: str,
    short_title: str = "",
    code: str = "",
    adopted_on: datetime.date | None = None,
    tlp: int = TLP.CLEAR,
    source_note: str = "",
) -> OutcomeDocument:
    """Save a reviewed draft: the document, its outcomes and the links it resolved.

    All or nothing: a refusal names the outcome it is about ("6.2: …") and leaves the
    database as it was. Unresolved references are not guessed: each is kept in words in
    its outcome's source note, for the secretariat to link by hand.
    """
    if not draft.outcomes:
        raise ValidationError({"outcomes": [_("The draft has no outcome to save.")]})
    document = outcome_document_record(
        actor=actor,
        meeting=meeting,
        kind=kind,
        title=title,
        short_title=short_title,
        code=code,
        adopted_on=adopted_on,
        tlp=tlp,
        source_note=source_note,
        outcomes=[],
    )
    seen: set[str] = set()
    recorded: dict[str, Outcome] = {}
    for item in draft.outcomes:
        if item.number in seen:
            _refuse(item.number, [_("this number appears twice.")])
        seen.add(item.number)
        parent = None
        if item.parent_number:
            parent = recorded.get(item.parent_number)
            if parent is None:
                _refuse(
                    item.number,
                    [_("its parent %(parent)s is not before it.") % {"parent": item.parent_number}],
                )
        try:
            outcome = outcome_add(
                actor=actor,
                document=document,
                number=item.number,
                text=item.text,
                kind=item.kind,
                parent=parent,
                tlp=item.tlp,
                source_note=_import_note(item),
            )
            for link in item.links:
                if not link.resolved:
                    continue
                outcome_link_add(
                    actor=actor,
                    source=outcome,
                    kind=link.kind,
                    target_outcome=Outcome.objects.get(pk=link.target_outcome_id)
                    if link.target_outcome_id
                    else None,
                    target_document=OutcomeDocument.objects.get(pk=link.target_document_id)
                    if link.target_document_id and not link.target_outcome_id
                    else None,
                )
        except ValidationError as error:
            _refuse(item.number, error.messages)
        except (Outcome.DoesNotExist, OutcomeDocument.DoesNotExist):
            _refuse(
                item.number,
                [_("a link points to an outcome or document that is no longer recorded.")],
            )
        recorded[item.number] = outcome
    return document
