"""Each role sees exactly what TLP allows it: in lists, details, nested fields, counts,
filters and search.

One forum ("VIS") holds outcomes, tasks and task updates labelled RED (named to one
person), AMBER, GREEN and CLEAR; every one of them carries a distinctive word in the text
a client reads and searches (its title, text, note, even its outcome number, hence its
citation code). A second forum ("FAR") holds GREEN items that nobody of VIS may see. A
leak anywhere (a list, a page, a detail, a nested code, a link, a count, a filter, a
search) shows as a word, or an id, in a response of someone not cleared for it.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.models import Chair, ForumMembership, Member
from forums.tlp import TLP
from outcomes.models import OutcomeLink
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.models import Task, WorkingGroupMembership
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "no_group",  # signed in, represents nobody, sits on no group
    "delegate",  # represents an agency of a member state of VIS
    "recipient",  # a delegate of VIS named as recipient of the RED items
    "member",  # member of working group A of VIS
    "lead",  # lead of working group A of VIS
    "chair",  # chairs a meeting of VIS, sits on no group
    "secretariat",
)
EVERYONE = frozenset(ROLES)
GREEN_VIS = frozenset({"delegate", "recipient", "member", "lead", "chair", "secretariat"})
AMBER_A = frozenset({"member", "lead", "chair", "secretariat"})  # group A, VIS's outcomes
AMBER_B = frozenset({"chair", "secretariat"})  # group B's own work: not group A's people
RED = frozenset({"recipient", "secretariat"})
SECRETARIAT = frozenset({"secretariat"})

# The distinctive words, and who may read each one anywhere in the API.
WORDS = {
    "clearheron": EVERYONE,
    "openlagoon": EVERYONE,  # CLEAR, of the other forum
    "greenkestrel": GREEN_VIS,
    "ambermongoose": AMBER_A,
    "amberotter": AMBER_B,
    "zebracrimson": RED,
    "foreignpelican": SECRETARIAT,  # GREEN, of the other forum
    "vaultwalrus": SECRETARIAT,  # a TLP:RED document is the secretariat's alone
}

LISTS = {
    "outcomes": "/api/v1/outcomes/",
    "tasks": "/api/v1/tasks/",
    "working-groups": "/api/v1/working-groups/",
    "outcome-documents": "/api/v1/outcome-documents/",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Request throttling counts in the cache, across tests: start each test at zero."""
    cache.clear()
    yield
    cache.clear()


class Planted:
    def __init__(self, obj, audience: frozenset, word: str, label: TLP):
        self.obj, self.audience, self.word, self.label = obj, audience, word, label

    @property
    def pk(self) -> int:
        return self.obj.pk


class World:
    def __init__(self):
        self.plan: dict[str, dict[int, Planted]] = {name: {} for name in LISTS}
        self.updates: dict[int, Planted] = {}  # task updates, by id

        vis = ForumFactory.create(acronym="VIS", name="Visibility forum")
        state = MemberFactory.create(name="Vis State")
        agency = MemberFactory.create(
            name="Vis State Police", kind=Member.Kind.AGENCY, parent=state
        )
        ForumMembership.objects.create(forum=vis, member=state, role="member")
        m1 = MeetingFactory.create(forum=vis, sequence=1)
        m2 = MeetingFactory.create(
            forum=vis,
            sequence=2,
            start_date=datetime.date(2028, 8, 23),
            end_date=datetime.date(2028, 8, 24),
        )
        self.vis, self.meeting = vis, m1

        self.users = {
            "no_group": UserFactory.create(username="vis-nobody"),
            "delegate": ProfileFactory.create(user__username="vis-delegate", member=agency).user,
            "recipient": ProfileFactory.create(user__username="vis-recipient", member=state).user,
            "member": UserFactory.create(username="vis-member"),
            "lead": UserFactory.create(username="vis-lead"),
            "chair": UserFactory.create(username="vis-chair"),
            "secretariat": UserFactory.create(username="vis-officer"),
        }
        officer = self.users["secretariat"]
        officer.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        Chair.objects.create(meeting=m1, member=state, person=self.users["chair"])
        recipient = self.users["recipient"]

        # --- outcome documents and outcomes of VIS -------------------------------------
        d1 = self._document(m1, "VIS/1", "clearheron statement", TLP.CLEAR, EVERYONE)
        self.o_clear = self._outcome(d1, "clearheron", TLP.CLEAR, EVERYONE)
        self.o_green = self._outcome(d1, "greenkestrel", TLP.GREEN, GREEN_VIS)
        self.o_amber = self._outcome(d1, "ambermongoose", TLP.AMBER, AMBER_A)
        self.o_red = self._outcome(d1, "zebracrimson", TLP.RED, RED, recipients=[recipient])
        self.d1 = d1
        d_amber = self._document(m1, "VIS/1-AP", "ambermongoose annex", TLP.AMBER, AMBER_A)
        self._outcome(d_amber, "1", TLP.AMBER, AMBER_A, word="ambermongoose")
        d_red = self._document(m1, "VIS/1-RX", "vaultwalrus record", TLP.RED, SECRETARIAT)
        self._outcome(d_red, "1", TLP.RED, SECRETARIAT, word="vaultwalrus", recipients=[recipient])

        # Links both ways between the CLEAR outcome and every other label.
        for kind, target in (
            (OutcomeLink.Kind.REAFFIRMS, self.o_green),
            (OutcomeLink.Kind.IMPLEMENTS, self.o_amber),
            (OutcomeLink.Kind.PURSUANT_TO, self.o_red),
        ):
            OutcomeLink.objects.create(source=self.o_clear, kind=kind, target_outcome=target)
            OutcomeLink.objects.create(source=target, kind=kind, target_outcome=self.o_clear)

        # --- working groups, tasks and updates of VIS ------------------------------------
        self.group_a = self._group(
            "clearheron working group", m1, m2, TLP.CLEAR, EVERYONE, establishing=self.o_amber
        )
        WorkingGroupMembershipFactory.create(
            working_group=self.group_a, person=self.users["member"]
        )
        WorkingGroupMembershipFactory.create(
            working_group=self.group_a,
            person=self.users["lead"],
            role=WorkingGroupMembership.Role.LEAD,
        )
        self.group_b = self._group("greenkestrel working group", m1, m2, TLP.GREEN, GREEN_VIS)
        WorkingGroupMembershipFactory.create(
            working_group=self.group_b,
            person=UserFactory.create(username="vis-b-lead"),
            role=WorkingGroupMembership.Role.LEAD,
        )

        a = self.group_a
        self.t_clear = self._task(a, "clearheron survey", TLP.CLEAR, EVERYONE)
        self.t_clear.outcomes.set([self.o_clear, self.o_green, self.o_amber, self.o_red])
        self.t_green = self._task(a, "greenkestrel drafting", TLP.GREEN, GREEN_VIS)
        self.t_green.outcomes.set([self.o_green, self.o_amber])
        self.t_amber = self._task(a, "ambermongoose review", TLP.AMBER, AMBER_A)
        self.t_amber.outcomes.set([self.o_amber])
        self.t_red = self._task(a, "zebracrimson operation", TLP.RED, RED, recipients=[recipient])
        self.t_red.outcomes.set([self.o_red])
        self._task(self.group_b, "greenkestrel second draft", TLP.GREEN, GREEN_VIS)
        self._task(self.group_b, "amberotter assessment", TLP.AMBER, AMBER_B)

        # The CLEAR task's updates, oldest to newest: each role's latest is another one.
        self._update(self.t_clear, "clearheron progress", TLP.CLEAR, EVERYONE)
        self._update(self.t_clear, "greenkestrel progress", TLP.GREEN, GREEN_VIS)
        self._update(
            self.t_clear, "ambermongoose progress", TLP.AMBER, AMBER_A, status="in_progress"
        )
        self._update(self.t_clear, "zebracrimson progress", TLP.RED, RED, recipients=[recipient])
        self._update(self.t_green, "greenkestrel kickoff", TLP.GREEN, GREEN_VIS)
        self._update(self.t_green, "ambermongoose caveat", TLP.AMBER, AMBER_A)
        self._update(self.t_amber, "ambermongoose started", TLP.AMBER, AMBER_A)

        # --- the other forum: its GREEN is no business of VIS's people --------------------
        far = ForumFactory.create(acronym="FAR", name="Faraway forum")
        n1 = MeetingFactory.create(forum=far, sequence=1)
        n2 = MeetingFactory.create(
            forum=far,
            sequence=2,
            start_date=datetime.date(2028, 8, 23),
            end_date=datetime.date(2028, 8, 24),
        )
        d_far = self._document(n1, "FAR/1", "openlagoon statement", TLP.CLEAR, EVERYONE)
        self._outcome(d_far, "openlagoon", TLP.CLEAR, EVERYONE)
        far_green = self._outcome(d_far, "foreignpelican", TLP.GREEN, SECRETARIAT)
        OutcomeLink.objects.create(
            source=far_green, kind=OutcomeLink.Kind.REAFFIRMS, target_outcome=self.o_clear
        )
        group_far = self._group("foreignpelican group", n1, n2, TLP.GREEN, SECRETARIAT)
        task_far = self._task(group_far, "foreignpelican patrols", TLP.GREEN, SECRETARIAT)
        task_far.outcomes.set([far_green, self.o_clear])
        self._update(task_far, "foreignpelican news", TLP.GREEN, SECRETARIAT)

        self.tokens = {role: api_token_for(user) for role, user in self.users.items()}

    # --- planting ---------------------------------------------------------------------

    def _document(self, meeting, code, title, label, audience):
        document = OutcomeDocumentFactory.create(meeting=meeting, code=code, title=title, tlp=label)
        self.plan["outcome-documents"][document.pk] = Planted(
            document, audience, title.split()[0], label
        )
        return document

    def _outcome(self, document, number, label, audience, *, word=None, recipients=()):
        word = word or number
        position = document.outcomes.count() + 1
        outcome = OutcomeFactory.create(
            document=document,
            number=number,
            position=position,
            text=f"The meeting agreed the {word} measures.",
            tlp=label,
        )
        outcome.recipients.set(recipients)
        self.plan["outcomes"][outcome.pk] = Planted(outcome, audience, word, label)
        return outcome

    def _group(self, name, established_by, reports_to, label, audience, *, establishing=None):
        group = WorkingGroupFactory.create(
            name=name,
            established_by=established_by,
            reports_to=reports_to,
            establishing_outcome=establishing,
            mandate="Progress the outcomes for the next meeting.",
            tlp=label,
        )
        self.plan["working-groups"][group.pk] = Planted(group, audience, name.split()[0], label)
        return group

    def _task(self, group, title, label, audience, *, recipients=()):
        task = TaskFactory.create(working_group=group, title=title, tlp=label)
        task.recipients.set(recipients)
        self.plan["tasks"][task.pk] = Planted(task, audience, title.split()[0], label)
        return task

    def _update(self, task, note, label, audience, *, recipients=(), status=None):
        update = task_update_status(
            actor=self.users["secretariat"], task=task, note=note, tlp=label, status=status
        )
        update.recipients.set(recipients)
        self.updates[update.pk] = Planted(update, audience, note.split()[0], label)
        return update

    # --- reading ----------------------------------------------------------------------

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client

    def visible(self, resource: str, role: str) -> set[int]:
        return {pk for pk, item in self.plan[resource].items() if role in item.audience}

    def code(self, outcome) -> str:
        return outcome.citation_code


@pytest.fixture
def world():
    return World()


def read_all(client: APIClient, path: str, params=None) -> list[dict]:
    """Every row of a list, page after page (two rows a page: paging is exercised too)."""
    response = client.get(path, {"page_size": 2, **(params or {})})
    assert response.status_code == 200, response.content
    rows, seen_pages = [], 0
    while True:
        body = response.json()
        rows.extend(body["results"])
        seen_pages += 1
        assert seen_pages < 50, "paging does not end"
        if not body.get("next"):
            break
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), f"{path}: a row repeated across pages"
    return rows


def words_in(data) -> set[str]:
    text = json.dumps(data).lower()
    return {word for word in WORDS if word in text}


def allowed_words(role: str) -> set[str]:
    return {word for word, audience in WORDS.items() if role in audience}


def assert_no_leak(role: str, data, where: str) -> None:
    leaked = words_in(data) - allowed_words(role)
    assert not leaked, f"{role} reads {sorted(leaked)} in {where}"


# --- lists, all pages --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_exactly_what_the_role_may_see(world, role):
    client = world.client(role)
    everything = []
    for resource, path in LISTS.items():
        rows = read_all(client, path)
        assert {row["id"] for row in rows} == world.visible(resource, role), resource
        assert_no_leak(role, rows, path)
        everything.append(rows)
    updates = read_all(client, f"/api/v1/tasks/{world.t_clear.pk}/updates/")
    assert {row["id"] for row in updates} == {
        pk
        for pk, item in world.updates.items()
        if item.obj.task_id == world.t_clear.pk and role in item.audience
    }
    assert_no_leak(role, updates, "the CLEAR task's updates")
    everything.append(updates)
    # The plan is not vacuous: each word the role may read is somewhere in what it reads.
    assert words_in(everything) == allowed_words(role)


# --- details ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_details_answer_404_for_what_the_role_may_not_see(world, role):
    client = world.client(role)
    for resource, path in LISTS.items():
        for pk, item in world.plan[resource].items():
            response = client.get(f"{path}{pk}/")
            if role in item.audience:
                assert response.status_code == 200, (resource, item.word, response.content)
                assert_no_leak(role, response.json(), f"{path}{pk}/")
            else:
                assert response.status_code == 404, (resource, item.word)
                assert words_in(response.json()) == set()
    for pk, item in world.plan["tasks"].items():
        response = client.get(f"/api/v1/tasks/{pk}/updates/")
        assert response.status_code == (200 if role in item.audience else 404), item.word
        if response.status_code == 200:
            assert_no_leak(role, response.json(), f"updates of task {pk}")


# --- nested fields ----------------------------------------------------------------------


def _expected_codes(world, role, outcomes) -> set[str]:
    return {o.citation_code for o in outcomes if role in world.plan["outcomes"][o.pk].audience}


@pytest.mark.parametrize("role", ROLES)
def test_task_outcome_codes_and_latest_update_are_cut_to_the_role(world, role):
    client = world.client(role)
    task = client.get(f"/api/v1/tasks/{world.t_clear.pk}/").json()
    served = [world.o_clear, world.o_green, world.o_amber, world.o_red]
    assert {o["citation_code"] for o in task["outcomes"]} == _expected_codes(world, role, served)
    latest = {
        "anonymous": "clearheron progress",
        "no_group": "clearheron progress",
        "delegate": "greenkestrel progress",
        "recipient": "zebracrimson progress",
        "member": "ambermongoose progress",
        "lead": "ambermongoose progress",
        "chair": "ambermongoose progress",
        "secretariat": "zebracrimson progress",
    }[role]
    assert task["latest_update"]["note"] == latest
    # The same in the list, where the nested rows are prefetched rather than fetched.
    (listed,) = [row for row in read_all(client, "/api/v1/tasks/") if row["id"] == task["id"]]
    assert listed["outcomes"] == task["outcomes"]
    assert listed["latest_update"] == task["latest_update"]


@pytest.mark.parametrize("role", ROLES)
def test_outcome_links_show_only_visible_far_ends(world, role):
    body = world.client(role).get(f"/api/v1/outcomes/{world.o_clear.pk}/").json()
    linked = [world.o_green, world.o_amber, world.o_red]
    expected = _expected_codes(world, role, linked)
    assert {link["target_outcome"]["citation_code"] for link in body["links_out"]} == expected
    # Links in: the VIS outcomes that link back, and FAR's GREEN outcome (secretariat only).
    far_green = next(
        item.obj for item in world.plan["outcomes"].values() if item.word == "foreignpelican"
    )
    expected_in = _expected_codes(world, role, [*linked, far_green])
    assert {link["source"]["citation_code"] for link in body["links_in"]} == expected_in
    assert_no_leak(role, body, "the CLEAR outcome's links")


@pytest.mark.parametrize("role", ROLES)
def test_working_group_establishing_outcome_only_if_visible(world, role):
    body = world.client(role).get(f"/api/v1/working-groups/{world.group_a.pk}/").json()
    expected = world.o_amber.citation_code if role in AMBER_A else None
    assert body["establishing_outcome"] == expected


# --- counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_counts_count_only_what_the_role_may_see(world, role):
    client = world.client(role)
    for group in read_all(client, "/api/v1/working-groups/"):
        expected = dict.fromkeys(Task.Status.values, 0)
        for item in world.plan["tasks"].values():
            task = Task.objects.get(pk=item.pk)
            if task.working_group_id == group["id"] and role in item.audience:
                expected[task.status] += 1
        assert group["task_counts"] == expected, group["name"]
    for document in read_all(client, "/api/v1/outcome-documents/"):
        expected = sum(
            1
            for item in world.plan["outcomes"].values()
            if item.obj.document_id == document["id"] and role in item.audience
        )
        assert document["outcome_count"] == expected, document["title"]


def test_counts_differ_between_roles(world):
    """The count test above is not vacuous: the planted group counts differently per role."""
    totals = {
        role: sum(
            next(
                g["task_counts"]
                for g in read_all(world.client(role), "/api/v1/working-groups/")
                if g["id"] == world.group_a.pk
            ).values()
        )
        for role in ("anonymous", "delegate", "recipient", "member", "secretariat")
    }
    assert totals == {"anonymous": 1, "delegate": 2, "recipient": 3, "member": 3, "secretariat": 4}


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_tlp_filter_finds_nothing_beyond_clearance(world, role):
    client = world.client(role)
    for resource, path in LISTS.items():
        for label in TLP:
            rows = read_all(client, path, {"tlp": label.name.lower()})
            expected = {
                pk
                for pk, item in world.plan[resource].items()
                if item.label == label and role in item.audience
            }
            assert {row["id"] for row in rows} == expected, (resource, label.name)


@pytest.mark.parametrize("role", ROLES)
def test_filters_by_an_invisible_outcome_or_document_reveal_nothing(world, role):
    client = world.client(role)
    served_by = {
        outcome_pk: set(Task.objects.filter(outcomes=outcome_pk).values_list("pk", flat=True))
        for outcome_pk in world.plan["outcomes"]
    }
    visible_tasks = world.visible("tasks", role)
    visible_outcomes = world.visible("outcomes", role)
    for outcome_pk, item in world.plan["outcomes"].items():
        expected = (
            served_by[outcome_pk] & visible_tasks if outcome_pk in visible_outcomes else set()
        )
        by_id = read_all(client, "/api/v1/tasks/", {"outcome": outcome_pk})
        assert {row["id"] for row in by_id} == expected, ("outcome", item.word)
        code = item.obj.citation_code
        by_code = read_all(client, "/api/v1/tasks/", {"outcome_code": code})
        assert {row["id"] for row in by_code} == expected, ("outcome_code", code)
        # Outcomes that link to it: none, if it is not the role's to see.
        sources = set(
            OutcomeLink.objects.filter(target_outcome=outcome_pk).values_list("source", flat=True)
        )
        expected_sources = sources & visible_outcomes if outcome_pk in visible_outcomes else set()
        linking = read_all(client, "/api/v1/outcomes/", {"links_to": outcome_pk})
        assert {row["id"] for row in linking} == expected_sources, ("links_to", item.word)
    for document_pk, item in world.plan["outcome-documents"].items():
        serving = set()
        for outcome_pk, outcome in world.plan["outcomes"].items():
            if outcome.obj.document_id == document_pk and outcome_pk in visible_outcomes:
                serving |= served_by[outcome_pk]
        rows = read_all(client, "/api/v1/tasks/", {"document": document_pk})
        assert {row["id"] for row in rows} == serving & visible_tasks, ("document", item.word)
        outcomes = read_all(client, "/api/v1/outcomes/", {"document": document_pk})
        assert {row["id"] for row in outcomes} == {
            pk
            for pk in visible_outcomes
            if world.plan["outcomes"][pk].obj.document_id == document_pk
        }


def test_a_delegate_filtering_by_red_and_amber_gets_nothing(world):
    """The brief's example, spelled out: the filters above in the delegate's words."""
    delegate = world.client("delegate")
    for path in ("/api/v1/outcomes/", "/api/v1/tasks/"):
        assert read_all(delegate, path, {"tlp": "red"}) == []
        assert read_all(delegate, path, {"tlp": "amber"}) == []
    assert read_all(delegate, "/api/v1/tasks/", {"outcome": world.o_amber.pk}) == []
    assert read_all(delegate, "/api/v1/outcomes/", {"links_to": world.o_red.pk}) == []
    # While the lead, for the same AMBER outcome, finds the three tasks serving it.
    lead_rows = read_all(world.client("lead"), "/api/v1/tasks/", {"outcome": world.o_amber.pk})
    assert {row["id"] for row in lead_rows} == {
        world.t_clear.pk,
        world.t_green.pk,
        world.t_amber.pk,
    }


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_what_the_role_may_see(world, role):
    client = world.client(role)
    for word in WORDS:
        for resource, path in LISTS.items():
            rows = read_all(client, path, {"search": word})
            expected = {
                pk
                for pk, item in world.plan[resource].items()
                if item.word == word and role in item.audience
            }
            assert {row["id"] for row in rows} == expected, (resource, word)
            assert_no_leak(role, rows, f"{path}?search={word}")


def test_searching_a_red_word_finds_it_only_for_the_recipient_and_the_secretariat(world):
    found = {
        role: bool(read_all(world.client(role), "/api/v1/tasks/", {"search": "zebracrimson"}))
        for role in ROLES
    }
    assert {role for role, hit in found.items() if hit} == {"recipient", "secretariat"}


# --- RED: names, not ranks --------------------------------------------------------------


def test_a_chair_reads_red_only_when_named(world):
    chair = world.client("chair")
    url = f"/api/v1/outcomes/{world.o_red.pk}/"
    assert chair.get(url).status_code == 404
    world.o_red.recipients.add(world.users["chair"])
    assert chair.get(url).status_code == 200
    # Named on the outcome only: the RED task and update stay closed to them.
    assert chair.get(f"/api/v1/tasks/{world.t_red.pk}/").status_code == 404
    notes = [u["note"] for u in read_all(chair, f"/api/v1/tasks/{world.t_clear.pk}/updates/")]
    assert "zebracrimson progress" not in notes


# --- a child is never more open than its parent -----------------------------------------


def test_raising_a_working_groups_label_closes_its_more_open_tasks(world):
    delegate, anonymous = world.client("delegate"), world.client("anonymous")
    before = {row["id"] for row in read_all(delegate, "/api/v1/tasks/")}
    assert {world.t_clear.pk, world.t_green.pk} <= before

    world.group_a.tlp = TLP.AMBER  # the tasks keep their CLEAR and GREEN labels
    world.group_a.save()

    after = {row["id"] for row in read_all(delegate, "/api/v1/tasks/")}
    assert after == before - {world.t_clear.pk, world.t_green.pk}
    for task in (world.t_clear, world.t_green):
        assert delegate.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
        assert delegate.get(f"/api/v1/tasks/{task.pk}/updates/").status_code == 404
    assert delegate.get(f"/api/v1/working-groups/{world.group_a.pk}/").status_code == 404
    assert read_all(delegate, "/api/v1/tasks/", {"search": "clearheron"}) == []
    assert read_all(delegate, "/api/v1/tasks/", {"outcome": world.o_clear.pk}) == []
    assert read_all(anonymous, "/api/v1/tasks/") == []
    assert read_all(anonymous, "/api/v1/working-groups/") == []
    # Named on the RED task but not in the (now AMBER) group: closed too.
    recipient = world.client("recipient")
    assert recipient.get(f"/api/v1/tasks/{world.t_red.pk}/").status_code == 404
    # The group's own people still see all of its work.
    member_rows = {row["id"] for row in read_all(world.client("member"), "/api/v1/tasks/")}
    assert {world.t_clear.pk, world.t_green.pk, world.t_amber.pk} <= member_rows


def test_raising_a_tasks_label_closes_its_more_open_updates(world):
    delegate = world.client("delegate")
    notes = [u["note"] for u in read_all(delegate, f"/api/v1/tasks/{world.t_green.pk}/updates/")]
    assert notes == ["greenkestrel kickoff"]

    task = Task.objects.get(pk=world.t_green.pk)  # its GREEN update keeps its label
    task.tlp = TLP.AMBER
    task.save()

    assert delegate.get(f"/api/v1/tasks/{world.t_green.pk}/updates/").status_code == 404
    member = world.client("member")
    notes = [u["note"] for u in read_all(member, f"/api/v1/tasks/{world.t_green.pk}/updates/")]
    assert notes == ["ambermongoose caveat", "greenkestrel kickoff"]


def test_raising_a_documents_label_closes_its_outcomes_everywhere(world):
    world.d1.tlp = TLP.AMBER  # its outcomes keep their CLEAR and GREEN labels
    world.d1.save()
    delegate, anonymous = world.client("delegate"), world.client("anonymous")

    for client in (delegate, anonymous):
        codes = {row["citation_code"] for row in read_all(client, "/api/v1/outcomes/")}
        assert not codes & {world.o_clear.citation_code, world.o_green.citation_code}
        assert client.get(f"/api/v1/outcomes/{world.o_clear.pk}/").status_code == 404
        assert read_all(client, "/api/v1/tasks/", {"outcome": world.o_clear.pk}) == []
        assert read_all(client, "/api/v1/outcomes/", {"search": "clearheron"}) == []
    # The CLEAR task stays visible, but no longer cites the closed outcomes.
    task = delegate.get(f"/api/v1/tasks/{world.t_clear.pk}/").json()
    assert task["outcomes"] == []
    documents = {row["id"] for row in read_all(delegate, "/api/v1/outcome-documents/")}
    assert world.d1.pk not in documents
    # The forum's AMBER readers keep them.
    chair = world.client("chair")
    assert chair.get(f"/api/v1/outcomes/{world.o_clear.pk}/").status_code == 200
