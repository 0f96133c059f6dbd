"""`manage.py check --deploy`: a production site cannot drop the second factor silently."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_enforced(app_configs, **kwargs):
    if settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        Warning(
            "TWO_FACTOR_REQUIRED is off: the secretariat and TLP:RED recipients sign in "
            "with a password alone.",
            hint="Unset TWO_FACTOR_REQUIRED (it is on by default); only the demo turns it off.",
            id="talanoa.W001",
        )
    ]
