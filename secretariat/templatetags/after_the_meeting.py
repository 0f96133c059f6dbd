"""The admin index's "After the meeting" panel, for those who record meetings."""

from django import template

from forums.policy import may_record_meetings
from secretariat.checklist import held_meetings_to_follow

register = template.Library()


@register.inclusion_tag("admin/secretariat/after_the_meeting_panel.html", takes_context=True)
def after_the_meeting_panel(context):
    user = context["request"].user
    if not may_record_meetings(user):
        return {"checklists": []}
    return {"checklists": held_meetings_to_follow(user)}
