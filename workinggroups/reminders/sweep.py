"""The periodic sweep: plan, take back dead claims, hand out what is due."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workinggroups.models import Reminder
from workinggroups.reminders import changes
from workinggroups.reminders.planning import plan_reminders

# The package's one logger: operators filter the sweep's and the deliveries' lines by it.
log = logging.getLogger(__package__)


def sweep(now: datetime.datetime | None = None, *, full: bool = False) -> list[int]:
    """Plan, take back dead claims, and return the ids of reminders due now.

    Plans from what changed since the last sweep, or everything (`full`, or when
    changes.full_needed says so): both leave the same rows in the ledger.
    """
    now = now or timezone.now()
    planned = plan(now, full=full)
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


@transaction.atomic
def plan(now: datetime.datetime, *, full: bool = False) -> int:
    """Plan what is owed at `now` and move the watermark, in one transaction."""
    started = changes.clock()
    mark = changes.claim_mark()
    changed = changes.record_inputs()
    why = "asked" if full else changes.full_needed(mark, now, changed)
    if why:
        log.info("reminder sweep: full plan (%s)", why)
        planned = plan_reminders(now)
    else:
        planned = plan_reminders(now, changes.scope_of(changed, changes.overlap_start(mark)))
    changes.write_mark(mark, now, started)
    return planned
