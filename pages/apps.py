from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The web pages for everyone but the secretariat (who work in the admin).

    The pages read across the three domain apps (a meeting page shows its outcomes and the
    work reporting to it), so, like the chair's report, they sit above them and own no model:
    they read through the models' `visible_to()` querysets and write through the services.
    """

    name = "pages"
    verbose_name = _("Pages")
