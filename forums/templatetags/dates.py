"""`{{ day|format_date }}`, `{{ moment|format_date:"datetime" }}`: forums.dates in templates."""

from django import template

from forums.dates import format_date as format_day

register = template.Library()


# expects_localtime: an aware datetime arrives in the reader's time zone, as Django's own
# `date` filter receives it.
@register.filter(expects_localtime=True)
def format_date(value, style: str = "date") -> str:
    if value in (None, ""):
        return ""
    return format_day(value, style)
