"""A person's standing kept in the shared cache between requests (forums/access.py).

Every request of a signed-in person needs their standing; computing it is a query. It is
kept in the "default" cache (Redis in production, shared by every web process and
worker) under the current *generation*: a random value that `standing_changed()`
replaces whenever anything a standing is computed from is written, so that every entry
kept before is ignored from then on. Replacing one value rather than deleting the
entries of the people concerned keeps the rule in one place: no write has to work out
whose standing it changes (a member's new state changes that of everyone representing
its agencies).

The audited models a standing is read from are only ever written through `save()` and
`delete()` (forums/audit.py), so their signals see every write; the receivers are
connected in each app's `ready()`. The generation is replaced at once, which covers the
writing process's own reads, and again when the transaction commits: a reader in another
process may have read the rows as they were before the commit and kept them under the
generation of the moment, which the second replacement retires.

Seats end on a day (`left_on`) without any write, so an entry is also only good for the
day, in UTC, on which it was computed, as `seat_current_on()` counts days.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypedDict

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

GENERATION_KEY = "standing:generation"
# Entries die at the day's end anyway; this only bounds what an idle person leaves behind.
ENTRY_TIMEOUT = int(timedelta(days=1).total_seconds())


class Standing(TypedDict):
    """A standing as it is kept: JSON (the cache allows no pickle). forums/access.py
    makes it and reads it into an Audience."""

    secretariat: bool
    green: list[int]
    chaired: list[int]
    groups: list[int]
    led: list[int]
    group_forums: list[int]


# Moves when Standing's keys do, so that a deployment never reads an entry of the old shape.
STANDING_SHAPE = 1


def _entry_key(user_id: int) -> str:
    return f"standing:{STANDING_SHAPE}:{user_id}"


def _new_generation() -> str:
    generation = secrets.token_hex(8)
    cache.set(GENERATION_KEY, generation, timeout=None)
    return generation


def _current_generation() -> str:
    """The generation, set if the cache lost it (a restart, an eviction): any new value
    is as good, as no entry kept under a value that never was current can match it."""
    cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    return cache.get(GENERATION_KEY)


def standing_changed(*, using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Something a standing is computed from was written: every kept standing is stale.

    A signal receiver for post_save, post_delete and m2m_changed, and the one function
    any other write of those rows must call.
    """
    _new_generation()
    transaction.on_commit(_new_generation, using=using)


def kept_standing(user_id: int, compute: Callable[[], Standing]) -> Standing:
    """The person's standing from the cache, or `compute()`d and kept: one cache read."""
    key = _entry_key(user_id)
    day = timezone.now().date().isoformat()
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or _current_generation()
    entry = found.get(key)
    if entry is not None and entry["generation"] == generation and entry["day"] == day:
        return entry["standing"]
    standing = compute()
    cache.set(
        key,
        {"generation": generation, "day": day, "standing": standing},
        timeout=ENTRY_TIMEOUT,
    )
    return standing


def _membership_changed(*, action: str, using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    if action.startswith("post_"):
        standing_changed(using=using)


def invalidate_standing_on_writes(*sources: type[models.Model]) -> None:
    """Connect `standing_changed` to every save and delete of these models."""
    for model in sources:
        post_save.connect(standing_changed, sender=model, dispatch_uid=f"standing-{model}")
        post_delete.connect(standing_changed, sender=model, dispatch_uid=f"standing-{model}")


def invalidate_standing_on_membership(through: type[models.Model]) -> None:
    """Connect `standing_changed` to adding and removing rows of a many-to-many."""
    m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"standing-{through}")
