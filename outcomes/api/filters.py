import django_filters
from drf_spectacular.utils import extend_schema_field

from forums.api.filters import IdFilter, TextSearchFilter
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink

TLP_CHOICES = [(label.name.lower(), label.label) for label in TLP]


@extend_schema_field({"type": "string", "enum": [name for name, _label in TLP_CHOICES]})
class TLPFilter(django_filters.ChoiceFilter):
    """`?tlp=green`: the lowercase label name, as in representations."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=TLP_CHOICES, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.field_name: TLP[value.upper()].value})


class OutcomeDocumentFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="meeting__forum")
    meeting = IdFilter(field_name="meeting")
    kind = django_filters.ChoiceFilter(choices=OutcomeDocument.Kind.choices)
    tlp = TLPFilter(field_name="tlp")
    search = TextSearchFilter(fields=("title", "short_title", "code"))

    class Meta:
        model = OutcomeDocument
        fields = ["forum", "meeting", "kind", "tlp", "search"]


class OutcomeFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="document__meeting__forum")
    meeting = IdFilter(field_name="document__meeting")
    document = IdFilter(field_name="document")
    citation_code = django_filters.CharFilter(field_name="citation_code", max_length=90)
    status = django_filters.MultipleChoiceFilter(choices=Outcome.Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Outcome.Kind.choices)
    tlp = TLPFilter(field_name="tlp")
    links_to = IdFilter(
        method="filter_links_to",
        label="Outcomes that link to this outcome (reaffirm it, act pursuant to it, …)",
    )
    search = TextSearchFilter(fields=("text", "citation_code"))

    class Meta:
        model = Outcome
        fields = [
            "forum",
            "meeting",
            "document",
            "citation_code",
            "status",
            "kind",
            "tlp",
            "links_to",
            "search",
        ]

    def filter_links_to(self, queryset, name, value):
        # Only to an outcome the person may see: else the answer would tell that it exists,
        # and what links to it, which the outcome's own `links_out` does not show.
        targets = Outcome.objects.visible_to(self.request.user).filter(pk=value)
        sources = OutcomeLink.objects.filter(target_outcome__in=targets).values("source_id")
        return queryset.filter(pk__in=sources)
