"""Locks on failed sign-ins that one attacker cannot turn against everyone else.

django-axes records each failure as a row per (account name, address, user agent). Two
locks are read from those rows, each over the failures of the last AXES_COOLOFF_TIME:

- an account from one address, after AXES_FAILURE_LIMIT failures: a guesser is stopped,
  while the account's owner, elsewhere, still signs in;
- an address, whatever the accounts, after AXES_ADDRESS_FAILURE_LIMIT failures (4 times
  as many by default, as an office behind one address shares it): one address cannot
  try a few passwords on every account.

There is no lock on an account from everywhere: anyone could then lock anyone out. A
sign-in during a lock is refused and not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
LOCKOUT), so a lock ends at the time it announces.
"""

import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def recent_failures(request: HttpRequest, credentials: dict | None) -> tuple[QuerySet, QuerySet]:
    """The failures still counted: for this account from this address, and from it at all."""
    from_address = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    username = get_client_username(request, credentials)
    return from_address.filter(username=username), from_address


def _failure_count(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _limits(request: HttpRequest, credentials: dict | None) -> tuple[int, int]:
    return get_failure_limit(request, credentials), settings.AXES_ADDRESS_FAILURE_LIMIT


def _lock_end(attempts: QuerySet, limit: int, cool_off: datetime.timedelta):
    """When `attempts` fall below `limit`: the newest rows reaching it, aged out."""
    counted = 0
    rows = attempts.order_by("-attempt_time").values_list("attempt_time", "failures_since_start")
    for attempt_time, failures in rows:
        counted += failures
        if counted >= limit:
            return attempt_time + cool_off
    return None


def lock_ends_at(request: HttpRequest, credentials: dict | None) -> datetime.datetime | None:
    """When the lock on this sign-in ends, or None if it is not locked."""
    cool_off = get_cool_off(request)
    assert cool_off is not None  # AXES_COOLOFF_TIME is always set (config/settings/base.py)
    ends = [
        _lock_end(attempts, limit, cool_off)
        for attempts, limit in zip(
            recent_failures(request, credentials), _limits(request, credentials), strict=True
        )
    ]
    return max((end for end in ends if end is not None), default=None)


class AccountAndAddressLockout(AxesDatabaseHandler):
    """django-axes' database handler, with the two locks above (AXES_HANDLER)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT, everywhere it does.

        The account's failures from this address; a locked address counts as the full
        limit, since axes knows one limit only.
        """
        for_account, from_address = recent_failures(request, credentials)
        account_limit, address_limit = _limits(request, credentials)
        failures = _failure_count(for_account)
        if _failure_count(from_address) >= address_limit:
            return max(failures, account_limit)
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On success, clear the account's failures from this address only.

        Clearing the address's count too would let anyone with an account of their own
        reset it between rounds of guessing at others'.
        """
        count, _deleted = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            username=get_client_username(request, credentials),
        ).delete()
        return count
