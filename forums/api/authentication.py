"""Token sign-in for scripts; apart from base.py because DRF imports authentication early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from forums.tokens import live_token_for_key


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, checked against forums.ApiToken's digests.

    DRF's class parses the header (its scheme, spaces, bytes that are not text); the key
    is then looked up as django-rest-knox stores it, in one query that also reads the
    owner. `request.auth` is the token's row: its id names it without the key.
    """

    def authenticate_credentials(self, key):
        # A NUL byte in the key would make PostgreSQL fail the query (a 500) instead of
        # finding no token (a 401).
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = live_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return (token.user, token)


class UnknownSchemeRefused(authentication.BaseAuthentication):
    """Listed last: an `Authorization` header that no class above understood is a 401.

    Without it, `Authorization: Bearer …` or a mistyped `Tokn …` would be read as no
    sign-in at all, and a script would be answered with only the public rows instead of
    being told its credentials are wrong. A blank header is no credential: anonymous.
    """

    def authenticate(self, request):
        if authentication.get_authorization_header(request).strip():
            raise exceptions.AuthenticationFailed(
                _("Send `Authorization: Token <token>`; no other scheme is accepted.")
            )
        return None

    def authenticate_header(self, request):
        return "Token"
