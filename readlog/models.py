"""Who read which TLP:RED item, when, and by which channel.

A row names the item by its kind and id only: the log never holds RED text, so reading
it does not widen who reads the item. Rows are only ever added (readlog/services.py);
the queryset refuses updates and deletes, and the admin shows them read-only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    API_DETAIL = "api_detail", _("API, one item")
    API_LIST = "api_list", _("API, a list row")
    PAGE = "page", _("web page")
    REPORT = "report", _("chair's report")
    AKOMA_NTOSO = "akoma_ntoso", _("Akoma Ntoso export")
    CALENDAR = "calendar", _("calendar feed")
    REMINDER = "reminder", _("reminder e-mail")


class AppendOnly(Exception):
    """The read log is evidence: a row, once written, is never changed or removed."""


class RedReadQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The read log is append-only.")

    def delete(self):
        raise AppendOnly("The read log is append-only.")


class RedRead(models.Model):
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        # A person with reads on record is deactivated, never deleted: the log stays whole.
        on_delete=models.PROTECT,
        null=True,
        related_name="red_reads",
        help_text=_("Empty: read by nobody signed in, which the TLP rule should never allow."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel)
    # The model's label ("workinggroups.task"): readlog sits below the apps it logs.
    item_kind = models.CharField(_("item kind"), max_length=60)
    item_id = models.PositiveBigIntegerField(_("item id"))
    objects = RedReadQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("read of a TLP:RED item")
        verbose_name_plural = _("reads of TLP:RED items")
        # Nobody adds, changes or deletes a read by hand: only viewing is a permission.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["item_kind", "item_id", "at"], name="redread_item"),
            models.Index(fields=["reader", "at"], name="redread_reader"),
        ]

    def __str__(self) -> str:
        return f"{self.item_kind} {self.item_id}, {self.get_channel_display()}"

    def delete(self, *args, **kwargs):
        raise AppendOnly("The read log is append-only.")
