import django_filters

from forums.api.filters import IdFilter, TextSearchFilter
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument

TLP_CHOICES = [(label.name.lower(), label.label) for label in TLP]


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
        field_name="links_out__target_outcome",
        distinct=True,
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
