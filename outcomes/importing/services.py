"""Saving a reviewed draft: the document, its outcomes, and the links the review resolved."""

import datetime
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forums.models import Meeting
from forums.policy import require
from forums.tlp import TLP
from outcomes.importing.drafts import Draft, DraftLink, DraftOutcome
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from outcomes.policy import may_record_outcomes
from outcomes.services import (
    RECORD_OUTCOMES,
    OutcomeSpec,
    outcome_add_from_spec,
    outcome_document_record,
    outcome_link_add,
    outcome_refusal,
    outcomes_add_in_order,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


# The kind of document its title names; any other is an outcome statement.
KINDS_NAMED = [
    (re.compile(r"\bcommuniqu[eé]\b", re.IGNORECASE), OutcomeDocument.Kind.COMMUNIQUE),
    (re.compile(r"\bdeclaration\b", re.IGNORECASE), OutcomeDocument.Kind.DECLARATION),
    # An action, implementation, work, cooperation or partnership plan.
    (re.compile(r"\bplan\b", re.IGNORECASE), OutcomeDocument.Kind.ACTION_PLAN),
]


def document_kind_named_in(title: str) -> str:
    """ "Forum Communiqué" → communique, "Boe Declaration Action Plan" → action_plan."""
    named = [kind for pattern, kind in KINDS_NAMED if pattern.search(title)]
    return named[-1] if named else OutcomeDocument.Kind.OUTCOME_STATEMENT


def details_from_title_block(draft: Draft, *, kind: str, title: str, adopted_on, place: str):
    """The document's details as given, each one left empty taken from the text's title
    block; (kind, title, adopted_on, place). A title is needed from one or the other."""
    title = title or draft.title
    if not title:
        no_title = _("Give the document's title: the text has no title block to take it from.")
        raise ValidationError({"title": [no_title]})
    if adopted_on is None and draft.adopted_on:
        adopted_on = datetime.date.fromisoformat(draft.adopted_on)
    return kind or document_kind_named_in(title), title, adopted_on, place or draft.place


@transaction.atomic
def outcome_statement_import(
    *,
    actor: "User | None",
    meeting: Meeting,
    draft: Draft,
    kind: str = "",
    title: str = "",
    short_title: str = "",
    code: str = "",
    adopted_on: datetime.date | None = None,
    place: str = "",
    tlp: int = TLP.CLEAR,
    source_note: str = "",
) -> OutcomeDocument:
    """Save a reviewed draft: the document, its outcomes and the links it resolved.

    The kind, title, adoption day and place default to what the text's title block says.
    All or nothing: a refusal names the outcome it is about ("6.2: …") and leaves the
    database as it was. Unresolved references are not guessed: each is kept in words in
    its outcome's source note, for the secretariat to link by hand.
    """
    require(may_record_outcomes(actor), RECORD_OUTCOMES)
    if not draft.outcomes:
        raise ValidationError({"outcomes": [_("The draft has no outcome to save.")]})
    kind, title, adopted_on, place = details_from_title_block(
        draft, kind=kind, title=title, adopted_on=adopted_on, place=place
    )
    document = outcome_document_record(
        actor=actor,
        meeting=meeting,
        kind=kind,
        title=title,
        short_title=short_title,
        code=code,
        adopted_on=adopted_on,
        place=place,
        tlp=tlp,
        source_note=source_note,
        # The text as pasted or extracted, kept whichever door the import came through.
        source_text=draft.source_text,
        outcomes=[],
    )
    # By number: outcomes_add_in_order refuses a number used twice before adding any.
    links = {item.number: item.links for item in draft.outcomes}

    def add(spec: OutcomeSpec, parent: Outcome | None) -> Outcome:
        try:
            outcome = outcome_add_from_spec(spec, parent, actor=actor, document=document)
            _links_add(actor=actor, source=outcome, links=links[spec.number])
        except ValidationError as error:
            raise outcome_refusal(spec.number, error.messages) from error
        except (Outcome.DoesNotExist, OutcomeDocument.DoesNotExist) as error:
            raise outcome_refusal(
                spec.number,
                [_("a link points to an outcome or document that is no longer recorded.")],
            ) from error
        return outcome

    outcomes_add_in_order(specs=[_spec(item) for item in draft.outcomes], add=add)
    return document


def _spec(item: DraftOutcome) -> OutcomeSpec:
    return OutcomeSpec(
        number=item.number,
        text=item.text,
        kind=item.kind,
        parent_number=item.parent_number or None,  # "" names no parent
        tlp=item.tlp,
        source_note=_import_note(item),
    )


def _links_add(*, actor, source: Outcome, links: list[DraftLink]) -> None:
    """The links the review resolved; the others are in the source note (_import_note)."""
    for link in links:
        if not link.resolved:
            continue
        outcome_link_add(
            actor=actor,
            source=source,
            kind=link.kind,
            target_outcome=Outcome.objects.get(pk=link.target_outcome_id)
            if link.target_outcome_id
            else None,
            target_document=OutcomeDocument.objects.get(pk=link.target_document_id)
            if link.target_document_id and not link.target_outcome_id
            else None,
        )
