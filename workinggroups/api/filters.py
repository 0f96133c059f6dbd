import django_filters

from forums.access import audience_of
from forums.api.filters import IdFilter, StrictBooleanFilter, TextSearchFilter
from outcomes.api.filters import TLPFilter
from outcomes.models import Outcome
from workinggroups.models import Task, WorkingGroup


class WorkingGroupFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="established_by__forum")
    meeting = IdFilter(field_name="reports_to", label="Reports to this meeting")
    established_by = IdFilter(field_name="established_by")
    open = StrictBooleanFilter(field_name="closed_on", lookup_expr="isnull")
    tlp = TLPFilter(field_name="tlp")
    mine = StrictBooleanFilter(method="filter_mine", label="Groups I sit on")
    search = TextSearchFilter(fields=("name", "mandate"))

    class Meta:
        model = WorkingGroup
        fields = ["forum", "meeting", "established_by", "open", "tlp", "mine", "search"]

    def filter_mine(self, queryset, name, value):
        groups = audience_of(self.request.user).groups
        return queryset.filter(pk__in=groups) if value else queryset.exclude(pk__in=groups)


class TaskFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="working_group__established_by__forum")
    meeting = IdFilter(field_name="reports_to", label="Reports to this meeting")
    working_group = IdFilter(field_name="working_group")
    document = IdFilter(method="filter_document", label="Serves an outcome of this document")
    outcome = IdFilter(method="filter_outcome", label="Serves this outcome (id)")
    outcome_code = django_filters.CharFilter(
        method="filter_outcome_code", max_length=90, label="Serves this outcome (citation code)"
    )
    # A column of the task itself, so no row repeats: no DISTINCT (the page's JSON parts
    # have no equality to compare rows by).
    status = django_filters.MultipleChoiceFilter(choices=Task.Status.choices, distinct=False)
    open = StrictBooleanFilter(method="filter_open", label="Still open")
    tlp = TLPFilter(field_name="tlp")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        label=(
            "Open, and its due day has ended at the meeting's venue, or with no due day "
            "once the meeting it reports to has been held"
        ),
    )
    stalled = StrictBooleanFilter(
        method="filter_stalled",
        label=(
            "Open, with no update you may read for its forum's period, or carried past two meetings"
        ),
    )
    assigned = django_filters.ChoiceFilter(
        choices=[("me", "me")], method="filter_assigned", label="assigned=me: tasks I lead"
    )
    mine = StrictBooleanFilter(method="filter_mine", label="Tasks of my working groups")
    search = TextSearchFilter(fields=("title", "description"))

    class Meta:
        model = Task
        fields = [
            "forum",
            "meeting",
            "working_group",
            "document",
            "outcome",
            "outcome_code",
            "status",
            "open",
            "tlp",
            "due_before",
            "due_after",
            "overdue",
            "stalled",
            "assigned",
            "mine",
            "search",
        ]

    # Filters through the outcomes many-to-many use a subquery, not a join: no duplicates
    # and no DISTINCT, which cursor pagination could not order.
    def _serving(self, queryset, outcomes):
        through = Task.outcomes.through.objects.filter(outcome__in=outcomes)
        return queryset.filter(pk__in=through.values("task_id"))

    def _visible_outcomes(self):
        return Outcome.objects.visible_to(self.request.user)

    def filter_document(self, queryset, name, value):
        return self._serving(queryset, self._visible_outcomes().filter(document_id=value))

    def filter_outcome(self, queryset, name, value):
        return self._serving(queryset, self._visible_outcomes().filter(pk=value))

    def filter_outcome_code(self, queryset, name, value):
        return self._serving(queryset, self._visible_outcomes().filter(citation_code=value))

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(status__in=Task.OPEN_STATUSES)

    def filter_overdue(self, queryset, name, value):
        # Filtering the list itself, not `pk IN (overdue tasks)`: PostgreSQL can then walk
        # the due-order index and stop after a page instead of sorting every visible task.
        if value:
            return queryset.overdue()
        return queryset.exclude(pk__in=Task.objects.overdue().values("pk"))

    def filter_stalled(self, queryset, name, value):
        # As for overdue: the list itself filtered, so it keeps walking its own index.
        reader = self.request.user
        if value:
            return queryset.stalled(reader)
        return queryset.exclude(pk__in=Task.objects.stalled(reader).values("pk"))

    def filter_assigned(self, queryset, name, value):
        user = self.request.user
        return queryset.filter(lead_id=user.pk) if user.is_authenticated else queryset.none()

    def filter_mine(self, queryset, name, value):
        groups = audience_of(self.request.user).groups
        mine = queryset.filter(working_group_id__in=groups)
        return mine if value else queryset.exclude(working_group_id__in=groups)
