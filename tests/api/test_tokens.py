"""API tokens: stored only as digests, expiring, one per named device, ended when the
owner's password changes (by any path) or the account is deactivated."""

import datetime
import importlib

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from forums.models import ApiToken
from forums.tokens import live_token_for_key
from tests.factories import UserFactory, api_token_for

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
NEW_PASSWORD = "a new and long enough passphrase"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def person(db):
    return UserFactory.create(username="token-person", email="token-person@example.org")


def sign_in(username=None, password=PASSWORD, **fields):
    body = {"username": username or "token-person", "password": password, **fields}
    return APIClient().post(TOKEN_URL, body, format="json", REMOTE_ADDR="192.0.2.10")


def reads(key) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tasks/").status_code


def test_the_database_holds_no_token_as_it_was_sent(person):
    response = sign_in(name="laptop script")
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert len(key) == 64  # 256 random bits, hex
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM forums_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored
    assert not [value for value in stored if key in value]
    assert reads(key) == 200


def test_a_token_is_named_and_expires_after_the_configured_days(person, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    before = timezone.now()
    body = sign_in(name="  laptop   script ").json()
    assert body["name"] == "laptop script"
    token = ApiToken.objects.get(user=person)
    assert token.name == "laptop script"
    assert before + datetime.timedelta(days=30) <= token.expiry
    assert token.expiry <= timezone.now() + datetime.timedelta(days=30)
    assert datetime.datetime.fromisoformat(body["expiry"]) == token.expiry


def test_the_default_lifetime_is_ninety_days(person):
    token = ApiToken.objects.get(pk=live_token_for_key(api_token_for(person)).pk)
    assert abs((token.expiry - token.created) - datetime.timedelta(days=90)).total_seconds() < 5


def test_an_expired_token_is_refused(person):
    key = api_token_for(person)
    ApiToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert reads(key) == 401


def test_each_device_has_its_own_token_and_signing_in_again_replaces_only_its_own(person):
    laptop = sign_in(name="laptop script").json()["token"]
    server = sign_in(name="server cron").json()["token"]
    assert reads(laptop) == reads(server) == 200
    laptop_again = sign_in(name="laptop script").json()["token"]
    assert laptop_again != laptop
    assert (reads(laptop), reads(laptop_again), reads(server)) == (401, 200, 200)
    replaced = ApiToken.objects.get(ended_at__isnull=False)
    assert (replaced.ended_because, replaced.ended_by) == (ApiToken.Ended.REPLACED, person)
    assert ApiToken.objects.filter(user=person, ended_at__isnull=True).count() == 2


def test_without_a_name_a_token_is_called_api_sign_in(person):
    assert sign_in().json()["name"] == "API sign-in"


@pytest.mark.parametrize("name", ["x" * 101, "nul\x00byte", ["laptop"]])
def test_a_bad_name_is_a_400_and_issues_nothing(person, name):
    response = sign_in(name=name)
    assert response.status_code == 400, response.content
    assert "name" in response.json()
    assert not ApiToken.objects.exists()


def test_authentication_reads_the_token_and_its_owner_in_one_query(person):
    key = api_token_for(person)
    with CaptureQueriesContext(connection) as queries:
        token = live_token_for_key(key)
    assert token is not None
    assert token.user.username == "token-person"  # already read
    assert len(queries) == 1


def test_changing_the_password_on_the_page_ends_the_tokens(person):
    key = api_token_for(person)
    client = Client()
    client.force_login(person)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert reads(key) == 401
    # A new sign-in, with the new password, gets a token that works.
    assert reads(sign_in(password=NEW_PASSWORD).json()["token"]) == 200


def test_a_password_reset_ends_the_tokens(person):
    key = api_token_for(person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    client = Client()
    form = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(person)}/")
    assert form.status_code == 302  # to the same page without the token in the URL
    response = client.post(
        form["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content
    assert reads(key) == 401


def test_a_password_set_anywhere_else_ends_the_tokens(person):
    """`changepassword`, the admin's form, a shell: all end in set_password and save."""
    key = api_token_for(person)
    person.set_password(NEW_PASSWORD)
    person.save()
    assert reads(key) == 401


def test_an_inactive_owners_token_is_refused(person):
    key = api_token_for(person)
    person.is_active = False
    person.save()
    assert reads(key) == 401


@pytest.mark.django_db(transaction=True)  # SQLite alters its schema outside a transaction
def test_the_old_drf_tokens_are_moved_hashed_and_keep_working(person):
    """forums/migrations/0006: the key in clear goes; a script holding it goes on."""
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.schema_editor() as editor:
        editor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
        )
        editor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [old_key, timezone.now(), person.pk],
        )
    migration = importlib.import_module("forums.migrations.0006_move_drf_tokens")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.move_tokens(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = live_token_for_key(old_key)
    assert token is not None
    assert (token.user, token.name) == (person, migration.NAME)
    assert old_key not in token.digest
    assert reads(old_key) == 200
