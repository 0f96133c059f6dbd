"""The periodic sweep: plan, take back dead claims, hand out what is due."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from workinggroups.models import Reminder
from workinggroups.reminders.planning import plan_reminders

# The package's one logger: operators filter the sweep's and the deliveries' lines by it.
log = logging.getLogger(__package__)


def sweep(now: datetime.datetime | None = None) -> list[int]:
    """Plan, take back dead claims, and return the ids of reminders due now."""
    now = now or timezone.now()
    planned = plan_reminders(now)
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    recovered = Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=stale
    ).update(status=Reminder.Status.PENDING, claimed_at=None)
    due = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:10000]
    )
    log.info("reminder sweep: %d planned, %d recovered, %d due", planned, recovered, len(due))
    return due
