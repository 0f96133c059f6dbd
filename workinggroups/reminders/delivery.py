"""Sending one reminder: claim its row, compose, hand to the mail backend, mark it."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from readlog.models import Channel
from readlog.services import record_reads
from workinggroups.models import Reminder
from workinggroups.reminders.compose import compose

# The package's one logger: operators filter the sweep's and the deliveries' lines by it.
log = logging.getLogger(__package__)


def deliver(reminder_id: int, now: datetime.datetime | None = None) -> str:
    """Claim, compose, send and mark one reminder. Safe to call twice or concurrently."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return "taken"  # sent, being sent by another worker, or not due
    reminder = Reminder.objects.select_related(
        "person__profile__member", "task", "meeting__forum"
    ).get(pk=reminder_id)
    try:
        message = compose(reminder, now)
    except Exception as error:
        # A bug or bad data, not a mail outage: retrying will not help, so say so in the
        # ledger (visible in the admin) instead of leaving the claim to be retried forever.
        log.exception("reminder %s could not be composed", reminder.pk)
        _finish(reminder, Reminder.Status.FAILED, f"{type(error).__name__}: {error}")
        return "failed"
    if message is None:
        _finish(reminder, Reminder.Status.CANCELLED, "Nothing to say any more.")
        return "cancelled"
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _not_sent(reminder, error, now)
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SENT, sent_at=timezone.now()
    )
    record_reads(reader=reminder.person, channel=Channel.REMINDER, items=message.tasks_listed)
    log.info("reminder %s sent to %s: %s", reminder.pk, reminder.person, message.subject)
    return "sent"


def _claim(reminder_id: int, now: datetime.datetime) -> bool:
    """Pending and due → sending, in one conditional UPDATE: one worker wins the row."""
    return bool(
        Reminder.objects.filter(
            pk=reminder_id, status=Reminder.Status.PENDING, send_after__lte=now
        ).update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _not_sent(reminder: Reminder, error: Exception, now: datetime.datetime) -> str:
    """The mail server refused or was out of reach: retry later, or fail after the last try."""
    if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        _finish(reminder, Reminder.Status.FAILED, f"{type(error).__name__}: {error}")
        return "failed"
    # Back off 2, 4, 8 … minutes; a later sweep hands it out again.
    retry_at = now + datetime.timedelta(minutes=2**reminder.attempts)
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.PENDING,
        claimed_at=None,
        send_after=retry_at,
        last_error=f"{type(error).__name__}: {error}",
    )
    return "retry"


def _finish(reminder: Reminder, status: str, error: str) -> None:
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=status, last_error=error
    )
