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
