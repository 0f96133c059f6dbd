import pytest

from tests.factories import UserFactory


@pytest.fixture
def actor(db):
    """The secretariat officer whose name goes on history rows in service tests."""
    return UserFactory.create(username="officer")
