import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from forums.access import SECRETARIAT_GROUP
from tests.factories import UserFactory
from tests.second_factor import SignedInClient


def secretariat_officer(username: str = "officer"):
    """A secretariat officer: in the Secretariat group, who may record anything."""
    officer = UserFactory.create(username=username)
    officer.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return officer


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache outlives a test's transaction: the API's rate limits count in it, and
    people's standings are kept in it by id, which SQLite gives out again after a
    rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def actor(db):
    """The secretariat officer whose name goes on history rows in service tests."""
    return secretariat_officer()


@pytest.fixture
def client():
    """pytest-django's client, whose force_login also gives the second factor when the
    person needs one (tests/second_factor.py); tests of the second step itself pass
    `second_factor=False`."""
    return SignedInClient()
