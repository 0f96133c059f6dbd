"""Template helpers for the pages: what a row's state is called, and the person's forums."""

from django import template

from forums.access import audience_of
from forums.models import Forum
from workinggroups.implementation import State

register = template.Library()

_STATE_LABELS = dict(State.choices)


@register.filter
def state_label(value: str) -> str:
    """The words for an implementation state annotated as its value ("under_way")."""
    return str(_STATE_LABELS.get(value, value))


# More forums than this and the menu sends to the home page, which lists them all: a
# phone's menu stays two lines.
NAV_FORUMS = 3


@register.simple_tag
def nav_forums(user) -> list[str]:
    """The acronyms of the forums a signed-in person has standing in, for the menu (none
    when there are more than NAV_FORUMS). One query; the standing is asked once a request."""
    if not user.is_authenticated:
        return []
    audience = audience_of(user)
    forums = Forum.objects.order_by("acronym")
    if not audience.is_secretariat:
        forums = forums.filter(pk__in=audience.green_forums)
    acronyms = list(forums.values_list("acronym", flat=True)[: NAV_FORUMS + 1])
    return acronyms if len(acronyms) <= NAV_FORUMS else []
