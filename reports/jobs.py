"""Celery jobs: a thin wrapper that takes an id and calls the service (idempotent)."""

from celery import shared_task
from django.conf import settings

from reports import services


@shared_task(
    name="reports.jobs.generate_report",
    time_limit=settings.REPORT_JOB_TIME_LIMIT,
    soft_time_limit=settings.REPORT_JOB_TIME_LIMIT - 60,
)
def generate_report(report_id: int) -> str:
    """Generate a queued chair's report; running it twice is harmless (the row is claimed)."""
    return services.report_run(report_id)
