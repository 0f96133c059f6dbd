"""The parts of a kept queryset (forums.access.built_per_audience) compiled to SQL once.

A kept queryset's TLP rule and its row parts are the same SQL on every request of the
same standing; compiling them walked the same few hundred expressions each time. Each
part is wrapped so that its first compilation is remembered, per database, and reused
while the part stays where it is: a part moved to other table aliases (a relabelled
clone, as when the query becomes another's subquery) starts afresh. What a request adds
(its filters, order, cursor and page) is compiled as usual.

What a compilation reads besides the query is kept with it too: the active time zone (a
`__date` lookup, `Trunc`) and language (a lazy text in a `Value`). A kept queryset holds
none of them (forums.access.built_per_audience: nothing but the standing).

The clock is the one exception. A part that depends on the time (the figures of an
outcome count stalled work, stalled as of now) is built for the instant BUILT_AT, and
each time its SQL is sent, the parameters that instant gave it (the instant, its day in
UTC and that day's month) are replaced by the same readings of the current time.
"""

import datetime
import re
from collections.abc import Callable

from django.db.models import DateField, DateTimeField, Expression
from django.db.models.sql.where import AND, WhereNode
from django.utils import timezone
from psycopg.sql import Literal

from forums.models import first_of_month

# No real parameter is this instant, nor its day or month: the forums met first in 1971.
BUILT_AT = datetime.datetime(1001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)

_PLACEHOLDER = re.compile("%%|%s")

_CLOCK_READINGS: tuple[tuple[datetime.datetime | datetime.date, Callable], ...] = (
    (BUILT_AT, lambda now: now),
    (BUILT_AT.date(), lambda now: now.astimezone(datetime.UTC).date()),
    (
        first_of_month(BUILT_AT.date()),
        lambda now: first_of_month(now.astimezone(datetime.UTC).date()),
    ),
)


class CompiledOnce(Expression):
    """`inner`, compiling to the SQL and parameters of its first compilation."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.compiled: dict[str, tuple[str, tuple]] = {}

    def get_source_expressions(self):
        return [self.inner]

    def set_source_expressions(self, exprs):
        (self.inner,) = exprs
        self.compiled = {}

    @property
    def output_field(self):
        return self.inner.output_field

    @property
    def empty_result_set_value(self):
        # What the SELECT shows for a part that matches nothing: the part's own answer.
        return getattr(self.inner, "empty_result_set_value", NotImplemented)

    def as_sql(self, compiler, connection):
        key = f"{connection.alias}:{connection.vendor}"
        found = self.compiled.get(key)
        if found is None:
            sql, params = compiler.compile(self.inner)
            clock = _clock_positions(params, connection)
            if getattr(connection.features, "uses_server_side_binding", False):
                sql, params, clock = _standing_written_in(sql, params, clock, connection)
            found = self.compiled[key] = (sql, tuple(params), clock)
        sql, params, clock = found
        if not clock:
            return sql, list(params)
        now, params = timezone.now(), list(params)
        for position, read in clock:
            params[position] = _as_parameter(read(now), connection)
        return sql, params

    def relabeled_clone(self, change_map):
        return CompiledOnce(self.inner.relabeled_clone(change_map))

    def get_db_converters(self, connection):
        return self.inner.get_db_converters(connection)

    def select_format(self, compiler, sql, params):
        return self.inner.select_format(compiler, sql, params)

    def get_group_by_cols(self):
        return self.inner.get_group_by_cols()


def _as_parameter(value, connection):
    field = DateTimeField() if isinstance(value, datetime.datetime) else DateField()
    return field.get_db_prep_value(value, connection)


def _clock_positions(params, connection) -> tuple[tuple[int, Callable], ...]:
    """Where BUILT_AT's readings stand among a part's parameters, each with its reading."""
    readings = [(_as_parameter(stood_in, connection), read) for stood_in, read in _CLOCK_READINGS]
    return tuple(
        (position, read)
        for position, param in enumerate(params)
        for stood_in, read in readings
        if type(param) is type(stood_in) and param == stood_in
    )


def _standing_written_in(sql, params, clock, connection):
    """The part with its parameters written into its SQL as literals, but the clock's.

    A kept part's parameters are the standing's (ids, labels): the same on every request
    of that reader. With parameters bound on the server, PostgreSQL plans a prepared
    statement afresh on each execution when it cannot tell how many rows the parameters
    select, as with the standing's lists of forums and groups; written in, they are part
    of the statement, which is planned once for the values a request still sends (its
    page, cursor and filters). Quoted by the driver as Django's default binding quotes
    every parameter."""
    connection.ensure_connection()
    late = dict(clock)
    remaining: list = []
    moved: list[tuple[int, Callable]] = []
    numbered = iter(enumerate(params))

    def written(placeholder: re.Match) -> str:
        if placeholder.group() == "%%":
            return "%%"
        position, value = next(numbered)
        if position in late:
            moved.append((len(remaining), late[position]))
            remaining.append(value)
            return "%s"
        return Literal(value).as_string(connection.connection).replace("%", "%%")

    return _PLACEHOLDER.sub(written, sql), remaining, tuple(moved)


def compiled_once(queryset):
    """`queryset` with its filter and its annotations each compiled once from now on."""
    query = queryset.query
    query.annotations = {name: CompiledOnce(part) for name, part in query.annotations.items()}
    if query.where.children:
        query.where = WhereNode([CompiledOnce(query.where)], AND)
    return queryset
