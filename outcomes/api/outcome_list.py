"""The outcome list's pages, read as rows rather than models.

As for tasks (workinggroups/api/task_list.py): `OutcomeSerializer` is the contract, and a
page of the list is the same representation built from `values()` rows in a few narrow
queries, instead of a model per outcome, document, meeting, forum, member and link end
and a serializer field call per value. tests/api/test_list_rows.py holds every row equal
to the outcome's detail, for readers of every standing.
"""

from dataclasses import dataclass

from forums.api.base import TLPField
from forums.models import Forum
from outcomes.models import Outcome, OutcomeLink

PAGE_COLUMNS = (
    "id",
    "citation_code",
    "number",
    "parent_id",
    "position",
    "text",
    "kind",
    "status",
    "tlp",
    "version",
    "document_id",
    "document__code",
    "document__title",
    "document__short_title",
    "document__meeting_id",
    # Joined already for the visibility rule.
    "document__meeting__forum_id",
)

_tlp = TLPField(read_only=True)


def as_rows(queryset):
    """The filtered, ordered list as rows of PAGE_COLUMNS (the paginator slices it)."""
    return queryset.values(*PAGE_COLUMNS)


def represent(rows: list[dict], user) -> list[dict]:
    """What OutcomeSerializer gives for each outcome of the page, in the page's order."""
    if not rows:
        return []
    related = _Related.read(rows, user)
    return [_outcome(row, related) for row in rows]


@dataclass
class _Related:
    """What the page's outcomes refer to, each kind read in one query for the whole page,
    by outcome id (forums by forum id)."""

    forums: dict[int, str]
    parents: dict[int, str]
    responsible: dict[int, list[dict]]
    page: dict[int, dict]
    links_out: dict[int, list[dict]]
    links_in: dict[int, list[dict]]

    @classmethod
    def read(cls, rows: list[dict], user) -> "_Related":
        ids = [row["id"] for row in rows]
        forums = dict(
            Forum.objects.filter(pk__in={row["document__meeting__forum_id"] for row in rows})
            .order_by()
            .values_list("id", "acronym")
        )
        # Only parents the reader may read are cited (Outcome.objects.with_parent_code).
        parents = dict(
            Outcome.objects.visible_to(user)
            .filter(pk__in={row["parent_id"] for row in rows} - {None})
            .order_by()
            .values_list("id", "citation_code")
        )
        responsible = _responsible(ids)
        # The page's own outcomes are the near end of every link below: their references
        # come from the page, so the link queries join only the far end.
        page = {row["id"]: _page_reference(row) for row in rows}
        # A link is shown only when its far end is visible too (outcomes/models.py).
        links_out = _links(
            OutcomeLink.objects.reaching_visible(user)
            .filter(source_id__in=ids)
            # OutcomeLink's order ("source", "kind", "pk") among the links of one source,
            # without joining the source's document, meeting and forum to sort by them.
            .order_by("source_id", "kind", "pk"),
            near="source",
            far="target_outcome",
            page=page,
        )
        links_in = _links(
            OutcomeLink.objects.from_visible(user).filter(target_outcome_id__in=ids),
            near="target_outcome",
            far="source",
            page=page,
        )
        return cls(forums, parents, responsible, page, links_out, links_in)


def _responsible(ids: list[int]) -> dict[int, list[dict]]:
    """MemberBriefSerializer's shape for each outcome's responsible members, by name."""
    responsible: dict[int, list[dict]] = {}
    members = (
        Outcome.responsible.through.objects.filter(outcome_id__in=ids)
        .order_by("member__name")
        .values_list("outcome_id", "member_id", "member__name", "member__short_name")
    )
    for outcome_id, pk, name, short_name in members:
        responsible.setdefault(outcome_id, []).append(
            {"id": pk, "name": name, "short_name": short_name}
        )
    return responsible


def _outcome(row: dict, related: _Related) -> dict:
    """OutcomeSerializer's shape for one row, its fields in the serializer's order."""
    return {
        "id": row["id"],
        "citation_code": row["citation_code"],
        "label": related.page[row["id"]]["label"],
        "forum": related.forums[row["document__meeting__forum_id"]],
        "meeting": row["document__meeting_id"],
        "document": {
            "id": row["document_id"],
            "code": row["document__code"],
            "title": row["document__title"],
        },
        "number": row["number"],
        "parent": related.parents.get(row["parent_id"]),
        "position": row["position"],
        "text": row["text"],
        "kind": row["kind"],
        "status": row["status"],
        "tlp": _tlp.to_representation(row["tlp"]),
        "responsible": related.responsible.get(row["id"], []),
        "links_out": related.links_out.get(row["id"], []),
        "links_in": related.links_in.get(row["id"], []),
        "tasks": f"/api/v1/tasks/?outcome={row['id']}",
        "version": row["version"],
        "etag": f'"{row["version"]}"',
    }


def _label(short_title: str, title: str, number: str) -> str:
    """Outcome.label from its columns."""
    return f"{short_title or title} {number}"


def _page_reference(row: dict) -> dict:
    """OutcomeRefSerializer's shape for an outcome of the page."""
    return {
        "id": row["id"],
        "citation_code": row["citation_code"],
        "label": _label(row["document__short_title"], row["document__title"], row["number"]),
    }


def _links(queryset, *, near: str, far: str, page: dict[int, dict]) -> dict[int, list[dict]]:
    """LinkSerializer's shape for links whose `near` end is an outcome of the page, grouped
    by it, in the queryset's order; the `far` end ("source", "target_outcome") is joined."""
    far_outcome = (
        f"{far}_id",
        f"{far}__citation_code",
        f"{far}__number",
        f"{far}__document__short_title",
        f"{far}__document__title",
    )
    # Only links out reach a whole document (a link has exactly one target).
    far_document = ("target_document_id", "target_document__code", "target_document__title")
    columns = ("kind", f"{near}_id", *far_outcome, *(far_document if far != "source" else ()))
    grouped: dict[int, list[dict]] = {}
    for row in queryset.values_list(*columns):
        kind, near_id, far_id, code, number, short_title, title, *document = row
        ends = {
            near: page[near_id],
            far: None
            if far_id is None
            else {"id": far_id, "citation_code": code, "label": _label(short_title, title, number)},
        }
        document_id, document_code, document_title = document or (None, None, None)
        grouped.setdefault(near_id, []).append(
            {
                "kind": kind,
                "source": ends["source"],
                "target_outcome": ends["target_outcome"],
                "target_document": None
                if document_id is None
                else {"id": document_id, "code": document_code, "title": document_title},
            }
        )
    return grouped
