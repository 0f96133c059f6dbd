"""JSON built in the query that reads the rows, on PostgreSQL and SQLite alike.

A list page's nested rows (an outcome's links, its responsible members) are read in the
page's own query, each as a JSON array text that the view decodes into plain dicts,
rather than in a query of their own per kind. The objects keep their keys in the order
written: `json`, not `jsonb` (which would sort them), and the API's bodies keep theirs.
"""

from typing import Any

import orjson
from django.db.models import Case, Func, Subquery, TextField, Value
from django.db.models.functions import Cast


class JSONObject(Func):
    """`{key: value, …}` in the order given, as JSON."""

    function = "JSON_OBJECT"
    output_field = TextField()

    def __init__(self, **fields):
        pairs: list[Any] = []
        for key, value in fields.items():
            nested = isinstance(value, JSONObject | Case)
            pairs.extend((_typed(Value(key)), _Nested(value) if nested else _typed(value)))
        super().__init__(*pairs)

    def as_postgresql(self, compiler, connection, **extra_context):
        # As text: a `json` column has no equality, which DISTINCT and UNION need.
        template = "JSON_BUILD_OBJECT(%(expressions)s)::text"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _typed(value):
    """A constant given its SQL type: bound on the server as a parameter, it has none of its
    own, and JSON_BUILD_OBJECT takes arguments of any type (a NULL is text)."""
    if not isinstance(value, Value):
        return value
    return Cast(value, value._output_field_or_none or TextField())


class _Nested(Func):
    """A JSON value inside another: SQLite embeds it as JSON only when told it is."""

    function = "JSON"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(%(expressions)s)::json"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class JSONList(Subquery):
    """The rows of `queryset`, whose one column is a JSON object, as a JSON array text in
    the queryset's order ("[]" when there are none): the aggregate reads the ordered rows
    from a subquery, as SQLite before 3.44 takes no ORDER BY inside an aggregate."""

    output_field = TextField()
    template = "(SELECT COALESCE(JSON_GROUP_ARRAY(JSON(item)), '[]') FROM (%(subquery)s) AS items)"

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "(SELECT COALESCE(JSON_AGG(item::json), '[]')::text FROM (%(subquery)s) AS items)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def decoded(text: str | None) -> Any:
    """A JSON text read by JSONList or JSONObject as Python values."""
    return None if text is None else orjson.loads(text)


def decode_json_columns_with_orjson() -> None:
    """psycopg reads every `json` column (JSONRow, and ArraySubquery of them) with orjson
    rather than the standard library: a page decodes a few hundred such values. Django
    reads `jsonb` as text and decodes it itself, so JSONField is untouched."""
    from psycopg.types.json import set_json_loads

    set_json_loads(orjson.loads)
