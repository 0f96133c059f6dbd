from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    """The secretariat's admin, where the domain apps' admins meet.

    A meeting's page shows its outcome documents (`outcomes`) and offers the chair's
    report (`reports`); an imported statement may set up working groups (`workinggroups`).
    Each domain app's admin.py defines its own pages and imports no app above it; this one
    puts the cross-app pieces together and registers the result, so nothing depends on the
    order in which apps load.
    """

    name = "secretariat"
    verbose_name = _("Secretariat")
