"""Celery jobs: thin wrappers that take ids and call the reminder code (idempotent)."""

from celery import shared_task
from django.conf import settings

from workinggroups import reminders


@shared_task(name="workinggroups.jobs.sweep_reminders")
def sweep_reminders() -> int:
    """Beat's periodic sweep: plan, recover, and hand out due reminders in batches."""
    due = reminders.sweep()
    size = settings.REMINDER_BATCH_SIZE
    for start in range(0, len(due), size):
        deliver_reminders.delay(due[start : start + size])
    return len(due)


@shared_task(name="workinggroups.jobs.deliver_reminders")
def deliver_reminders(reminder_ids: list[int]) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for reminder_id in reminder_ids:
        result = reminders.deliver(reminder_id)
        outcomes[result] = outcomes.get(result, 0) + 1
    return outcomes
