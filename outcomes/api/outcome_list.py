"""The outcome list's pages, read as rows rather than models.

As for tasks (workinggroups/api/task_list.py): `OutcomeSerializer` is the contract, and a
page of the list is the same representation built from `values()` rows in a few narrow
queries, instead of a model per outcome, document, meeting, forum, member and link end
and a serializer field call per value. tests/api/test_list_rows.py holds every row equal
to the outcome's detail, for readers of every standing.
"""

from forums.models import Forum
from forums.tlp import TLP
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

# A link's two ends, as OutcomeRefSerializer shows them, and its target document.
_LINK_COLUMNS = (
    "kind",
    "source_id",
    "source__citation_code",
    "source__number",
    "source__document__short_title",
    "source__document__title",
    "target_outcome_id",
    "target_outcome__citation_code",
    "target_outcome__number",
    "target_outcome__document__short_title",
    "target_outcome__document__title",
    "target_document_id",
    "target_document__code",
    "target_document__title",
)

_TLP_NAMES = {label.value: label.name.lower() for label in TLP}


def as_rows(queryset):
    """The filtered, ordered list as rows of PAGE_COLUMNS (the paginator slices it)."""
    return queryset.values(*PAGE_COLUMNS)


def represent(rows: list[dict], user) -> list[dict]:
    """What OutcomeSerializer gives for each outcome of the page, in the page's order."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    forums = dict(
        Forum.objects.filter(pk__in={row["document__meeting__forum_id"] for row in rows})
        .order_by()
        .values_list("id", "acronym")
    )
    parents = dict(
        Outcome.objects.filter(pk__in={row["parent_id"] for row in rows} - {None})
        .order_by()
        .values_list("id", "citation_code")
    )
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
    # A link is shown only when its far end is visible too (outcomes/models.py).
    links_out = _links(
        OutcomeLink.objects.reaching_visible(user).filter(source_id__in=ids), "source_id"
    )
    links_in = _links(
        OutcomeLink.objects.from_visible(user).filter(target_outcome_id__in=ids),
        "target_outcome_id",
    )
    return [
        {
            "id": row["id"],
            "citation_code": row["citation_code"],
            "label": _label(row["document__short_title"], row["document__title"], row["number"]),
            "forum": forums[row["document__meeting__forum_id"]],
            "meeting": row["document__meeting_id"],
            "document": {
                "id": row["document_id"],
                "code": row["document__code"],
                "title": row["document__title"],
            },
            "number": row["number"],
            "parent": parents.get(row["parent_id"]),
            "position": row["position"],
            "text": row["text"],
            "kind": row["kind"],
            "status": row["status"],
            "tlp": _TLP_NAMES[row["tlp"]],
            "responsible": responsible.get(row["id"], []),
            "links_out": links_out.get(row["id"], []),
            "links_in": links_in.get(row["id"], []),
            "tasks": f"/api/v1/tasks/?outcome={row['id']}",
            "version": row["version"],
            "etag": f'"{row["version"]}"',
        }
        for row in rows
    ]


def _label(short_title: str, title: str, number: str) -> str:
    """Outcome.label from its columns."""
    return f"{short_title or title} {number}"


def _reference(row: dict, end: str) -> dict:
    """OutcomeRefSerializer's shape for one end of a link row ("source", "target_outcome")."""
    return {
        "id": row[f"{end}_id"],
        "citation_code": row[f"{end}__citation_code"],
        "label": _label(
            row[f"{end}__document__short_title"],
            row[f"{end}__document__title"],
            row[f"{end}__number"],
        ),
    }


def _links(queryset, key: str) -> dict[int, list[dict]]:
    """LinkSerializer's shape, grouped by `key`, in OutcomeLink's own order."""
    grouped: dict[int, list[dict]] = {}
    for row in queryset.values(*_LINK_COLUMNS):
        target = row["target_outcome_id"]
        document = row["target_document_id"]
        grouped.setdefault(row[key], []).append(
            {
                "kind": row["kind"],
                "source": _reference(row, "source"),
                "target_outcome": None if target is None else _reference(row, "target_outcome"),
                "target_document": None
                if document is None
                else {
                    "id": document,
                    "code": row["target_document__code"],
                    "title": row["target_document__title"],
                },
            }
        )
    return grouped
