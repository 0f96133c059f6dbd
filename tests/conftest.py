import pytest
from django.test import override_settings

from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _media_in_tmp(tmp_path_factory):
    """Files tests make (chair's reports) go to a folder of this run, never into var/media.

    One folder for the whole run: data loaded once per module (tests/api) keeps its files.
    """
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def actor(db):
    """The secretariat officer whose name goes on history rows in service tests."""
    return UserFactory(username="officer")
