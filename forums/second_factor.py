"""The second factor: a code from an authenticator app (TOTP), with ten recovery codes.

Who must have one: the secretariat, who see everything, and anyone named on a TLP:RED
item (an outcome, a task or an update naming them, or a seat on a RED working group).
Others may enrol; once they have, they are asked for a code too. TWO_FACTOR_REQUIRED=0
lifts the requirement (the demo only: `manage.py check --deploy` warns about it).

Devices and recovery codes are django-otp's (`otp_totp`, `otp_static`); django-otp
deletes a removed device and a used recovery code, so each enrolment, removal, reset and
recovery-code use is kept as a SecondFactorEvent. Wrong codes slow the device down
(django-otp's throttling doubles the wait after each failure).
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from forums.access import SECRETARIAT_GROUP
from forums.models import SecondFactorEvent
from forums.policy import is_secretariat, may_manage_second_factor, require
from forums.tlp import TLP

RECOVERY_CODE_COUNT = 10
# What an authenticator app shows; anything else is tried as a recovery code. Trying a
# recovery code against the TOTP device would count as a failure and slow it down.
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class Standing:
    required: bool  # their role or a TLP:RED item needs it, and enforcement is on
    enrolled: bool  # they have a confirmed authenticator

    @property
    def must_verify(self) -> bool:
        return self.required or self.enrolled


def standing_of(user) -> Standing:
    """Whether `user` must give a second code, asked in one query and kept on the user."""
    cached = getattr(user, "_talanoa_second_factor", None)
    if cached is not None:
        return cached
    user_model = get_user_model()
    person = OuterRef("pk")

    def named(lookup: str) -> Exists:
        return Exists(user_model.objects.filter(pk=person, **{lookup: TLP.RED}))

    # Working-group seats, reached from the user: forums does not import workinggroups.
    seats: Any = user_model._meta.get_field("wg_memberships").related_model
    red_seat = Exists(seats.objects.current().filter(person=person, working_group__tlp=TLP.RED))
    secretariat = Exists(user_model.objects.filter(pk=person, groups__name=SECRETARIAT_GROUP))
    needs = (
        Q(is_superuser=True)
        | Q(secretariat)
        | Q(named("red_outcomes__tlp"))
        | Q(named("red_tasks__tlp"))
        | Q(named("red_task_updates__tlp"))
        | Q(red_seat)
    )
    needed, enrolled = (
        user_model.objects.filter(pk=user.pk)
        .annotate(
            needed=Exists(user_model.objects.filter(needs, pk=person)),
            enrolled=Exists(TOTPDevice.objects.filter(user=person, confirmed=True)),
        )
        .values_list("needed", "enrolled")
        .get()
    )
    standing = Standing(required=needed and settings.TWO_FACTOR_REQUIRED, enrolled=enrolled)
    user._talanoa_second_factor = standing
    return standing


def _record(person, kind: str, actor) -> None:
    SecondFactorEvent.objects.create(person=person, kind=kind, actor=actor)


def verify_code(*, person, code: str) -> Device | None:
    """The device that accepts `code` (the app's 6 digits, or an unused recovery code)."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    with transaction.atomic():
        if _TOTP_CODE.match(code):
            devices = TOTPDevice.objects.devices_for_user(person, confirmed=True)
        else:
            devices = StaticDevice.objects.devices_for_user(person, confirmed=True)
        for device in devices.select_for_update():
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    _record(person, SecondFactorEvent.Kind.RECOVERY_CODE_USED, person)
                return device
    return None


def verify_for_token(user, code: str) -> None:
    """Before an API token is issued: the code, if the person has or needs a second factor."""
    standing = standing_of(user)
    if not standing.must_verify:
        return
    if not standing.enrolled:
        raise ValidationError(
            {"otp": [_("Your account needs a second factor: set it up on My settings first.")]}
        )
    if not code:
        raise ValidationError(
            {"otp": [_("Give the 6-digit code of your authenticator app, or a recovery code.")]}
        )
    if verify_code(person=user, code=code) is None:
        raise ValidationError({"otp": [_("Wrong or expired code.")]})


def enrolment_start(*, actor, person) -> TOTPDevice:
    """A new authenticator key, unconfirmed until a code from it is given."""
    require(may_manage_second_factor(actor, person), _("You may not set this up."))
    if standing_of(person).enrolled:
        raise ValidationError(_("A second factor is already set up: remove it first."))
    TOTPDevice.objects.filter(user=person, confirmed=False).delete()
    return TOTPDevice.objects.create(user=person, name="authenticator", confirmed=False)


def enrolment_confirm(*, actor, person, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it; the recovery codes, shown once."""
    require(may_manage_second_factor(actor, person), _("You may not set this up."))
    code = "".join(code.split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=person)
        if device.confirmed or not _TOTP_CODE.match(code) or not device.verify_token(code):
            raise ValidationError(
                {"code": [_("Wrong code: type the 6 digits your app shows now.")]}
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(person)
        _record(person, SecondFactorEvent.Kind.ENROLLED, actor)
    person.__dict__.pop("_talanoa_second_factor", None)
    return codes


def recovery_codes_renew(*, actor, person) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    require(may_manage_second_factor(actor, person), _("You may not do this."))
    with transaction.atomic():
        codes = _new_recovery_codes(person)
        _record(person, SecondFactorEvent.Kind.RECOVERY_CODES_RENEWED, actor)
    return codes


def _new_recovery_codes(person) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=person, name="recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_remove(*, actor, person, code: str) -> None:
    """Its owner removes their second factor, proving it with a code; not when required."""
    require(may_manage_second_factor(actor, person), _("You may not do this."))
    if standing_of(person).required:
        raise ValidationError(
            _("Your role needs a second factor. If you lost it, ask the secretariat to reset it.")
        )
    if verify_code(person=person, code=code) is None:
        raise ValidationError({"code": [_("Wrong or expired code.")]})
    _delete_devices(person, SecondFactorEvent.Kind.REMOVED, actor)


def second_factor_reset(*, actor, person) -> None:
    """The secretariat removes a person's second factor (a lost phone); they enrol again."""
    require(is_secretariat(actor), _("Only the secretariat resets a second factor."))
    _delete_devices(person, SecondFactorEvent.Kind.RESET, actor)


def _delete_devices(person, kind: str, actor) -> None:
    # A session verified by a deleted device is no longer verified (django-otp looks the
    # device up on every request), so the person is asked again everywhere.
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        _record(person, kind, actor)
    person.__dict__.pop("_talanoa_second_factor", None)
