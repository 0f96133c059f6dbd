"""The "Secretariat" group: what a secretariat officer may do in the admin, and no more.

Nothing the forums decided is ever deleted (outcomes are cited permanently, a task is
withdrawn, a hosting is withdrawn): only join rows whose removal loses nothing are
deletable. Updates and hosting changes are append-only. History is read-only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Secretariat"

VIEW_ADD_CHANGE = ("view", "add", "change")
PERMISSIONS = {
    "forums": {
        "member": VIEW_ADD_CHANGE,
        "forum": VIEW_ADD_CHANGE,
        "forummembership": (*VIEW_ADD_CHANGE, "delete"),
        "meeting": VIEW_ADD_CHANGE,
        "chair": (*VIEW_ADD_CHANGE, "delete"),
        "attendance": (*VIEW_ADD_CHANGE, "delete"),
        "hosting": VIEW_ADD_CHANGE,
        "hostingchange": ("view", "add"),
        "profile": VIEW_ADD_CHANGE,
        "historicalmember": ("view",),
        "historicalforum": ("view",),
        "historicalforummembership": ("view",),
        "historicalmeeting": ("view",),
        "historicalchair": ("view",),
        "historicalattendance": ("view",),
        "historicalhosting": ("view",),
        "historicalprofile": ("view",),
    },
    "outcomes": {
        "outcomedocument": VIEW_ADD_CHANGE,
        "outcome": VIEW_ADD_CHANGE,
        "outcomelink": (*VIEW_ADD_CHANGE, "delete"),
        "historicaloutcomedocument": ("view",),
        "historicaloutcome": ("view",),
        "historicaloutcome_responsible": ("view",),
        "historicaloutcomelink": ("view",),
    },
    "workinggroups": {
        "workinggroup": VIEW_ADD_CHANGE,
        "workinggroupmembership": (*VIEW_ADD_CHANGE, "delete"),
        "task": VIEW_ADD_CHANGE,
        "taskupdate": ("view", "add"),
        "historicalworkinggroup": ("view",),
        "historicalworkinggroupmembership": ("view",),
        "historicaltask": ("view",),
        "historicaltask_outcomes": ("view",),
    },
    # Deactivate an account instead of deleting it: its name stays on the history.
    "auth": {"user": VIEW_ADD_CHANGE},
}


def create_secretariat(apps, schema_editor):
    # Permissions are normally made after `migrate` finishes (post_migrate); on a fresh
    # database they must exist now. The stub app configs of migrations have no models
    # module, which create_permissions takes to mean "no models": say otherwise.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = {
        (app_label, f"{action}_{model}")
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }
    found = [
        permission
        for permission in Permission.objects.filter(
            content_type__app_label__in=PERMISSIONS
        ).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise RuntimeError(f"Permissions not found for the Secretariat group: {sorted(missing)}")
    group.permissions.set(found)


def remove_secretariat(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("forums", "0002_hostingchange_recorded_by_blank"),
        ("outcomes", "0001_initial"),
        ("workinggroups", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_secretariat, remove_secretariat)]
