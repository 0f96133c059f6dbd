"""The Secretariat group sees everyone's API tokens in the admin, to revoke them.

Seeing is all the permission grants: the page shows no token, and revoking goes through
forums.services.api_token_revoke, which asks forums.policy.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Secretariat"
CODENAMES = ["view_apitoken"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("forums")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="forums", codename__in=CODENAMES
    )
    missing = set(CODENAMES) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for the Secretariat group: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="forums", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    # After the migration that makes the group: it sets the group's permissions whole.
    dependencies = [
        ("forums", "0006_move_drf_tokens"),
        ("workinggroups", "0002_secretariat_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
