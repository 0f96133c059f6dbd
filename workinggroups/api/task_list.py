"""The task list's pages, and a task's detail, read as rows rather than models.

`TaskSerializer` is the contract of a task (its schema, and the answer of every write); a
page of the list is the same representation, built here from `values()` rows. A page of
50 tasks through models and DRF's fields took a model instance per task, group, meeting,
forum, lead, outcome and update (~600) and a field call per value (~2,000): over a third
of the request. Then a page was one query for its rows and five more for what they show.

Now the page is one query: the rows of the tasks (three tables, the ones the visibility
rule needs; PostgreSQL spent longer planning the seven-table join of `select_related`
than running it), and what each row shows built beside them by correlated subqueries, as
JSON: the forum's acronym, the meeting, the lead, the outcomes and the latest update the
reader may see. PostgreSQL evaluates such subqueries for the rows the page keeps only
(after its LIMIT), and each is an index lookup by key. A detail is the one-row page.

tests/api/test_list_rows.py holds every row equal to TaskSerializer's representation of
the same task, and to its detail, for readers of every standing.
"""

import datetime
import json

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Func, JSONField, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone
from rest_framework import fields

from forums.access import built_per_audience
from forums.models import Forum, Meeting
from forums.tlp import TLP
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
    "due_on",
    "status",
    "progress",
    "tlp",
    "created_at",
    "seen_updated_at",
    "seen_version",
    "due_sort",
    # Built beside each row (as_rows).
    "forum_acronym",
    "meeting",
    "lead_names",
    "outcome_refs",
    "latest_update_row",
)

_date = fields.DateField()
TLP_NAMES = {label.value: label.name.lower() for label in TLP}
ALLOWED_FROM = {status: tuple(Task.allowed_from(status)) for status in Task.Status.values}


class _DecodedJSON(JSONField):
    """JSON as the driver gives it: parsed already (psycopg's json and json[]), or text
    (SQLite)."""

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str | bytes) else value


class JSONRow(Func):
    """A JSON object of these keys, in this order: `json_build_object` on PostgreSQL (its
    JSONB sibling, Django's JSONObject, sorts the keys), `json_object` on SQLite."""

    function = "JSON_OBJECT"
    output_field = _DecodedJSON()

    def __init__(self, **columns):
        pairs = []
        for key, value in columns.items():
            pairs += [Cast(Value(key), TextField()), value]
        super().__init__(*pairs)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_BUILD_OBJECT", **extra_context)


class JSONList(Subquery):
    """The rows of a subquery of one JSONRow column (named `item`), as a JSON list in the
    subquery's order; empty, `[]`."""

    output_field = _DecodedJSON()

    def as_postgresql(self, compiler, connection, **extra_context):
        return ArraySubquery(self.query).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"(SELECT JSON_GROUP_ARRAY(JSON(listed.item)) FROM {sql} AS listed)", params


@built_per_audience
def page_queryset(user):
    """Tasks the person may see, with the `due` sort key and what each row shows: no
    joins beyond the rule's. Built once per standing; filtered and paged per request."""
    return (
        Task.objects.visible_to(user)
        .annotate(due_sort=Coalesce("due_on", Value(NO_DUE_DATE)))
        .with_changes_seen_by(user)
        .annotate(**_row_parts(user))
    )


def as_rows(queryset):
    """The filtered, ordered page_queryset() as rows of PAGE_COLUMNS (the paginator
    slices it)."""
    return queryset.values(*PAGE_COLUMNS)


def _row_parts(user) -> dict:
    """What each row shows beside the task's own columns, by name."""
    return {
        "forum_acronym": Subquery(
            Forum.objects.filter(pk=OuterRef("working_group__established_by__forum_id"))
            .order_by()
            .values("acronym")
        ),
        "meeting": Subquery(
            Meeting.objects.filter(pk=OuterRef("reports_to_id"))
            .order_by()
            .values(
                item=JSONRow(
                    id="id",
                    title="title",
                    sequence="sequence",
                    acronym="forum__acronym",
                    start_date="start_date",
                    # No zone is stored as an empty text (TimeZoneField); shown as null.
                    time_zone=NullIf(Cast("time_zone", TextField()), Value("")),
                )
            )
        ),
        "lead_names": Subquery(
            get_user_model()
            .objects.filter(pk=OuterRef("lead_id"))
            .order_by()
            .values(item=JSONRow(username="username", first="first_name", last="last_name"))
        ),
        "outcome_refs": _outcome_refs(user),
        "latest_update_row": _latest_update(user),
    }


def _outcome_refs(user) -> JSONList:
    """Each task's outcomes that the reader may see (OutcomeRefSerializer), in document order."""
    label = Concat(
        Coalesce(NullIf("document__short_title", Value("")), "document__title"),
        Value(" "),
        "number",
        output_field=TextField(),
    )
    return JSONList(
        Outcome.objects.visible_to(user)
        .filter(tasks=OuterRef("pk"))
        .order_by("document", "position")
        .values(item=JSONRow(id="id", citation_code="citation_code", label=label))
    )


def _latest_update(user) -> Subquery:
    """Each task's newest update that the reader may read (UpdateSerializer's columns)."""
    return Subquery(
        TaskUpdate.objects.visible_to(user)
        .filter(task_id=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values(
            item=JSONRow(
                id="id",
                created_at="created_at",
                username="author__username",
                first="author__first_name",
                last="author__last_name",
                status_from="status_from",
                status_to="status_to",
                progress="progress",
                note="note",
                tlp="tlp",
            )
        )[:1]
    )


def represent(rows: list[dict], user, *, channel: Channel = Channel.API_LIST) -> list[dict]:
    """What TaskSerializer gives for each task of the page, in the page's order."""
    # The latest update shown in each row is read too (its note may be TLP:RED).
    updates = [row["latest_update_row"] for row in rows if row["latest_update_row"]]
    record_rows(reader=user, channel=channel, model=TaskUpdate, rows=updates)
    zone = timezone.get_current_timezone()
    return [_task(row, zone) for row in rows]


def _task(row: dict, zone: datetime.tzinfo) -> dict:
    status = row["status"]
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "forum": row["forum_acronym"],
        "working_group": {"id": row["working_group_id"], "name": row["working_group__name"]},
        "outcomes": row["outcome_refs"],
        "lead": row["lead_names"] and _person(row["lead_names"]),
        "reports_to": row["meeting"] and _meeting(row["meeting"]),
        "due_on": _date.to_representation(row["due_on"]) if row["due_on"] else None,
        "status": status,
        "allowed_statuses": list(ALLOWED_FROM[status]),
        "progress": row["progress"],
        "tlp": TLP_NAMES[row["tlp"]],
        "latest_update": row["latest_update_row"] and _update(row["latest_update_row"], zone),
        "created_at": instant(row["created_at"], zone),
        "updated_at": instant(row["seen_updated_at"], zone),
        "version": row["seen_version"],
        "etag": f'"{row["seen_version"]}"',
    }


def _meeting(meeting: dict) -> dict:
    """MeetingRefSerializer's shape."""
    return {
        "id": meeting["id"],
        "name": Meeting.name_from(meeting["title"], meeting["sequence"], meeting["acronym"]),
        "sequence": meeting["sequence"],
        "start_date": meeting["start_date"],
        "time_zone": meeting["time_zone"],
    }


def _person(names: dict) -> dict | None:
    """PersonSerializer's shape (`get_full_name`); None for no one."""
    if names["username"] is None:
        return None
    return {"username": names["username"], "name": f"{names['first']} {names['last']}".strip()}


def _update(update: dict, zone: datetime.tzinfo) -> dict:
    """UpdateSerializer's shape."""
    return {
        "id": update["id"],
        "created_at": instant(_moment(update["created_at"]), zone),
        "author": _person(update),
        "status_from": update["status_from"],
        "status_to": update["status_to"],
        "progress": update["progress"],
        "note": update["note"],
        "tlp": TLP_NAMES[update["tlp"]],
    }


def _moment(text: str) -> datetime.datetime:
    """A time as JSON carries it: with its offset (PostgreSQL), or naive in UTC (SQLite)."""
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def instant(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """DateTimeField's representation of an aware time (ISO 8601 in the reader's zone, `Z`
    for UTC), with the zone read once per page rather than once per value."""
    text = moment.astimezone(zone).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
