"""Django's file cache with JSON for values: nothing read back from disk is unpickled.

The demo's (`make run`, no Redis) "health" cache: the worker writes the heartbeat, the
web server reads it, so it must be shared between processes, and Django's own file cache
would pickle it (CONVENTIONS.md: JSON only). A file is the expiry on its first line,
then the value, both JSON.
"""

import json
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class JSONFileCache(FileBasedCache):
    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(json.dumps(expiry).encode() + b"\n" + json.dumps(value).encode())
        file.truncate()

    def _is_expired(self, f):
        try:
            expiry = json.loads(f.readline())
        except ValueError:
            expiry = 0  # an empty or foreign file counts as expired
        if expiry is not None and expiry < time.time():
            f.close()
            self._delete(f.name)
            return True
        return False

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                if not self._is_expired(f):
                    return json.loads(f.read())
        except FileNotFoundError:
            pass
        return default

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    previous = json.loads(f.read())
                    f.seek(0)
                    self._write_content(f, timeout, previous)
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False
