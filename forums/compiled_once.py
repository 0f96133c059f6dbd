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
"""

from django.db.models import Expression
from django.db.models.sql.where import AND, WhereNode


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
            found = self.compiled[key] = (sql, tuple(params))
        return found[0], list(found[1])

    def relabeled_clone(self, change_map):
        return CompiledOnce(self.inner.relabeled_clone(change_map))

    def get_db_converters(self, connection):
        return self.inner.get_db_converters(connection)

    def select_format(self, compiler, sql, params):
        return self.inner.select_format(compiler, sql, params)

    def get_group_by_cols(self):
        return self.inner.get_group_by_cols()


def compiled_once(queryset):
    """`queryset` with its filter and its annotations each compiled once from now on."""
    query = queryset.query
    query.annotations = {name: CompiledOnce(part) for name, part in query.annotations.items()}
    if query.where.children:
        query.where = WhereNode([CompiledOnce(query.where)], AND)
    return queryset
