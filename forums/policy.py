"""Who may write what: the forums app's answers, and what every app's policy shares.

Each app's `policy.py` answers `may_…(actor, …)` questions (healthchecks'
`_get_rw_check_for_user` is the idea). The doors (API, pages, admin, CSV) ask them to show
a button or to answer 403; the services ask them again, with the acting user, so a new
door cannot skip the check. Reading is another question, answered by each model's
`visible_to()` (forums/access.py).

`actor` is the person writing. None is Talanoa itself (the data loaders), accepted only
inside `acting_as_talanoa()`: a door that forgot its user is refused, never let through.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from forums.access import audience_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

_talanoa_itself: ContextVar[bool] = ContextVar("talanoa_itself", default=False)


@contextmanager
def acting_as_talanoa() -> Iterator[None]:
    """Writes made inside are Talanoa's own (loading the record): history names nobody."""
    token = _talanoa_itself.set(True)
    try:
        yield
    finally:
        _talanoa_itself.reset(token)


def is_secretariat(actor: "User | None") -> bool:
    """The secretariat (its group, or a superuser), or Talanoa itself loading its record."""
    if actor is None:
        return _talanoa_itself.get()
    return audience_of(actor).is_secretariat


def require(allowed: bool, message: "StrOrPromise") -> None:
    """Refuse with `message` (a 403 at every door) unless the policy allowed it."""
    if not allowed:
        raise PermissionDenied(message)


def may_record_meetings(actor: "User | None") -> bool:
    """Forums, members, meetings, chairs, attendance and hostings: the secretariat's record."""
    return is_secretariat(actor)


def may_change_profile(actor: "User | None", person: "User") -> bool:
    """A person's own settings (language): theirs, or the secretariat's on their behalf."""
    return is_secretariat(actor) or (actor is not None and actor.pk == person.pk)


def may_issue_token(actor: "User | None", person: "User") -> bool:
    """A token is issued to the person who signed in, for themselves, while active."""
    return actor is not None and actor.pk == person.pk and person.is_active


def may_end_tokens(actor: "User | None", person: "User") -> bool:
    """A person's tokens: they end their own; the secretariat ends anyone's."""
    return is_secretariat(actor) or (actor is not None and actor.pk == person.pk)


def may_manage_second_factor(actor: "User | None", person: "User") -> bool:
    """A person manages their own second factor; the secretariat resets anyone's."""
    return actor is not None and (actor.pk == person.pk or is_secretariat(actor))
