"""Sign-in for scripts (a token) and the answer to too many failed sign-ins.

Failed sign-ins are counted by django-axes, per account and per address separately, in
the database (so every web worker shares the count): after AXES_FAILURE_LIMIT failures
the account, or the address, waits AXES_COOLOFF_TIME. With 5 and 3 minutes that is at
most 5 tries a minute and 100 an hour, the ceiling the API promises.
"""

import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from forums import second_factor
from forums.api.base import StrictSerializer


def _cool_off_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in gets: a 429 with the wait, as JSON for the API."""
    minutes = _cool_off_minutes()
    message = ngettext(
        "Too many failed sign-ins for this account or from this address. "
        "Wait %(minutes)d minute, then try again.",
        "Too many failed sign-ins for this account or from this address. "
        "Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}
    retry_after = str(minutes * 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "too_many_attempts"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
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


class ObtainToken(APIView):
    """Exchange a username and password for the token scripts send as `Token <token>`."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []  # failed sign-ins are limited by django-axes instead

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
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
        user = authenticate(request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Wrong username or password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        second_factor.verify_for_token(user, code)
        token, _created = Token.objects.get_or_create(user=user)
        # A sign-in like the admin's: django-axes clears the failures it counted
        # (AXES_RESET_ON_SUCCESS) and logs the access; Django records last_login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token.key})
