"""Token sign-in for scripts; apart from base.py because DRF imports authentication early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, refusing a key that no token can have before asking the database.

    A NUL byte in the key would make PostgreSQL fail the query (a 500) instead of
    finding no token (a 401).
    """

    def authenticate_credentials(self, key):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
