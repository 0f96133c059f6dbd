"""Traffic Light Protocol 2.0 labels, the convention security agencies already use.

Stored as small integers so that "at most GREEN" is a plain `<=` in SQL. A child (an
outcome of a document, a task of a working group, an update of a task) is never more
open than its parent: its label is at least as restrictive.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TLP(models.IntegerChoices):
    CLEAR = 0, "TLP:CLEAR"
    GREEN = 1, "TLP:GREEN"
    AMBER = 2, "TLP:AMBER"
    RED = 3, "TLP:RED"

    @property
    def audience(self) -> "StrOrPromise":
        return TLP_AUDIENCE[self]


TLP_AUDIENCE = {
    TLP.CLEAR: _("public"),
    TLP.GREEN: _("the forum's members and observers"),
    TLP.AMBER: _("the working group and the secretariat"),
    TLP.RED: _("named people only"),
}


def validate_not_more_open(
    *, child_label: int, parent_label: int, parent_name: "StrOrPromise"
) -> None:
    """Raise on the `tlp` field when a child would be readable by more people than its parent."""
    if child_label < parent_label:
        raise ValidationError(
            {
                "tlp": _(
                    "%(child)s is more open than its %(parent_name)s (%(parent)s); "
                    "choose %(parent)s or stricter."
                )
                % {
                    "child": TLP(child_label).label,
                    "parent": TLP(parent_label).label,
                    "parent_name": parent_name,
                }
            }
        )
