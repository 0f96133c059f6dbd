"""Saving a reviewed draft: the document, its outcomes, and the links the review resolved."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forums.models import Meeting
from forums.tlp import TLP
from outcomes.importing.drafts import Draft, DraftOutcome
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from outcomes.services import outcome_add, outcome_document_record, outcome_link_add


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
