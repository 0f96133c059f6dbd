"""API tokens: what binds one to its owner's password, and how a sent key finds its row.

The rows are forums.ApiToken (django-rest-knox's digest and key prefix); the writes that
issue and end them are in forums/services.py.
"""

import datetime
from hmac import compare_digest
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from forums.models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_SEAL_SALT = "forums.tokens.password_seal"


def password_seal(password_hash: str, secret: str | None = None) -> str:
    """A keyed fingerprint of the stored password hash: it changes when the password does."""
    return salted_hmac(_SEAL_SALT, password_hash, secret=secret, algorithm="sha256").hexdigest()


def password_unchanged(token: ApiToken, user: "User") -> bool:
    """Is the owner's password the one they had when `token` was issued?

    Keys in SECRET_KEY_FALLBACKS are tried too, so that rotating SECRET_KEY the documented
    way does not end every token at once.
    """
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        compare_digest(token.password_seal, password_seal(user.password, secret))
        for secret in secrets
    )


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def live_token_for_key(key: str) -> ApiToken | None:
    """The live token `key` is, with its owner, in one query; None if there is none.

    Live: not ended, not expired, its owner active and with the same password. The row
    is found by the key's indexed prefix and confirmed by comparing digests in constant
    time, so a near guess learns nothing from the timing.
    """
    candidates = ApiToken.objects.select_related("user").filter(
        token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
        ended_at__isnull=True,
        expiry__gt=timezone.now(),
    )
    digest = hash_token(key)
    for token in candidates:
        if compare_digest(digest, token.digest):
            user = token.user
            if user.is_active and password_unchanged(token, user):
                return token
            return None
    return None


def live_tokens_of(user: "User") -> list[ApiToken]:
    """The tokens that still sign `user` in, newest first (what My settings lists)."""
    tokens = user.api_tokens.filter(ended_at__isnull=True, expiry__gt=timezone.now())
    return [token for token in tokens if password_unchanged(token, user)]
