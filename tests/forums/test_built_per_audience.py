"""The task and outcome lists build their TLP-filtered queryset once per standing in each
process (forums.access.built_per_audience) and hand out clones: what a reader is shown
still follows their standing of the moment, and one reader's filters never reach another."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

import forums.access
from forums.access import audience_of, built_per_audience
from forums.compiled_once import CompiledOnce
from forums.tlp import TLP
from outcomes.api import outcome_list
from tests.conftest import secretariat_officer
from tests.factories import (
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.api import task_list
from workinggroups.api.outcomes import page_queryset_with_figures
from workinggroups.api.views import tasks_shown_to
from workinggroups.models import Task
from workinggroups.services import _outcome_links_read_by

KEPT_BUILDERS = (
    task_list.page_queryset,
    outcome_list.page_queryset,
    tasks_shown_to,
    _outcome_links_read_by,
    page_queryset_with_figures,
)


@pytest.fixture(autouse=True)
def nothing_kept():
    """Each test starts with nothing kept (ids repeat from one test to the next)."""
    for builder in KEPT_BUILDERS:
        builder.kept.clear()


def client_of(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(person)}")
    return client


def listed(client, path="/api/v1/tasks/") -> list[int]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_one_standing_is_built_once_and_each_request_gets_its_own_clone(db):
    built = []

    @built_per_audience
    def tasks_of(user):
        built.append(user.pk)
        return Task.objects.visible_to(user)

    person = UserFactory.create()
    first, second = tasks_of(person), tasks_of(person)

    assert built == [person.pk]
    assert first is not second and first.query is not second.query
    filtered = str(first.filter(title="x").query)
    assert str(second.query) != filtered
    assert str(tasks_of(person).query) == str(second.query)


def test_a_changed_standing_is_a_new_entry_and_the_next_list_shows_it(db):
    group = WorkingGroupFactory.create()
    amber = TaskFactory.create(working_group=group, tlp=TLP.AMBER)
    person = UserFactory.create()
    client = client_of(person)
    assert amber.pk not in listed(client)
    assert client.get(f"/api/v1/tasks/{amber.pk}/").status_code == 404

    WorkingGroupMembershipFactory.create(working_group=group, person=person)

    assert amber.pk in listed(client)
    assert client.get(f"/api/v1/tasks/{amber.pk}/").status_code == 200
    assert len(task_list.page_queryset.kept) == 2


def test_two_readers_of_one_standing_never_share_a_reader_s_own_rows(db):
    """The standing holds the person (RED recipients are named by id): two people with
    the same seats are two entries, and a RED task reaches its recipient only."""
    group = WorkingGroupFactory.create(tlp=TLP.GREEN)
    named, other = UserFactory.create(), UserFactory.create()
    for person in (named, other):
        WorkingGroupMembershipFactory.create(working_group=group, person=person)
    red = TaskFactory.create(working_group=group, tlp=TLP.RED)
    red.recipients.add(named)

    assert red.pk in listed(client_of(named))
    assert red.pk not in listed(client_of(other))
    assert audience_of(named) != audience_of(other)


def test_the_outcome_list_keeps_its_queryset_per_standing_too(db):
    person = UserFactory.create()
    client = client_of(person)
    listed(client, "/api/v1/outcomes/")
    listed(client, "/api/v1/outcomes/")
    # The API's outcomes carry their implementation figures (workinggroups.api.outcomes).
    assert list(page_queryset_with_figures.kept) == [audience_of(person)]


def test_the_oldest_standings_go_beyond_the_bound(db, monkeypatch):
    monkeypatch.setattr(forums.access, "KEPT_AUDIENCES", 2)

    @built_per_audience
    def tasks_of(user):
        return Task.objects.visible_to(user)

    people = UserFactory.create_batch(3)
    for person in people:
        tasks_of(person)
    tasks_of(people[1])

    assert [audience.user_id for audience in tasks_of.kept] == [people[2].pk, people[1].pk]


def test_a_kept_queryset_compiles_its_rule_once_and_afresh_under_other_aliases(db):
    """compiled_once: the same SQL from the first compilation on; used as another query's
    subquery (its tables relabelled), it compiles again and still finds the same rows."""
    group = WorkingGroupFactory.create(tlp=TLP.AMBER)
    person = UserFactory.create()
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    mine, hidden = TaskFactory.create(working_group=group), TaskFactory.create(tlp=TLP.AMBER)

    kept = task_list.page_queryset(person)
    (rule,) = kept.query.where.children
    assert isinstance(rule, CompiledOnce)
    str(kept.query)
    # The next clone's SQL is the kept compilation, not a new one.
    ((key, (sql, params, clock)),) = rule.compiled.items()
    assert clock == ()
    rule.compiled[key] = (f"/* kept */ {sql}", params, clock)
    assert "/* kept */" in str(task_list.page_queryset(person).query)
    rule.compiled[key] = (sql, params, clock)

    inside = Task.objects.filter(pk__in=task_list.page_queryset(person).values("pk"))
    assert set(inside.values_list("pk", flat=True)) == {mine.pk}
    assert hidden.pk not in set(inside.values_list("pk", flat=True))
    assert set(kept.values_list("pk", flat=True)) == set(
        Task.objects.visible_to(person).values_list("pk", flat=True)
    )


def test_a_list_filtered_by_some_filters_answers_as_with_all_of_them(db):
    """The FilterSet is narrowed to the filters named; a bad value is still a 400."""
    group = WorkingGroupFactory.create(tlp=TLP.CLEAR)
    person = UserFactory.create()
    WorkingGroupMembershipFactory.create(working_group=group, person=person)
    done = TaskFactory.create(working_group=group, tlp=TLP.CLEAR, status="ratified")
    open_ = TaskFactory.create(working_group=group, tlp=TLP.CLEAR, status="in_progress")
    client = client_of(person)

    assert listed(client, f"/api/v1/tasks/?working_group={group.pk}&open=true") == [open_.pk]
    assert listed(client, "/api/v1/tasks/?status=ratified&mine=true") == [done.pk]
    response = client.get("/api/v1/tasks/?due_before=tomorrow&mine=true")
    assert response.status_code == 400
    assert set(response.json()) == {"due_before"}


def test_on_postgresql_a_kept_part_is_sent_with_its_parameters_written_in_and_quoted(db):
    """With parameters bound on the server, a kept part's own parameters are written into
    its SQL as quoted literals (so that PostgreSQL may plan the statement once): a quote
    or a percent sign in one changes nothing of what is found."""
    if connection.vendor != "postgresql":
        pytest.skip("parameters are bound on the server on PostgreSQL: DATABASE_URL=postgres://…")
    odd = "50% done, it's 'ready'; --"
    found = TaskFactory.create(title=odd, tlp=TLP.CLEAR)
    TaskFactory.create(title="50", tlp=TLP.CLEAR)

    @built_per_audience
    def titled(user):
        return Task.objects.visible_to(user).filter(title=odd)

    person = secretariat_officer()
    assert list(titled(person).values_list("pk", flat=True)) == [found.pk]
    (rule,) = titled(person).query.where.children
    ((sql, params, _clock),) = rule.compiled.values()
    assert "'50%% done, it''s ''ready''; --'" in sql
    assert odd not in params
    assert list(titled(person).filter(pk__gte=0).values_list("pk", flat=True)) == [found.pk]
