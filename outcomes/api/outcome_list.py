"""The outcome list's pages (and an outcome's detail), read as rows rather than models.

`OutcomeSerializer` is the contract, and a page of the list is the same representation
built from one `values()` query: each outcome's forum and document joined, its parent's
code, its responsible members and the links the reader may see each a correlated subquery
returning JSON (forums/json_sql.py). So a page costs one query however many outcomes,
links and members it holds, and the view only decodes JSON into plain dicts, instead of a
model per outcome, document, meeting, forum, member and link end and a serializer field
call per value. An outcome's detail is a page of one row. tests/api/test_list_rows.py
holds every row equal to the serializer's representation, for readers of every standing.
"""

from django.db.models import Case, F, OuterRef, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf

from forums.access import built_per_audience
from forums.api.base import TLPField
from forums.json_sql import JSONList, JSONObject, decoded
from outcomes.models import Outcome, OutcomeLink

PAGE_COLUMNS = (
    "id",
    "citation_code",
    "number",
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
    "document__meeting__forum__acronym",
)

_tlp = TLPField(read_only=True)


NESTED_COLUMNS = ("parent_code", "responsible_list", "links_out_list", "links_in_list")


def outcomes_with_rows(user):
    """Outcomes the person may see, with their nested rows (NESTED_COLUMNS)."""
    return (
        Outcome.objects.visible_to(user)
        .with_parent_code(user)
        .annotate(
            responsible_list=_responsible(),
            links_out_list=_links_out(user),
            links_in_list=_links_in(user),
        )
    )


# Built once per standing; filtered and paged per request.
page_queryset = built_per_audience(outcomes_with_rows)


def as_rows(queryset, *extra):
    """The filtered, ordered page_queryset() as rows of PAGE_COLUMNS with their nested
    rows (and the `extra` columns a subclass annotates); the paginator slices it."""
    return queryset.values(*PAGE_COLUMNS, *NESTED_COLUMNS, *extra)


def represent(rows: list[dict]) -> list[dict]:
    """What OutcomeSerializer gives for each outcome of the page, in the page's order."""
    return [_outcome(row) for row in rows]


def _label(prefix: str = "") -> Concat:
    """Outcome.label in SQL, for the outcome at `prefix`."""
    title = Coalesce(
        NullIf(F(f"{prefix}document__short_title"), Value("")), F(f"{prefix}document__title")
    )
    return Concat(title, Value(" "), F(f"{prefix}number"))


def _reference(prefix: str) -> JSONObject:
    """OutcomeRefSerializer's shape for the outcome at `prefix`."""
    return JSONObject(
        id=F(f"{prefix}id"), citation_code=F(f"{prefix}citation_code"), label=_label(prefix)
    )


def _responsible() -> JSONList:
    """MemberBriefSerializer's shape for each outcome's responsible members, by name."""
    members = Outcome.responsible.through.objects.filter(outcome_id=OuterRef("pk"))
    item = JSONObject(id=F("member_id"), name=F("member__name"), short_name=F("member__short_name"))
    return JSONList(members.order_by("member__name").values(item=item))


def _link(*, source, target_outcome, target_document) -> JSONObject:
    """LinkSerializer's shape."""
    return JSONObject(
        kind=F("kind"),
        source=source,
        target_outcome=target_outcome,
        target_document=target_document,
    )


def _links_out(user) -> JSONList:
    """The outcome's links whose far end the reader may see (OutcomeLink.reaching_visible),
    in OutcomeLink's order among the links of one source. The near end, the outcome itself,
    is filled in from the row (`_outcome`)."""
    links = OutcomeLink.objects.reaching_visible(user).filter(source_id=OuterRef("pk"))
    document = JSONObject(
        id=F("target_document_id"),
        code=F("target_document__code"),
        title=F("target_document__title"),
    )
    item = _link(
        source=Value(None),
        target_outcome=Case(
            When(target_outcome__isnull=False, then=_reference("target_outcome__"))
        ),
        target_document=Case(When(target_document__isnull=False, then=document)),
    )
    return JSONList(links.order_by("kind", "pk").values(item=item))


def _links_in(user) -> JSONList:
    """The links to the outcome from outcomes the reader may see, in OutcomeLink's order."""
    links = OutcomeLink.objects.from_visible(user).filter(target_outcome_id=OuterRef("pk"))
    item = _link(
        source=_reference("source__"), target_outcome=Value(None), target_document=Value(None)
    )
    # In OutcomeLink's own order (its Meta.ordering), as the serializer's prefetch reads them.
    return JSONList(links.values(item=item))


def _outcome(row: dict) -> dict:
    """OutcomeSerializer's shape for one row, its fields in the serializer's order."""
    own = {
        "id": row["id"],
        "citation_code": row["citation_code"],
        "label": f"{row['document__short_title'] or row['document__title']} {row['number']}",
    }
    links_out = decoded(row["links_out_list"])
    for link in links_out:
        link["source"] = own
    links_in = decoded(row["links_in_list"])
    for link in links_in:
        link["target_outcome"] = own
    return {
        "id": row["id"],
        "citation_code": row["citation_code"],
        "label": own["label"],
        "forum": row["document__meeting__forum__acronym"],
        "meeting": row["document__meeting_id"],
        "document": {
            "id": row["document_id"],
            "code": row["document__code"],
            "title": row["document__title"],
        },
        "number": row["number"],
        "parent": row["parent_code"],
        "position": row["position"],
        "text": row["text"],
        "kind": row["kind"],
        "status": row["status"],
        "tlp": _tlp.to_representation(row["tlp"]),
        "responsible": decoded(row["responsible_list"]),
        "links_out": links_out,
        "links_in": links_in,
        "tasks": f"/api/v1/tasks/?outcome={row['id']}",
        "version": row["version"],
        "etag": f'"{row["version"]}"',
    }
