"""`/api/v1/outcomes/` with each outcome's implementation: its figures, within the reader's
visibility, and the `state`, `stalled` and `overdue` filters.

Dates are set from today, not fixed: the definitions compare with the clock (a due day
past, no update for 90 days, meetings held), and the API reads the real one.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import DateField, DateTimeField
from django.utils import timezone
from rest_framework.test import APIClient

from forums.compiled_once import BUILT_AT
from forums.models import ForumMembership
from forums.tlp import TLP
from tests.conftest import secretariat_officer
from tests.factories import (
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
)
from workinggroups.api.outcomes import page_queryset_with_figures
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
STATES = "no_work, not_started, under_way, ready, done, stalled"


class World:
    """One forum, a group set up a month ago reporting to a meeting a year ahead, and a
    document of GREEN outcomes; a delegate of the forum and a secretariat officer."""

    def __init__(self):
        self.group = WorkingGroupFactory.create(
            established_by=MeetingFactory.create(
                start_date=TODAY - datetime.timedelta(days=30),
                end_date=TODAY - datetime.timedelta(days=29),
            ),
            reports_to=None,
        )
        forum = self.group.established_by.forum
        self.group.reports_to = MeetingFactory.create(
            forum=forum,
            start_date=TODAY + datetime.timedelta(days=365),
            end_date=TODAY + datetime.timedelta(days=366),
        )
        self.group.save()
        self.document = OutcomeDocumentFactory.create(
            meeting=self.group.established_by, tlp=TLP.GREEN
        )
        self.delegate = UserFactory.create(username="delegate")
        ProfileFactory.create(user=self.delegate)
        ForumMembership.objects.create(forum=forum, member=self.delegate.profile.member)
        self.officer = secretariat_officer()

    def outcome(self, **fields):
        return OutcomeFactory.create(document=self.document, tlp=TLP.GREEN, **fields)

    def task(self, outcome, *, due_in_days: int = 300, **fields):
        made = TaskFactory.create(
            working_group=self.group,
            due_on=TODAY + datetime.timedelta(days=due_in_days),
            **fields,
        )
        made.outcomes.add(outcome)
        return made

    def client(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client


@pytest.fixture
def world():
    return World()


def read(client, **params) -> list[dict]:
    response = client.get("/api/v1/outcomes/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(client, **params) -> set[str]:
    return {row["citation_code"] for row in read(client, **params)}


def standing(client, outcome) -> dict:
    response = client.get(f"/api/v1/outcomes/{outcome.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["implementation"]


# --- the figures ---------------------------------------------------------------------------


def test_each_outcome_shows_its_implementation_in_the_list_and_the_detail(world):
    outcome = world.outcome()
    world.task(outcome, status=Task.Status.IN_PROGRESS, progress=20)
    world.task(outcome, status=Task.Status.READY, progress=60)
    world.task(outcome, status=Task.Status.WITHDRAWN)
    client = world.client(world.officer)

    (row,) = read(client, citation_code=outcome.citation_code)
    assert row["implementation"] == {
        "state": "under_way",
        "state_label": "Under way",
        "progress": 60,
        "work_open": 2,
        "work_total": 2,
        "work_stalled": 0,
        "last_moved_at": None,
        "counted_within_your_visibility": True,
    }
    assert standing(client, outcome) == row["implementation"]


def test_an_outcome_with_no_work_says_so_with_no_figure(world):
    outcome = world.outcome()
    assert standing(world.client(world.officer), outcome) == {
        "state": "no_work",
        "state_label": "No work assigned",
        "progress": None,
        "work_open": 0,
        "work_total": 0,
        "work_stalled": 0,
        "last_moved_at": None,
        "counted_within_your_visibility": True,
    }


def test_last_movement_is_the_newest_update_the_reader_may_read(world):
    outcome = world.outcome()
    work = world.task(outcome, status=Task.Status.IN_PROGRESS, tlp=TLP.GREEN)
    seen = TaskUpdate.objects.create(
        task=work, status_from="in_progress", status_to="in_progress", progress=10
    )
    TaskUpdate.objects.create(
        task=work, status_from="in_progress", status_to="in_progress", progress=20, tlp=TLP.RED
    )
    moved = standing(world.client(world.delegate), outcome)["last_moved_at"]
    assert moved == seen.created_at.isoformat().replace("+00:00", "Z")


def test_a_delegate_counts_less_than_the_secretariat_when_red_work_serves_it(world):
    outcome = world.outcome()
    world.task(outcome, status=Task.Status.RATIFIED, tlp=TLP.GREEN)
    secret = world.task(outcome, status=Task.Status.IN_PROGRESS, progress=40, tlp=TLP.RED)
    secret.recipients.add(world.officer)

    theirs = standing(world.client(world.delegate), outcome)
    ours = standing(world.client(world.officer), outcome)
    assert (theirs["work_total"], theirs["state"], theirs["progress"]) == (1, "done", 100)
    assert (ours["work_total"], ours["state"], ours["progress"]) == (2, "under_way", 70)
    assert theirs["counted_within_your_visibility"] is True
    # The delegate's lists agree with their figure: the outcome reads done to them.
    assert outcome.citation_code in codes(world.client(world.delegate), state="done")
    assert outcome.citation_code not in codes(world.client(world.officer), state="done")


def test_an_outcome_the_reader_may_not_see_is_404_with_its_implementation(world):
    hidden = OutcomeFactory.create(document=world.document, tlp=TLP.AMBER)
    world.task(hidden, status=Task.Status.RATIFIED, tlp=TLP.AMBER)
    delegate = world.client(world.delegate)
    assert delegate.get(f"/api/v1/outcomes/{hidden.pk}/").status_code == 404
    assert hidden.citation_code not in codes(delegate, state="done")
    assert hidden.citation_code in codes(world.client(world.officer), state="done")


# --- the filters -----------------------------------------------------------------------------


def test_state_takes_several_values(world):
    done, ready, idle = world.outcome(), world.outcome(), world.outcome()
    world.task(done, status=Task.Status.RATIFIED)
    world.task(ready, status=Task.Status.READY)
    client = world.client(world.officer)
    assert codes(client, state=["done", "ready"]) == {done.citation_code, ready.citation_code}
    assert codes(client, state="no_work") == {idle.citation_code}


def test_an_unknown_state_is_a_400_naming_the_allowed_ones(world):
    response = world.client(world.officer).get("/api/v1/outcomes/", {"state": ["done", "finished"]})
    assert response.status_code == 400
    assert response.json() == {"state": [f"finished is not one of: {STATES}."]}


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_stalled_and_overdue_take_true_or_false_only(world, value):
    client = world.client(world.officer)
    for name in ("stalled", "overdue"):
        response = client.get("/api/v1/outcomes/", {name: value})
        assert response.status_code == (200 if value == "" else 400), (name, value)


def test_stalled_and_overdue_select_outcomes_by_their_work(world):
    late, quiet, fine, idle = (world.outcome() for _ in range(4))
    world.task(late, due_in_days=-5, status=Task.Status.IN_PROGRESS)
    sleeping = world.task(quiet, status=Task.Status.IN_PROGRESS)
    Task.objects.filter(pk=sleeping.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=120)
    )
    world.task(fine, status=Task.Status.IN_PROGRESS)
    client = world.client(world.officer)

    assert codes(client, overdue="true") == {late.citation_code}
    assert codes(client, stalled="true") == {quiet.citation_code}
    assert codes(client, stalled="false") == {
        late.citation_code,
        fine.citation_code,
        idle.citation_code,
    }
    assert codes(client, overdue="false", stalled="false") == {
        fine.citation_code,
        idle.citation_code,
    }
    (row,) = read(client, stalled="true")
    assert (row["implementation"]["state"], row["implementation"]["work_stalled"]) == (
        "stalled",
        1,
    )


def test_the_filters_combine_with_the_forum_and_the_others(world):
    stalled = world.outcome()
    sleeping = world.task(stalled, status=Task.Status.NOT_STARTED)
    Task.objects.filter(pk=sleeping.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=120)
    )
    elsewhere = OutcomeFactory.create()  # another forum's
    TaskFactory.create(working_group=WorkingGroupFactory.create()).outcomes.add(elsewhere)
    client = world.client(world.officer)
    forum = world.group.established_by.forum_id
    assert codes(client, forum=forum, state="stalled") == {stalled.citation_code}
    assert codes(client, forum=forum, state="stalled", status="implemented") == set()
    assert elsewhere.citation_code in codes(client, state="not_started")
    assert elsewhere.citation_code not in codes(client, forum=forum)


def test_pages_of_a_filtered_list_follow_their_cursor(world):
    outcomes = [world.outcome() for _ in range(5)]
    for outcome in outcomes[:4]:
        world.task(outcome, status=Task.Status.RATIFIED)
    client = world.client(world.officer)
    for ordering in ("document", "-id"):
        response = client.get(
            "/api/v1/outcomes/", {"state": "done", "page_size": 1, "ordering": ordering}
        )
        seen = []
        while True:
            body = response.json()
            seen += [row["citation_code"] for row in body["results"]]
            if not body["next"]:
                break
            response = client.get(body["next"])
        assert sorted(seen) == sorted(o.citation_code for o in outcomes[:4]), ordering
        assert len(seen) == 4


def test_an_outcome_edit_answers_with_its_implementation(world):
    outcome = world.outcome()
    world.task(outcome, status=Task.Status.RATIFIED)
    client = world.client(world.officer)
    response = client.patch(
        f"/api/v1/outcomes/{outcome.pk}/",
        {"status": "implemented", "note": "Ratified at the meeting."},
        format="json",
        HTTP_IF_MATCH=outcome.etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "implemented"
    assert response.json()["implementation"]["state"] == "done"


def test_stalled_work_on_a_day_too_early_for_any_period_is_none(db):
    """A report asked "as of" year 1 once overflowed the date arithmetic (a 500)."""
    early = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
    assert list(Task.objects.stalled(AnonymousUser(), early)) == []


def test_the_kept_list_counts_stalled_work_as_of_each_request(world):
    """The list's query is built once per standing and kept (page_queryset_with_figures);
    its figures still read the time of each request, not the time it was built."""
    outcome = world.outcome()
    world.task(outcome, status=Task.Status.IN_PROGRESS)
    client = world.client(world.officer)
    assert standing(client, outcome)["work_stalled"] == 0

    with time_machine.travel(timezone.now() + datetime.timedelta(days=120), tick=False):
        assert standing(client, outcome)["work_stalled"] == 1
        (row,) = read(client, citation_code=outcome.citation_code)
        assert row["implementation"]["work_stalled"] == 1

    assert standing(client, outcome)["work_stalled"] == 0


def test_the_kept_figures_are_sent_with_the_time_the_day_and_the_month_of_the_request(db):
    """The stand-in instant of the kept query (BUILT_AT), and the day and month it gave,
    are each replaced in the parameters sent by the same reading of the current time."""
    reader = secretariat_officer()
    query = page_queryset_with_figures(reader).values("implementation_figures").query
    moment = datetime.datetime(
        2031, 7, 9, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-10))
    )
    with time_machine.travel(moment, tick=False):
        _sql, params = query.get_compiler("default").as_sql()

    prepared = {DateTimeField().get_db_prep_value(moment, connection)}
    days = {
        DateField().get_db_prep_value(day, connection)
        for day in (datetime.date(2031, 7, 10), datetime.date(2031, 7, 1))
    }
    stood_in = {BUILT_AT, BUILT_AT.date(), datetime.date(1001, 2, 1)}
    sent = set(params)
    assert prepared | days <= sent
    assert not sent & {
        DateTimeField().get_db_prep_value(BUILT_AT, connection),
        *(DateField().get_db_prep_value(day, connection) for day in stood_in - {BUILT_AT}),
    }
