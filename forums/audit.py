"""Validated, attributed saves: the last step of every service that writes a model.

History rows (django-simple-history) are written by `save()` and carry the acting user.
Audited models are therefore never written with `QuerySet.update()`, `bulk_create()` or
raw SQL in this code base; `tests/test_audit.py` holds the code to that rule.
"""

from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


class Versioned(models.Model):
    """A row that people edit concurrently: `version` is its ETag and moves on every write."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    def version_seen_by(self, reader) -> int:
        """The version as `reader` may know it; a model with parts some readers may not
        read (a task's updates) counts only theirs, so its version tells nothing of them."""
        return self.version


AnyModel = TypeVar("AnyModel", bound=models.Model)
AnyVersioned = TypeVar("AnyVersioned", bound=Versioned)


class PreconditionFailed(Exception):
    """The client edited a version of the row that is no longer the current one."""

    def __init__(self, *, current_version: int):
        super().__init__(
            _("The record changed since you read it (now version %(version)s).")
            % {"version": current_version}
        )
        self.current_version = current_version


def lock_for_edit(
    queryset: "models.QuerySet[AnyVersioned]", *, pk, expected_version: int | None, reader=None
) -> AnyVersioned:
    """Lock the row and compare its version with the one the client saw, in the database.

    The row lock (SELECT … FOR UPDATE on PostgreSQL; an IMMEDIATE transaction on SQLite)
    makes check-and-write one step: of two clients holding the same ETag, the second
    waits for the first, then sees the new version and is refused.
    """
    instance = queryset.select_for_update(of=("self",)).get(pk=pk)
    refuse_if_changed(instance, expected_version=expected_version, reader=reader)
    return instance


def refuse_if_changed(
    instance: Versioned,
    *,
    expected_version: int | None,
    reader=None,
    seen_version: str | None = None,
) -> None:
    """PreconditionFailed unless `instance`, locked, is at the version the client saw
    (lock_for_edit's check, for a caller that asks something else between the two).
    `seen_version` names the annotation with which the row was read with the version as
    `reader` knows it, if it was: then that version needs no query of its own."""
    if expected_version is None:
        return
    # Compared as the editor (`reader`) knows the row: that is the version they were given.
    if seen_version is not None:
        current = getattr(instance, seen_version)
    else:
        current = instance.version_seen_by(reader)
    if current != expected_version:
        raise PreconditionFailed(current_version=current)


def attribute_change(instance: models.Model, *, actor, reason: str | None = None) -> None:
    """Name who makes the next write of `instance`, and why, on its history row.

    simple-history reads these two attributes (not fields) when it writes the row. The
    reason is always set: one left on the instance by an earlier save would be recorded
    again.
    """
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason or None  # type: ignore[attr-defined]


def save_validated(instance: AnyModel, *, actor, reason: str = "") -> AnyModel:
    """Validate `instance` against fields and constraints, then save it as `actor`."""
    instance.full_clean()
    if isinstance(instance, Versioned) and not instance._state.adding:
        # Read under a lock so that two writers never both claim the same next version.
        current = (
            type(instance)
            ._default_manager.select_for_update()
            .values_list("version", flat=True)
            .get(pk=instance.pk)
        )
        instance.version = current + 1
    attribute_change(instance, actor=actor, reason=reason)
    try:
        # A savepoint, so that losing a race on a unique constraint leaves the caller's
        # transaction usable and the user gets the same message as from full_clean().
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Saved at the same moment as a conflicting record: %(error)s")
                    % {"error": error}
                ]
            }
        ) from error
    return instance


def check_transition(*, transitions: dict, current: str, wanted: str, labels: dict) -> None:
    """Refuse a status move that the model's explicit map does not allow, naming the allowed."""
    if wanted not in labels:
        raise ValidationError(
            {"status": [_("“%(status)s” is not a status.") % {"status": wanted}]}, code="invalid"
        )
    allowed = transitions[current]
    if wanted in allowed:
        return
    names = ", ".join(str(labels[s]) for s in labels if s in allowed) or _("none: it is final")
    raise ValidationError(
        {
            "status": [
                _("Cannot move from “%(old)s” to “%(new)s”. Allowed from here: %(allowed)s.")
                % {"old": labels[current], "new": labels[wanted], "allowed": names}
            ]
        },
        code="illegal_transition",
    )
