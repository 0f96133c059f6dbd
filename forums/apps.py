from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums and meetings")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from forums import checks  # noqa: F401  registers the deploy check
        from forums.json_sql import decode_json_columns_with_orjson
        from forums.models import Chair, ForumMembership, Meeting, Member, Profile
        from forums.standing import invalidate_standing_on_membership, invalidate_standing_on_writes

        # What a person's standing is computed from (forums/access.py, `_standing_rows`):
        # the secretariat group's name and members, the member a profile represents and
        # its state, the member's forum memberships, chairs and the meetings they chair.
        # Working-group seats are connected by workinggroups.
        invalidate_standing_on_writes(Group, Profile, Member, ForumMembership, Chair, Meeting)
        invalidate_standing_on_membership(get_user_model().groups.through)
        decode_json_columns_with_orjson()
