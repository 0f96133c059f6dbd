"""The second factor: who needs it, what a code proves, and every door that asks for it.

Codes come from the real TOTP algorithm with the device's key (tests/second_factor.py).
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from forums.models import SecondFactorEvent
from forums.second_factor import (
    RECOVERY_CODE_COUNT,
    enrolment_confirm,
    enrolment_start,
    second_factor_remove,
    second_factor_reset,
    standing_of,
    verify_code,
)
from forums.tlp import TLP
from tests.conftest import secretariat_officer
from tests.factories import (
    OutcomeFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from tests.second_factor import SignedInClient, code_now, enrolled_device

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def enrol(person) -> list[str]:
    """Set up an authenticator through the service, as the enrolment page does."""
    device = enrolment_start(actor=person, person=person)
    return enrolment_confirm(actor=person, person=person, device=device, code=code_now(device))


def _in(*, seconds: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)


def fresh(user):
    user.__dict__.pop("_talanoa_second_factor", None)
    return user


# --- who needs it ------------------------------------------------------------------------


def test_the_secretariat_needs_a_second_factor():
    assert standing_of(secretariat_officer()).required


def test_a_recipient_of_a_red_task_needs_one_and_a_member_without_red_does_not():
    group = WorkingGroupFactory.create(tlp=TLP.GREEN)
    named, other = UserFactory.create(), UserFactory.create()
    for person in (named, other):
        WorkingGroupMembershipFactory.create(working_group=group, person=person)
    red = TaskFactory.create(working_group=group, tlp=TLP.RED)
    red.recipients.add(named)
    assert standing_of(named).required
    assert not standing_of(other).required


def test_a_recipient_of_a_red_outcome_and_a_seat_on_a_red_group_need_one():
    outcome_reader, red_member = UserFactory.create(), UserFactory.create()
    OutcomeFactory.create(tlp=TLP.RED).recipients.add(outcome_reader)
    WorkingGroupMembershipFactory.create(
        working_group=WorkingGroupFactory.create(tlp=TLP.RED), person=red_member
    )
    assert standing_of(outcome_reader).required
    assert standing_of(red_member).required


def test_being_named_on_an_item_no_longer_red_asks_nothing():
    person = UserFactory.create()
    OutcomeFactory.create(tlp=TLP.AMBER).recipients.add(person)
    assert not standing_of(person).must_verify


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_with_enforcement_off_the_secretariat_is_not_required_but_an_enrolled_person_is_asked():
    officer = secretariat_officer()
    assert not standing_of(officer).required
    enrol(fresh(officer))
    assert standing_of(fresh(officer)).must_verify


# --- codes ---------------------------------------------------------------------------------


def test_enrolment_gives_ten_recovery_codes_each_usable_once_and_records_it():
    person = UserFactory.create()
    codes = enrol(person)
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert verify_code(person=person, code=codes[0]) is not None
    assert verify_code(person=person, code=f" {codes[1].upper()} ") is not None
    assert verify_code(person=person, code=codes[0]) is None
    kinds = list(SecondFactorEvent.objects.filter(person=person).values_list("kind", flat=True))
    assert sorted(kinds) == ["enrolled", "recovery_used", "recovery_used"]


def test_enrolment_refuses_a_wrong_code_and_stays_unconfirmed():
    person = UserFactory.create()
    device = enrolment_start(actor=person, person=person)
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError):
        enrolment_confirm(actor=person, person=person, device=device, code=wrong)
    assert not standing_of(fresh(person)).enrolled
    assert not SecondFactorEvent.objects.exists()


def test_a_code_is_accepted_once_and_an_old_one_is_refused():
    person = UserFactory.create()
    enrol(person)
    device = enrolled_device(person)
    with time_machine.travel(datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC), tick=False):
        code = code_now(device)
        # enrol() used the present's code; the device only takes a later one.
        device.refresh_from_db()
        device.last_t = 0
        device.save()
        assert verify_code(person=person, code=code) is not None
        assert verify_code(person=person, code=code) is None  # replayed
    with time_machine.travel(datetime.datetime(2030, 1, 1, 12, 10, tzinfo=datetime.UTC)):
        device.refresh_from_db()
        device.throttling_failure_count = 0
        device.save()
        assert verify_code(person=person, code=code) is None  # ten minutes old


def test_a_required_person_cannot_remove_it_and_an_optional_one_can_with_a_code():
    officer = secretariat_officer()
    enrol(officer)
    with pytest.raises(ValidationError):
        second_factor_remove(actor=officer, person=fresh(officer), code="000000")
    person = UserFactory.create()
    codes = enrol(person)
    second_factor_remove(actor=person, person=fresh(person), code=codes[0])
    assert not standing_of(fresh(person)).enrolled
    assert SecondFactorEvent.objects.filter(person=person, kind="removed", actor=person).exists()


def test_only_the_secretariat_resets_someone_elses_and_it_is_recorded():
    person, stranger, officer = UserFactory.create(), UserFactory.create(), secretariat_officer()
    enrol(person)
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=stranger, person=person)
    second_factor_reset(actor=officer, person=person)
    assert not standing_of(fresh(person)).enrolled
    event = SecondFactorEvent.objects.get(person=person, kind="reset")
    assert event.actor == officer


# --- the admin -------------------------------------------------------------------------------


def test_the_secretariat_cannot_reach_the_admin_without_the_second_factor():
    officer = secretariat_officer()
    officer.is_staff = True
    officer.save()
    client = SignedInClient()
    client.force_login(officer, second_factor=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/me/second-factor/set-up/?next=%2Fadmin%2F")
    enrol(fresh(officer))
    response = client.get("/admin/forums/forum/")
    assert response["Location"].startswith("/me/second-factor/?next=")
    client.force_login(fresh(officer))
    assert client.get("/admin/forums/forum/").status_code == 200


def test_the_session_api_refuses_the_secretariat_at_the_password_step():
    client = APIClient()
    client.force_login(secretariat_officer())
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_the_admin_action_resets_a_persons_second_factor():
    officer, person = secretariat_officer(), UserFactory.create(username="lost-phone")
    officer.is_staff = True
    officer.save()
    enrol(person)
    client = SignedInClient()
    client.force_login(officer)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert not standing_of(fresh(person)).enrolled
    assert SecondFactorEvent.objects.filter(person=person, kind="reset", actor=officer).exists()


# --- the token endpoint ----------------------------------------------------------------------


def ask_token(username: str, **extra):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def test_the_token_endpoint_refuses_without_the_code_and_accepts_with_it():
    officer = secretariat_officer("token-officer")
    enrol(officer)
    refused = ask_token("token-officer")
    assert refused.status_code == 400
    assert "otp" in refused.json()
    assert ask_token("token-officer", otp="000000").status_code == 400
    # The next 30-second step: the step enrolment used is spent, and the wrong code's
    # slow-down (1 second) is over.
    with time_machine.travel(_in(seconds=31)):
        accepted = ask_token("token-officer", otp=code_now(enrolled_device(officer)))
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["token"]


def test_the_token_endpoint_sends_a_required_person_without_one_to_enrol():
    secretariat_officer("token-unenrolled")
    response = ask_token("token-unenrolled")
    assert response.status_code == 400
    assert "My settings" in response.json()["otp"][0]


def test_a_recovery_code_gets_a_token_once():
    person = UserFactory.create(username="token-recovery")
    codes = enrol(person)
    assert ask_token("token-recovery", otp=codes[0]).status_code == 200
    assert ask_token("token-recovery", otp=codes[0]).status_code == 400


def test_a_member_without_red_gets_a_token_with_the_password_alone():
    UserFactory.create(username="token-plain")
    assert ask_token("token-plain").status_code == 200


# --- production cannot turn it off silently ------------------------------------------------


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_the_deploy_check_warns_when_enforcement_is_off(capsys):
    call_command("check", "--deploy", "--tag", "security")
    assert "talanoa.W001" in capsys.readouterr().err
