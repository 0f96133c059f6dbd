from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkingGroupsConfig(AppConfig):
    name = "workinggroups"
    verbose_name = _("Working groups")

    def ready(self):
        from forums.standing import invalidate_standing_on_writes
        from workinggroups.models import WorkingGroup, WorkingGroupMembership

        # A seat gives standing in the forum of the meeting that set its group up.
        invalidate_standing_on_writes(WorkingGroup, WorkingGroupMembership)
