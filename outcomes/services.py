"""The writes of the outcomes app: documents with their numbered outcomes, links, status."""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forums.audit import check_transition, lock_for_edit, save_validated
from forums.models import Meeting, Member
from forums.policy import require
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink, citation_code_for
from outcomes.policy import may_edit_outcome, may_record_outcomes

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECORD_OUTCOMES = gettext_lazy("Only the secretariat records outcome documents and outcomes.")


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
    actor: "User | None",
    meeting: Meeting,
    kind: str,
    title: str,
    outcomes: Sequence[OutcomeSpec] = (),
    short_title: str = "",
    code: str = "",
    adopted_on: datetime.date | None = None,
    place: str = "",
    tlp: int = TLP.CLEAR,
    source_note: str = "",
    source_text: str = "",
) -> OutcomeDocument:
    """Record a document a meeting adopted and its outcomes, all or nothing."""
    require(may_record_outcomes(actor), RECORD_OUTCOMES)
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
            place=place,
            tlp=tlp,
            source_note=source_note,
            source_text=source_text,
        ),
        actor=actor,
    )
    add = partial(outcome_add_from_spec, actor=actor, document=document)
    outcomes_add_in_order(specs=outcomes, add=add)
    return document


def outcomes_add_in_order(
    *, specs: Sequence[OutcomeSpec], add: Callable[[OutcomeSpec, Outcome | None], Outcome]
) -> None:
    """Add a document's outcomes in the document's order, each with `add(spec, parent)`.

    The rules of every way a document's outcomes are recorded, each with its one message:
    a number is used once in a document, and a parent comes before its children (it must
    be saved when a child points at it). Run it in the caller's transaction: a refusal
    part way leaves what was added for the caller to roll back.
    """
    repeated = sorted(n for n, count in Counter(s.number for s in specs).items() if count > 1)
    if repeated:
        raise ValidationError(
            {
                "outcomes": [
                    _("Outcome number used twice in the document: %(numbers)s.")
                    % {"numbers": ", ".join(repeated)}
                ]
            }
        )
    recorded: dict[str, Outcome] = {}
    for spec in specs:
        parent = None
        if spec.parent_number is not None:
            if spec.parent_number not in recorded:
                raise outcome_refusal(
                    spec.number,
                    [_("its parent %(parent)s is not before it.") % {"parent": spec.parent_number}],
                )
            parent = recorded[spec.parent_number]
        recorded[spec.number] = add(spec, parent)


def outcome_add_from_spec(
    spec: OutcomeSpec, parent: Outcome | None, *, actor, document: OutcomeDocument
) -> Outcome:
    """Add the outcome `spec` reads off `document`, under `parent`, with its responsible members."""
    outcome = outcome_add(
        actor=actor,
        document=document,
        number=spec.number,
        text=spec.text,
        kind=spec.kind,
        parent=parent,
        status=spec.status,
        tlp=spec.tlp,
        source_note=spec.source_note,
    )
    if spec.responsible:
        outcome.responsible.set(spec.responsible)
    return outcome


def outcome_refusal(number: str, messages: Iterable[str]) -> ValidationError:
    """A refusal about one outcome of a document, named by its number: "6.2: …"."""
    return ValidationError({"outcomes": [f"{number}: {message}" for message in messages]})


@transaction.atomic
def outcome_add(
    *,
    actor: "User | None",
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
    require(may_record_outcomes(actor), RECORD_OUTCOMES)
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


def outcome_save(*, actor: "User | None", outcome: Outcome) -> Outcome:
    """Save a new or edited outcome; a new one gets its citation code, which never changes."""
    require(may_edit_outcome(actor), RECORD_OUTCOMES)
    if not outcome.citation_code:
        outcome.citation_code = citation_code_for(outcome.document, outcome.number)
    return save_validated(outcome, actor=actor)


@transaction.atomic
def outcome_change_status(
    *, actor: "User | None", outcome: Outcome, status: str, note: str = ""
) -> Outcome:
    require(may_edit_outcome(actor), RECORD_OUTCOMES)
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
    actor: "User | None",
    source: Outcome,
    kind: str,
    target_outcome: Outcome | None = None,
    target_document: OutcomeDocument | None = None,
) -> OutcomeLink:
    require(may_record_outcomes(actor), RECORD_OUTCOMES)
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
    *,
    actor: "User | None",
    outcome: Outcome,
    expected_version: int | None,
    note: str = "",
    **changes,
) -> Outcome:
    """Correct an outcome's details or move its status, refusing a stale `expected_version`.

    Its number and document are not editable: the citation code is permanent.
    """
    require(may_edit_outcome(actor), RECORD_OUTCOMES)
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
