"""The second factor's pages: give the code after the password, set it up, manage it.

The rules (who needs one, what a code proves, what is recorded) are in
forums/second_factor.py; pages/middleware.py sends people here.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from forums.second_factor import (
    enrolment_confirm,
    enrolment_start,
    recovery_codes_renew,
    second_factor_remove,
    standing_of,
    verify_code,
)
from pages.forms import SecondFactorCodeForm, SecondFactorEnrolForm, SecondFactorRemoveForm


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


def _mark_verified(request, device) -> None:
    # A new session key once the second factor is in: a key seen before it proves nothing.
    request.session.cycle_key()
    otp_login(request, device)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the code of the authenticator app, or a recovery code."""
    if not standing_of(request.user).enrolled:
        return redirect("pages:settings")
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        device = verify_code(person=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _mark_verified(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("Wrong or expired code. Wait a few seconds between tries."))
    return render(
        request, "pages/second_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: scan the code, type what it shows, keep the recovery codes."""
    if standing_of(request.user).enrolled:
        return redirect("pages:settings")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = enrolment_start(actor=request.user, person=request.user)
    form = SecondFactorEnrolForm(request.POST or None)
    if form.is_valid():
        try:
            codes = enrolment_confirm(
                actor=request.user,
                person=request.user,
                device=device,
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            device.refresh_from_db()
            _mark_verified(request, device)
            return _show_recovery_codes(request, codes)
    return render(request, "pages/second_factor_enrol.html", _enrol_context(request, device, form))


def _enrol_context(request, device: TOTPDevice, form) -> dict:
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return {
        "form": form,
        "next": _next_url(request),
        # Drawn here as SVG: no script, no image fetched from anywhere.
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": standing_of(request.user).required,
    }


def _show_recovery_codes(request, codes: list[str]):
    return render(
        request,
        "pages/second_factor_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@login_required
@require_POST
def renew_recovery_codes(request):
    codes = recovery_codes_renew(actor=request.user, person=request.user)
    return _show_recovery_codes(request, codes)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request):
    """Remove the second factor: the password and a code, not when a role needs one."""
    form = SecondFactorRemoveForm(request.POST or None)
    if form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("Wrong password."))
        else:
            try:
                second_factor_remove(
                    actor=request.user, person=request.user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your second factor is removed."))
                return redirect("pages:settings")
    return render(request, "pages/second_factor_remove.html", {"form": form})
