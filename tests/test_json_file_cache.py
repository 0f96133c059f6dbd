"""The demo's health cache on disk: JSON files, read back without pickle, expiring."""

import json
import time

import pytest

from config.json_file_cache import JSONFileCache


@pytest.fixture
def cache(tmp_path):
    return JSONFileCache(str(tmp_path), {})


def test_a_value_is_written_as_json_and_read_back(cache, tmp_path):
    cache.set("heartbeat", 1_790_000_000, timeout=None)

    (stored,) = tmp_path.glob("*.djcache")
    expiry, value = stored.read_bytes().split(b"\n")
    assert (json.loads(expiry), json.loads(value)) == (None, 1_790_000_000)
    assert cache.get("heartbeat") == 1_790_000_000


def test_an_expired_value_is_gone_and_its_file_removed(cache, tmp_path):
    cache.set("heartbeat", 1, timeout=60)
    stored = next(tmp_path.glob("*.djcache"))
    stored.write_bytes(json.dumps(time.time() - 1).encode() + b"\n1")

    assert cache.get("heartbeat", "missing") == "missing"
    assert not stored.exists()


def test_a_pickled_or_foreign_file_is_never_unpickled(cache, tmp_path):
    cache.set("heartbeat", 1, timeout=60)
    stored = next(tmp_path.glob("*.djcache"))
    stored.write_bytes(b"\x80\x04\x95pickle")

    assert cache.get("heartbeat", "missing") == "missing"


def test_touch_keeps_the_value_with_a_new_expiry(cache):
    cache.set("heartbeat", {"at": 5}, timeout=60)
    assert cache.touch("heartbeat", timeout=None)
    assert cache.get("heartbeat") == {"at": 5}
    assert not cache.touch("absent")
