"""The read log of TLP:RED items, which the Secretariat group reads (and nobody edits)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Secretariat"
CODENAMES = ["view_redread"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("readlog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="readlog", codename__in=CODENAMES
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
            *group.permissions.filter(content_type__app_label="readlog", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The migration that creates the Secretariat group with its first permissions.
        ("workinggroups", "0002_secretariat_group"),
    ]

    operations = [
        migrations.CreateModel(
            name='RedRead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                ('channel', models.CharField(choices=[('api_detail', 'API, one item'), ('api_list', 'API, a list row'), ('page', 'web page'), ('report', "chair's report"), ('akoma_ntoso', 'Akoma Ntoso export'), ('calendar', 'calendar feed'), ('reminder', 'reminder e-mail')], max_length=12, verbose_name='channel')),
                ('item_kind', models.CharField(max_length=60, verbose_name='item kind')),
                ('item_id', models.PositiveBigIntegerField(verbose_name='item id')),
                ('reader', models.ForeignKey(help_text='Empty: read by nobody signed in, which the TLP rule should never allow.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='red_reads', to=settings.AUTH_USER_MODEL, verbose_name='reader')),
            ],
            options={
                'verbose_name': 'read of a TLP:RED item',
                'verbose_name_plural': 'reads of TLP:RED items',
                'ordering': ['-at', '-id'],
                'default_permissions': ('view',),
                'indexes': [models.Index(fields=['item_kind', 'item_id', 'at'], name='redread_item'), models.Index(fields=['reader', 'at'], name='redread_reader')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
