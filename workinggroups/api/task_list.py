"""The task list's pages, read as rows rather than models.

`TaskSerializer` is the contract of a task (its schema, the detail and every write
answer); a page of the list is the same representation, built here from `values()` rows.
A page of 50 tasks through models and DRF's fields took a model instance per task,
group, meeting, forum, lead, outcome and update (~600) and a field call per value
(~2,000): over a third of the request. Here a page is one query of three tables (the
ones its visibility rule needs; PostgreSQL spent longer planning the seven-table join of
`select_related` than running it), five small ones for what its rows show, and dicts.

tests/api/test_list_rows.py holds every row of the list equal to the detail
representation of the same task, for readers of every standing.
"""

from django.contrib.auth import get_user_model
from django.db.models import Value
from django.db.models.functions import Coalesce
from rest_framework import fields

from forums.api.base import TLPField
from forums.models import Forum, Meeting
from outcomes.models import Outcome
from readlog.models import Channel
from readlog.services import record_rows
from workinggroups.models import NO_DUE_DATE, Task, TaskUpdate

PAGE_COLUMNS = (
    "id",
    "title",
    "description",
    "working_group_id",
    "working_group__name",
    # The group's forum: already joined for the visibility rule.
    "working_group__established_by__forum_id",
    "lead_id",
    "reports_to_id",
    "due_on",
    "status",
    "progress",
    "tlp",
    "created_at",
    "seen_updated_at",
    "seen_version",
    "due_sort",
)

_datetime = fields.DateTimeField()
_date = fields.DateField()
_tlp = TLPField(read_only=True)


def task_list_queryset(user):
    """Tasks the person may see, with the `due` sort key; no joins beyond the rule's."""
    return (
        Task.objects.visible_to(user)
        .annotate(due_sort=Coalesce("due_on", Value(NO_DUE_DATE)))
        .with_changes_seen_by(user)
    )


def as_rows(queryset):
    """The filtered, ordered list as rows of PAGE_COLUMNS (the paginator slices it)."""
    return queryset.values(*PAGE_COLUMNS)


def represent(rows: list[dict], user) -> list[dict]:
    """What TaskSerializer gives for each task of the page, in the page's order."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    forums = dict(
        Forum.objects.filter(
            pk__in={row["working_group__established_by__forum_id"] for row in rows}
        ).values_list("id", "acronym")
    )
    meetings = _meetings({row["reports_to_id"] for row in rows} - {None})
    people = _people({row["lead_id"] for row in rows} - {None})
    outcomes = _outcomes(ids, user)
    updates = _latest_updates(ids, user)
    return [
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "forum": forums[row["working_group__established_by__forum_id"]],
            "working_group": {"id": row["working_group_id"], "name": row["working_group__name"]},
            "outcomes": outcomes.get(row["id"], []),
            "lead": people.get(row["lead_id"]),
            "reports_to": meetings.get(row["reports_to_id"]),
            "due_on": _date.to_representation(row["due_on"]) if row["due_on"] else None,
            "status": row["status"],
            "allowed_statuses": Task.allowed_from(row["status"]),
            "progress": row["progress"],
            "tlp": _tlp.to_representation(row["tlp"]),
            "latest_update": updates.get(row["id"]),
            "created_at": _datetime.to_representation(row["created_at"]),
            "updated_at": _datetime.to_representation(row["seen_updated_at"]),
            "version": row["seen_version"],
            "etag": f'"{row["seen_version"]}"',
        }
        for row in rows
    ]


def _meetings(ids: set[int]) -> dict[int, dict]:
    """MeetingRefSerializer's shape."""
    rows = Meeting.objects.filter(pk__in=ids).values_list(
        "id", "title", "sequence", "forum__acronym", "start_date", "time_zone"
    )
    return {
        pk: {
            "id": pk,
            "name": Meeting.name_from(title, sequence, acronym),
            "sequence": sequence,
            "start_date": _date.to_representation(start) if start else None,
            "time_zone": str(zone) if zone is not None else None,
        }
        for pk, title, sequence, acronym, start, zone in rows
    }


def _person(username: str, first_name: str, last_name: str) -> dict:
    """PersonSerializer's shape (`get_full_name`)."""
    return {"username": username, "name": f"{first_name} {last_name}".strip()}


def _people(ids: set[int]) -> dict[int, dict]:
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .values_list("id", "username", "first_name", "last_name")
    )
    return {pk: _person(*names) for pk, *names in rows}


def _outcomes(task_ids: list[int], user) -> dict[int, list[dict]]:
    """Each task's outcomes that the reader may see (OutcomeRefSerializer), in document order."""
    links = (
        Outcome.objects.visible_to(user)
        .filter(tasks__in=task_ids)
        .order_by("document", "position")
        .values_list(
            "tasks",
            "id",
            "citation_code",
            "number",
            "document__short_title",
            "document__title",
        )
    )
    served: dict[int, list[dict]] = {}
    for task_id, pk, code, number, short_title, title in links:
        served.setdefault(task_id, []).append(
            {"id": pk, "citation_code": code, "label": f"{short_title or title} {number}"}
        )
    return served


def _latest_updates(task_ids: list[int], user) -> dict[int, dict]:
    """Each task's newest update that the reader may read (UpdateSerializer)."""
    rows = (
        TaskUpdate.objects.visible_to(user)
        .filter(task_id__in=task_ids)
        .latest_per_task()
        .order_by()
        .values_list(
            "task_id",
            "id",
            "created_at",
            "author__username",
            "author__first_name",
            "author__last_name",
            "status_from",
            "status_to",
            "progress",
            "note",
            "tlp",
        )
    )
    # The latest update shown in each row is read too (its note may be TLP:RED).
    record_rows(
        reader=user,
        channel=Channel.API_LIST,
        model=TaskUpdate,
        rows=[{"id": row[1], "tlp": row[-1]} for row in rows],
    )
    return {
        task_id: {
            "id": pk,
            "created_at": _datetime.to_representation(created_at),
            "author": _person(username, first, last) if username is not None else None,
            "status_from": status_from,
            "status_to": status_to,
            "progress": progress,
            "note": note,
            "tlp": _tlp.to_representation(label),
        }
        for (
            task_id,
            pk,
            created_at,
            username,
            first,
            last,
            status_from,
            status_to,
            progress,
            note,
            label,
        ) in rows
    }
