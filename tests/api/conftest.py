import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The API's rate limits count in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()
