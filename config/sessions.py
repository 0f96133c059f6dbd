"""Sessions in the database (Django's store), refusing keys Django never hands out.

Django checks only that a session key has 8 characters or more before looking it up;
a cookie such as `sessionid="\\000\\000…"` (legal on the wire: Django unquotes octal
escapes) reaches PostgreSQL with NUL bytes, which fails the query: a 500 on every
page. Keys Django makes are lowercase letters and digits; anything else is no session.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and set(key) <= _VALID
