"""The Secretariat group reads the second-factor events (who set up, removed or reset one).

They are written only by forums.second_factor; nobody edits or deletes them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Secretariat"
CODENAMES = ["view_secondfactorevent"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("forums")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(content_type__app_label="forums", codename__in=CODENAMES)
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
    # After the migration that creates the group with its first permissions.
    dependencies = [
        ("forums", "0005_second_factor_event"),
        ("workinggroups", "0002_secretariat_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
