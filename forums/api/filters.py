import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from forums.api.base import MAX_ID
from forums.models import Meeting, Member


class WholeNumberField(forms.IntegerField):
    """Digits only: Django's own field also takes "120.0" and " 12", which the schema's
    integer does not, so a client reading the schema and one reading us would disagree."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"-?[0-9]+", str(value)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id in a query string: a whole number within a bigint, or a 400."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; anything else is a 400 rather than silently no filter at all."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


class NamingChoicesField(django_filters.fields.MultipleChoiceField):
    """A refused value names the values allowed, so a client can correct itself."""

    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError as refusal:
            if refusal.code != "invalid_choice":
                raise
            raise ValidationError(
                _("%(value)s is not one of: %(choices)s."),
                code="invalid_choice",
                params={
                    "value": (refusal.params or {}).get("value"),
                    "choices": ", ".join(str(key) for key, _label in self.choices),
                },
            ) from None


class NamingMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """`?state=a&state=b`: any of the values; an unknown one is a 400 naming the allowed."""

    field_class = NamingChoicesField


class TextSearchFilter(django_filters.CharFilter):
    """`?search=`: every word must appear in one of `fields` (case-insensitive)."""

    def __init__(self, *args, fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("label", "Words that must all appear (" + ", ".join(fields) + ")")
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        for word in (value or "").split():
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(match)
        return qs


class MemberFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="memberships__forum", distinct=True)
    kind = django_filters.ChoiceFilter(choices=Member.Kind.choices)
    search = TextSearchFilter(fields=("name", "short_name"))

    class Meta:
        model = Member
        fields = ["forum", "kind", "search"]


class MeetingFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="forum")
    forum_acronym = django_filters.CharFilter(field_name="forum__acronym", max_length=20)
    after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    search = TextSearchFilter(fields=("title", "venue", "dates_note"))

    class Meta:
        model = Meeting
        fields = ["forum", "forum_acronym", "after", "before", "search"]
