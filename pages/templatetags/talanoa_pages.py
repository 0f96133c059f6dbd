"""Template helpers for the pages: what a row's state is called."""

from django import template

from workinggroups.implementation import State

register = template.Library()

_STATE_LABELS = dict(State.choices)


@register.filter
def state_label(value: str) -> str:
    """The words for an implementation state annotated as its value ("under_way")."""
    return str(_STATE_LABELS.get(value, value))
