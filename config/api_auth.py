"""Sign-in for scripts (a token) and the answer to too many failed sign-ins.

Failed sign-ins are counted by django-axes in the database (so every web worker shares
the count), per account from one address and per address (config/lockout.py): after
AXES_FAILURE_LIMIT failures for an account from one address, or AXES_ADDRESS_FAILURE_LIMIT
from one address, that sign-in waits AXES_COOLOFF_TIME. With 5 and 3 minutes that is at
most 5 tries a minute and 100 an hour on one account from one address.
"""

import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.lockout import lock_ends_at
from forums import second_factor
from forums.api.base import StrictSerializer
from forums.dates import format_date
from forums.services import api_token_issue


def _lockout_message(ends_at, seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    local = timezone.localtime(ends_at)
    return ngettext(
        "Too many failed sign-ins for this account or from this address. "
        "Try again after %(time)s (%(zone)s), in %(minutes)d minute.",
        "Too many failed sign-ins for this account or from this address. "
        "Try again after %(time)s (%(zone)s), in %(minutes)d minutes.",
        minutes,
    ) % {"time": format_date(local, "long_time"), "zone": local.tzname(), "minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in gets: a 429 saying when the lock ends, JSON for the API."""
    now = timezone.now()
    # No lock found (it lifted between the check and this answer, or the request named
    # no account): a full cool-off is the most a next failure could cost.
    ends_at = lock_ends_at(request, credentials) or now + settings.AXES_COOLOFF_TIME
    seconds = max(1, math.ceil((ends_at - now).total_seconds()))
    message = _lockout_message(ends_at, seconds)
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"detail": message, "code": "too_many_attempts", "locked_until": ends_at.isoformat()}
        response = JsonResponse(body, status=429)
    else:
        context = {"message": message, "locked_until": ends_at}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        default="",
        help_text="The 6-digit code of the authenticator app, or a recovery code: required "
        "of the secretariat, of people named on a TLP:RED item, and of anyone who set one up.",
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=(
            "Which device or script the token is for, e.g. `laptop script` (default "
            "`API sign-in`). Signing in again with the same name ends that name's "
            "previous token."
        ),
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    name = serializers.CharField()
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class ObtainToken(APIView):
    """Exchange a username and password for a new token scripts send as `Token <token>`.

    Each sign-in issues its own token, expiring after API_TOKEN_TTL_DAYS. The token is
    shown in this answer only: Talanoa keeps its digest, so nobody can read it back.
    """

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []  # failed sign-ins are limited by django-axes instead

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(
                description="Missing fields, wrong username or password, or a missing or "
                "wrong second-factor code (`otp`)."
            ),
            429: OpenApiResponse(description="Too many failed sign-ins; see Retry-After."),
        },
        auth=[],
    )
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        code = credentials.validated_data.pop("otp")
        name = credentials.validated_data.pop("name", "")
        user = authenticate(request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request, credentials=credentials.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Wrong username or password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        second_factor.verify_for_token(user, code)
        token, key = api_token_issue(actor=user, user=user, name=name)
        # A sign-in like the admin's: django-axes clears the failures it counted
        # (AXES_RESET_ON_SUCCESS) and logs the access; Django records last_login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        issued = IssuedTokenSerializer({"token": key, "name": token.name, "expiry": token.expiry})
        return Response(issued.data)
