from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The chair's report: reads forums, outcomes and working groups, owned by none of them.

    A module above the three apps (DESIGN.md: code that reads across all three sits above
    the models it reads), so that no model import runs in a circle.
    """

    name = "reports"
    verbose_name = _("Chair's reports")
