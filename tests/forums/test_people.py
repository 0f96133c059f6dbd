import pytest
from django.contrib.auth import get_user_model

from forums.models import Member, Profile
from forums.people import person_label

pytestmark = pytest.mark.django_db


def test_a_person_is_named_with_their_agency_and_its_state():
    tonga = Member.objects.create(
        name="Kingdom of Tonga", short_name="Tonga", kind="state", country="TO"
    )
    police = Member.objects.create(name="Tonga Police", kind="agency", parent=tonga)
    person = get_user_model().objects.create(
        username="sione", first_name="Sione", last_name="Fifita"
    )
    Profile.objects.create(user=person, member=police)
    assert person_label(person) == "Sione Fifita (Tonga Police, Tonga)"


def test_a_person_without_a_seat_is_their_name_or_login():
    person = get_user_model().objects.create(username="guest")
    assert person_label(person) == "guest"
