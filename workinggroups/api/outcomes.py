"""`/api/v1/outcomes/`: outcomes with where each stands, derived from the work serving it.

The outcomes app serves the outcomes themselves; their implementation is read from
`workinggroups` (workinggroups/implementation.py), which `outcomes` does not import. So
the API's outcome resource is this subclass, registered in config/api_router.py in place
of the plain one: the same representation, filters, ordering and paging, plus an
`implementation` object and the `state`, `stalled` and `overdue` filters.

Every figure counts only the work the reader may read, as every list does: a delegate's
figure can be lower than the secretariat's. A response never says whether work is hidden
(that would tell that it exists); `counted_within_your_visibility` says how to read it.
"""

from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers

from forums.access import built_per_audience
from forums.api.filters import NamingMultipleChoiceFilter, StrictBooleanFilter
from forums.compiled_once import BUILT_AT
from outcomes.api import outcome_list
from outcomes.api import views as outcome_views
from outcomes.api.filters import OutcomeFilter
from outcomes.api.serializers import OutcomeEditSerializer, OutcomeSerializer
from outcomes.models import Outcome
from workinggroups.implementation import (
    Standing,
    State,
    has_overdue_work,
    has_stalled_work,
    in_states,
    row_figures,
    row_standing,
    with_standings,
)


class StateLabelField(serializers.CharField):
    """The state's name in the reader's language."""

    def to_representation(self, value) -> str:
        return str(State(value).label)


# Reads an outcome given its standing (with_standings), or a Standing (the list).
class ImplementationSerializer(serializers.Serializer):
    """Where an outcome stands, derived from the work serving it that you may read."""

    state = serializers.ChoiceField(
        choices=State.choices,
        source="implementation",
        read_only=True,
        help_text=(
            "The first that applies: no_work (no task, or all withdrawn), stalled (some "
            "open work stalled), done (all ratified), ready (all ready for ratification or "
            "ratified), not_started, under_way."
        ),
    )
    state_label = StateLabelField(source="implementation", read_only=True)
    progress = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=(
            "0 to 100: the mean of the work's progress, ready or ratified work counting "
            "100. Null without work."
        ),
    )
    work_open = serializers.IntegerField(read_only=True, help_text="Tasks still open.")
    work_total = serializers.IntegerField(
        read_only=True, help_text="Tasks serving it or its sub-items, withdrawn ones left out."
    )
    work_stalled = serializers.IntegerField(read_only=True, help_text="Open tasks stalled.")
    last_moved_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The newest update you may read on that work; null when there is none.",
    )
    counted_within_your_visibility = serializers.SerializerMethodField(
        help_text=(
            "Always true: every figure counts only the work you may read, so another "
            "reader's figures may differ from yours."
        )
    )

    def get_counted_within_your_visibility(self, standing) -> bool:
        return True


@extend_schema_serializer(component_name="Outcome")
class OutcomeWithImplementationSerializer(OutcomeSerializer):
    implementation = ImplementationSerializer(
        source="*",
        read_only=True,
        help_text="Where it stands, derived from the work serving it that you may read.",
    )

    class Meta(OutcomeSerializer.Meta):
        fields = [*OutcomeSerializer.Meta.fields, "implementation"]


class OutcomeWithImplementationFilter(OutcomeFilter):
    state = NamingMultipleChoiceFilter(
        choices=State.choices, method="filter_state", label="Implementation state (any of)"
    )
    stalled = StrictBooleanFilter(method="filter_stalled", label="Has stalled work")
    overdue = StrictBooleanFilter(method="filter_overdue", label="Has overdue work")

    class Meta(OutcomeFilter.Meta):
        fields = [*OutcomeFilter.Meta.fields, "state", "stalled", "overdue"]

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(in_states(self.request.user, value))

    def filter_stalled(self, queryset, name, value):
        stalled = has_stalled_work(self.request.user)
        return queryset.filter(stalled if value else ~stalled)

    def filter_overdue(self, queryset, name, value):
        overdue = has_overdue_work(self.request.user)
        return queryset.filter(overdue if value else ~overdue)


_moment = serializers.DateTimeField()


@built_per_audience
def page_queryset_with_figures(user):
    """The outcome list's rows with each one's implementation figures, kept per standing:
    the figures count stalled work as of the time each request's SQL is sent (built for
    BUILT_AT, which forums/compiled_once.py replaces with the time of the request)."""
    return outcome_list.outcomes_with_rows(user).annotate(**row_figures(user, BUILT_AT))


def implementation_of(standing: Standing) -> dict:
    """ImplementationSerializer's shape, as plain values, for a page's rows."""
    state = standing.implementation
    return {
        "state": state.value,
        "state_label": str(state.label),
        "progress": standing.progress,
        "work_open": standing.work_open,
        "work_total": standing.work_total,
        "work_stalled": standing.work_stalled,
        "last_moved_at": None
        if standing.last_moved_at is None
        else _moment.to_representation(standing.last_moved_at),
        "counted_within_your_visibility": True,
    }


@extend_schema_view(
    partial_update=extend_schema(
        request=OutcomeEditSerializer, responses=OutcomeWithImplementationSerializer
    )
)
class OutcomeViewSet(outcome_views.OutcomeViewSet):
    """Numbered outcomes with their permanent citation codes, their lineage links, and
    where each stands (`implementation`), counted over the work you may read.

    Editing (PUT/PATCH, secretariat only) needs `If-Match` with the ETag you read. The
    ETag is the outcome's own version: its implementation moves with the work, not with it.
    """

    serializer_class = OutcomeWithImplementationSerializer
    filterset_class = OutcomeWithImplementationFilter

    def get_serializer(self, *args, **kwargs):
        # One outcome written and read again: its standing read for it alone. The list's
        # and the detail's: their rows' figures (row_figures).
        if args and isinstance(args[0], Outcome):
            with_standings([args[0]], self.request.user)
        return super().get_serializer(*args, **kwargs)

    row_columns = ("implementation_figures",)

    def page_queryset(self):
        return page_queryset_with_figures(self.request.user)

    def represent(self, rows: list[dict]) -> list[dict]:
        results = super().represent(rows)
        for row, result in zip(rows, results, strict=True):
            result["implementation"] = implementation_of(row_standing(row))
        return results

    @extend_schema(request=OutcomeEditSerializer, responses=OutcomeWithImplementationSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)
