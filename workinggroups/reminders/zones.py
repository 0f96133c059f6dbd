"""Whose clock a reminder follows: the recipient's zone, and their morning in it."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

UTC = datetime.UTC


def zone_of(person) -> ZoneInfo:
    """The person's IANA zone: their own, else their member's, else UTC."""
    profile = getattr(person, "profile", None)
    zone = profile.effective_time_zone if profile is not None else None
    return zone or ZoneInfo("UTC")


def send_time(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    """The recipient's morning on `day`, as an instant."""
    morning = datetime.time(settings.REMINDER_SEND_FROM_HOUR)
    return datetime.datetime.combine(day, morning, tzinfo=zone).astimezone(UTC)
