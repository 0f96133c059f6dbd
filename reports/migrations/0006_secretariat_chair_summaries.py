"""The Secretariat group writes chair's summaries for the chairs (never deletes one) and
reads their history.

Every write goes through reports.services.chair_summary_save, which asks the policy.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Secretariat"
CODENAMES = [
    "view_chairsummary",
    "add_chairsummary",
    "change_chairsummary",
    "view_historicalchairsummary",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="reports", codename__in=CODENAMES
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
            *group.permissions.filter(content_type__app_label="reports", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_chair_summary_and_versions")]

    operations = [migrations.RunPython(grant, revoke)]
