"""How the secretariat finds and names a person: "Name (Agency, State)".

One home for the label and the search, so that every picker (chairs, working-group
members, task leads, recipients) names people the same way and finds them by what an
officer types: a name, an agency or a member state.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from forums.id_choices import ModelMultipleChoiceOfIds
from forums.models import ForumMembership, Member

# What person_label reads, for select_related on any queryset of people it names.
PERSON_LABEL_RELATED = ("profile__member__parent",)

PERSON_SEARCH_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "profile__member__name",
    "profile__member__short_name",
    "profile__member__parent__name",
    "profile__member__parent__short_name",
)


def person_search_fields(path: str) -> tuple[str, ...]:
    """PERSON_SEARCH_FIELDS reached from another model: person_search_fields("lead")."""
    return tuple(f"{path}__{field}" for field in PERSON_SEARCH_FIELDS)


def person_label(person) -> str:
    """ "Ana Reklai (Palau National Police, Palau)", or fewer parts when unknown."""
    name = person.get_full_name() or person.get_username()
    try:
        member = person.profile.member
    except ObjectDoesNotExist:
        member = None
    if member is None:
        return name
    seats = [member.short_name or member.name]
    if member.parent is not None:
        seats.append(member.parent.short_name or member.parent.name)
    return f"{name} ({', '.join(seats)})"


class PersonChoiceField(forms.ModelChoiceField):
    """A picker of one person, each named "Name (Agency, State)"."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.select_related(*PERSON_LABEL_RELATED), **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PersonMultipleChoiceField(ModelMultipleChoiceOfIds):
    """A picker of several people, each named "Name (Agency, State)"."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.select_related(*PERSON_LABEL_RELATED), **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def people_of_member_states(forum=None) -> QuerySet:
    """The people who speak for a forum's member states: whose profile represents a state
    or territory with a current seat at the forum's table as a member (not an observer),
    or an agency of one. Any forum's, when `forum` is None. Named by person_label."""
    seats = ForumMembership.objects.current().filter(role=ForumMembership.Role.MEMBER)
    if forum is not None:
        seats = seats.filter(forum=forum)
    states = Member.objects.filter(
        kind__in=(Member.Kind.STATE, Member.Kind.TERRITORY), pk__in=seats.values("member_id")
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(profile__member__in=states) | Q(profile__member__parent__in=states))
        .select_related(*PERSON_LABEL_RELATED)
        .order_by("first_name", "last_name", "username")
    )
