import pytest
from django.core.cache import cache

from forums.tlp import TLP
from tests.factories import TaskFactory, UserFactory, WorkingGroupMembershipFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The API's rate limits count in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recipient(db):
    """A member of a GREEN working group, named on its TLP:RED tasks."""
    return UserFactory.create(username="named-one")


@pytest.fixture
def group(recipient):
    membership = WorkingGroupMembershipFactory.create(person=recipient)
    return membership.working_group


@pytest.fixture
def red_task(group, recipient):
    task = TaskFactory.create(working_group=group, tlp=TLP.RED, title="Operation Kestrel")
    task.recipients.add(recipient)
    return task
