from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadLogConfig(AppConfig):
    name = "readlog"
    verbose_name = _("Read log (TLP:RED)")
