"""Lineage across meetings: what an outcome builds on and what took it forward.

The one lineage query of Talanoa. `links_out` is one hop (the links from some outcomes to
earlier outcomes or documents, as far as the reader may see their far end); `builds_on`
and `taken_forward_by` follow those hops back and forward through a forum's history.
The outcome page, the chair's report and `GET /api/v1/outcomes/{id}/lineage/` all read
lineage here; the work serving an outcome is `workinggroups`' question
(`Task.objects.serving`).
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from outcomes.models import Outcome, OutcomeLink

# Deep enough for a forum's whole history (one step per meeting); a guard against cycles
# that a data error could make, not a limit anyone should reach.
MAX_STEPS = 12


@dataclass
class Step:
    """One link in a chain: how it relates, to which outcome or whole document, and on."""

    relation: str
    outcome: Outcome | None = None
    document: object | None = None  # an OutcomeDocument, for a link to a whole document
    further: list["Step"] = field(default_factory=list)


def links_out(source_ids: Collection[int], user, *, at_most: int | None = None):
    """Links from these outcomes whose far end the reader may see, with that end loaded.

    `at_most` also keeps the far end within a TLP level (a chair's report written for
    GREEN cites no AMBER outcome, even to a reader cleared for it).
    """
    links = OutcomeLink.objects.filter(source_id__in=source_ids).reaching_visible(user)
    if at_most is not None:
        links = links.filter(
            Q(target_outcome__tlp__lte=at_most, target_outcome__document__tlp__lte=at_most)
            | Q(target_document__tlp__lte=at_most)
        )
    return links.select_related("source", "target_outcome__document", "target_document").order_by(
        "source_id", "pk"
    )


def relation_of(link: OutcomeLink) -> str:
    """How a link reads: "pursuant to", or "reaffirms the 2022 Denarau Outcome"."""
    if link.target_document_id:
        assert link.target_document is not None  # fetched by its id
        # The whole document, not one paragraph of it.
        return _("%(relation)s %(document)s") % {
            "relation": link.get_kind_display(),
            "document": link.target_document.title,
        }
    return str(link.get_kind_display())


def builds_on(outcome: Outcome, user) -> list[Step]:
    """Follow the outcome's own links (reaffirms, pursuant to, …) back through the years."""
    roots: list[Step] = []
    frontier = {outcome.pk: roots}
    seen = {outcome.pk}
    for _level in range(MAX_STEPS):
        if not frontier:
            break
        next_frontier: dict[int, list[Step]] = {}
        for link in links_out(frontier, user):
            if link.target_outcome_id:
                step = Step(relation_of(link), outcome=link.target_outcome)
                frontier[link.source_id].append(step)
                if link.target_outcome_id not in seen:
                    seen.add(link.target_outcome_id)
                    next_frontier[link.target_outcome_id] = step.further
            else:
                frontier[link.source_id].append(
                    Step(relation_of(link), document=link.target_document)
                )
        frontier = next_frontier
    return roots


def taken_forward_by(outcome: Outcome, user) -> list[Step]:
    """The later outcomes that cite this one, or its whole document, and those citing them.

    One step per citing outcome, naming every way it cites ("reaffirms the 2022 Denarau
    Outcome; pursuant to"), so a communiqué paragraph that does both appears once.
    """
    visible = Outcome.objects.visible_to(user)
    roots: list[Step] = []
    seen = {outcome.pk}
    links = OutcomeLink.objects.filter(
        Q(target_outcome=outcome) | Q(target_document_id=outcome.document_id)
    )
    pending = [(roots, link) for link in links.select_related("target_document").order_by("pk")]
    for _level in range(MAX_STEPS):
        if not pending:
            break
        sources = {link.source_id for _parent, link in pending}
        readable = {o.pk: o for o in visible.filter(pk__in=sources).select_related("document")}
        steps: dict[tuple[int, int], Step] = {}
        frontier: dict[int, list[Step]] = {}
        for parent, link in pending:
            source = readable.get(link.source_id)
            if source is None:
                continue
            step = steps.get((id(parent), source.pk))
            if step is None:
                step = steps[(id(parent), source.pk)] = Step(relation_of(link), outcome=source)
                parent.append(step)
            else:
                step.relation = f"{step.relation}; {relation_of(link)}"
            if source.pk not in seen:
                seen.add(source.pk)
                frontier[source.pk] = step.further
        pending = [
            (frontier[link.target_outcome_id], link)
            for link in OutcomeLink.objects.filter(target_outcome_id__in=frontier).order_by("pk")
        ]
    return roots
