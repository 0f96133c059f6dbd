"""Signing tests in with the second factor, as a person who gave both steps would be.

Codes are computed with the real TOTP algorithm (django_otp.oath.TOTP) from the device's
key, as the person's authenticator app computes them.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from forums.second_factor import standing_of


def enrolled_device(user) -> TOTPDevice:
    """The person's confirmed authenticator, set up now if they had none."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test authenticator"}
    )
    user.__dict__.pop("_talanoa_second_factor", None)
    return device


def code_now(device: TOTPDevice) -> str:
    """The 6 digits the authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def verify_session(client: Client, user) -> None:
    """Mark the client's session as having given the second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
    session.save()


class SignedInClient(Client):
    """Django's test client whose `force_login` also gives the second factor when the
    person must: the pages and the admin are then what that person sees after both steps.
    `second_factor=False` leaves the session at the password step."""

    def force_login(self, user, backend=None, *, second_factor: bool = True):
        super().force_login(user, backend)
        # What the person needs may have changed since it was last asked (named on RED).
        user.__dict__.pop("_talanoa_second_factor", None)
        if second_factor and standing_of(user).must_verify:
            verify_session(self, user)
