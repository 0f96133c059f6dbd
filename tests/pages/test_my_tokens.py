"""API tokens on My settings and in the admin: listed, revoked, never shown again."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from forums.models import ApiToken
from forums.services import api_token_revoke
from tests.factories import UserFactory, api_token_for
from tests.second_factor import SignedInClient
from tests.test_admin import post_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:forums_apitoken_changelist")


def reads(key) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tasks/").status_code


@pytest.fixture
def person(db):
    return UserFactory.create(username="token-owner")


@pytest.fixture
def officer(db):
    user = UserFactory.create(username="token-officer", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def signed_in(user) -> Client:
    client = SignedInClient()
    client.force_login(user)
    return client


def test_my_settings_lists_my_live_tokens_by_name_and_not_their_keys(person):
    laptop = api_token_for(person, "laptop script")
    revoked = api_token_for(person, "old phone")
    api_token_revoke(actor=person, token=ApiToken.objects.get(name="old phone"))
    api_token_for(UserFactory.create(), "someone else's script")
    page = signed_in(person).get("/me/").content.decode()
    assert "laptop script" in page
    assert "old phone" not in page and "someone else" not in page
    assert laptop not in page and laptop[:15] not in page and revoked not in page


def test_revoking_my_token_on_my_settings_ends_it_and_records_who(person):
    laptop, cron = api_token_for(person, "laptop script"), api_token_for(person, "cron")
    token = ApiToken.objects.get(name="laptop script")
    client = signed_in(person)
    response = client.post(reverse("pages:token-revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "no longer works" in response.content.decode()
    assert (reads(laptop), reads(cron)) == (401, 200)
    token.refresh_from_db()
    assert (token.ended_by, token.ended_because) == (person, ApiToken.Ended.REVOKED)
    assert token.ended_at is not None


def test_another_persons_token_cannot_be_revoked_from_my_settings(person):
    other_key = api_token_for(UserFactory.create(), "theirs")
    token = ApiToken.objects.get(name="theirs")
    response = signed_in(person).post(reverse("pages:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert reads(other_key) == 200


def test_revoking_needs_a_post(person):
    api_token_for(person, "laptop script")
    token = ApiToken.objects.get()
    assert signed_in(person).get(reverse("pages:token-revoke", args=[token.pk])).status_code == 405


def test_the_secretariat_sees_everyones_tokens_without_their_keys_and_revokes_them(person, officer):
    key = api_token_for(person, "laptop script")
    token = ApiToken.objects.get()
    client = signed_in(officer)
    listing = client.get(CHANGELIST).content.decode()
    assert "laptop script" in listing and "token-owner" in listing
    assert key not in listing and token.digest not in listing
    detail = client.get(reverse("admin:forums_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert token.digest not in detail.content.decode()
    assert client.get(reverse("admin:forums_apitoken_add")).status_code == 403

    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert reads(key) == 401
    token.refresh_from_db()
    assert (token.ended_by, token.ended_because) == (officer, ApiToken.Ended.REVOKED)


def test_deactivating_an_account_in_the_admin_ends_its_tokens_for_good(person, officer):
    key = api_token_for(person, "laptop script")
    client = signed_in(officer)
    url = reverse("admin:auth_user_change", args=[person.pk])
    data = post_data(client.get(url))
    del data["is_active"]  # the box unticked
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert not person.is_active
    token = ApiToken.objects.get()
    assert (token.ended_by, token.ended_because) == (officer, ApiToken.Ended.DEACTIVATED)
    # Active again: the old token stays ended; a new sign-in gets a new one.
    person.is_active = True
    person.save()
    assert reads(key) == 401
