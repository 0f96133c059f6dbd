"""An outcome's lineage as a readable chain: what it builds on, what took it forward, and
the work that serves it; each step only as far as the reader may see."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from workinggroups.models import Task, WorkingGroup

# Deep enough for a forum's whole history (one step per meeting); a guard against cycles
# that a data error could make, not a limit anyone should reach.
MAX_STEPS = 12


@dataclass
class Step:
    relation: str
    outcome: Outcome | None = None
    document: OutcomeDocument | None = None
    further: list["Step"] = field(default_factory=list)


def _builds_on(outcome: Outcome, user) -> list[Step]:
    """Follow the outcome's own links (reaffirms, pursuant to, …) back through the years."""
    visible = Outcome.objects.visible_to(user)
    visible_documents = OutcomeDocument.objects.visible_to(user)
    roots: list[Step] = []
    frontier = {outcome.pk: roots}
    seen = {outcome.pk}
    for _level in range(MAX_STEPS):
        if not frontier:
            break
        links = list(
            OutcomeLink.objects.filter(source_id__in=frontier)
            .select_related("target_outcome__document", "target_document")
            .order_by("source_id", "pk")
        )
        target_ids = {link.target_outcome_id for link in links if link.target_outcome_id}
        document_ids = {link.target_document_id for link in links if link.target_document_id}
        readable = set(visible.filter(pk__in=target_ids).values_list("pk", flat=True))
        readable_documents = set(
            visible_documents.filter(pk__in=document_ids).values_list("pk", flat=True)
        )
        next_frontier: dict[int, list[Step]] = {}
        for link in links:
            if link.target_outcome_id in readable:
                step = Step(_relation(link), outcome=link.target_outcome)
                frontier[link.source_id].append(step)
                if link.target_outcome_id not in seen:
                    seen.add(link.target_outcome_id)
                    next_frontier[link.target_outcome_id] = step.further
            elif link.target_document_id in readable_documents:
                frontier[link.source_id].append(
                    Step(_relation(link), document=link.target_document)
                )
        frontier = next_frontier
    return roots


def _relation(link: OutcomeLink) -> str:
    if link.target_document_id:
        assert link.target_document is not None  # fetched by its id
        # "reaffirms the 2022 Denarau Outcome": the whole document, not this paragraph.
        return _("%(relation)s %(document)s") % {
            "relation": link.get_kind_display(),
            "document": link.target_document.title,
        }
    return str(link.get_kind_display())


def _taken_forward_by(outcome: Outcome, user) -> list[Step]:
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
                step = steps[(id(parent), source.pk)] = Step(_relation(link), outcome=source)
                parent.append(step)
            else:
                step.relation = f"{step.relation}; {_relation(link)}"
            if source.pk not in seen:
                seen.add(source.pk)
                frontier[source.pk] = step.further
        pending = [
            (frontier[link.target_outcome_id], link)
            for link in OutcomeLink.objects.filter(target_outcome_id__in=frontier).order_by("pk")
        ]
    return roots


def lineage_of(outcome: Outcome, user) -> dict:
    tasks = (
        Task.objects.visible_to(user)
        .filter(outcomes=outcome)
        .select_related("working_group")
        .order_by("working_group__name", "due_on", "pk")
    )
    groups = WorkingGroup.objects.visible_to(user).filter(establishing_outcome=outcome)
    return {
        "builds_on": _builds_on(outcome, user),
        "taken_forward_by": _taken_forward_by(outcome, user),
        "serving_tasks": tasks,
        "established_groups": groups,
    }
