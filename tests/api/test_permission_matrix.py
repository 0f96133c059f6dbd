"""Every role, every endpoint, every method, with the status each one must get.

The endpoints come from the URL configuration (everything under /api/v1/), not from a
list kept here: an endpoint added without a row in EXPECTED fails ("endpoint X has no
expectations"), and a row whose endpoint is gone fails too. Path ids are those of a
small planted data set, chosen so that each status reflects the role, not an accident:
the task and the outcome are TLP:GREEN (a delegate sees them, so a refusal is a 403,
not a 404), and edits carry the current ETag (so a refusal is not a 412 or a 428).
"""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from forums.access import SECRETARIAT_GROUP
from forums.audit import Versioned
from forums.models import Chair, ForumMembership
from forums.tlp import TLP
from outcomes.models import Outcome
from reports.models import ChairSummary
from reports.services import chair_summary_save, report_generate
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
from workinggroups.models import Task, TaskUpdate, WorkingGroupMembership
from workinggroups.services import task_update_status

API_PREFIX = "api/v1/"
API_NAMESPACE = "api"
ROLES = ("anonymous", "no_group", "delegate", "member", "lead", "chair", "secretariat")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PASSWORD = "matrix horse battery staple"


# --- the endpoints, from the URL configuration --------------------------------------------


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, namespace, entry


def _parameters(pattern) -> tuple[str, ...]:
    regex = getattr(pattern, "regex", None)
    names = set(regex.groupindex) if regex is not None else set()
    names |= set(getattr(pattern, "converters", {}))
    return tuple(sorted(names))


def api_endpoints() -> list[tuple[str, tuple[str, ...]]]:
    """(URL name, path parameters) of every route under /api/v1/, in URL-conf order.

    A route with a `format` parameter (`/tasks.json`) is the same view as its plain
    twin, named alike; it is listed as its own endpoint, `<name>.<format>`, so that a
    suffix route cannot answer differently from the plain one unnoticed.
    """
    found = []
    for route, namespace, entry in _walk(get_resolver()):
        if not route.lstrip("^").startswith(API_PREFIX):
            continue
        assert namespace == API_NAMESPACE and entry.name, f"unnamed API route {route!r}"
        parameters = _parameters(entry.pattern)
        name = entry.name + (".format" if "format" in parameters else "")
        if (name, parameters) not in found:
            found.append((name, parameters))
    return found


ENDPOINTS = api_endpoints()


# --- what each role must get --------------------------------------------------------------

#           anonymous  no_group  delegate  member  lead  chair  secretariat
Codes = tuple[int, ...]
ALL_200: Codes = (200, 200, 200, 200, 200, 200, 200)
ALL_405: Codes = (405, 405, 405, 405, 405, 405, 405)
# A GREEN object: the delegate, the group and the chair see it; others are told "not found".
SEEN_AT_GREEN: Codes = (404, 404, 200, 200, 200, 200, 200)
# Methods a resource does not have: 405 for everyone, signed in or not (with `Allow`).
READ_ONLY: dict[str, Codes] = {
    "GET": ALL_200,
    "POST": ALL_405,
    "PUT": ALL_405,
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}

EXPECTED: dict[str, dict[str, tuple[int, ...]]] = {
    "api-root": READ_ONLY,
    "api-root.format": READ_ONLY,
    "token": {
        "GET": ALL_405,
        # Valid credentials (the planted script user's) get a token whoever else asks.
        "POST": ALL_200,
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
    "schema": READ_ONLY,
    "docs": READ_ONLY,
    "forum-list": READ_ONLY,
    "forum-list.format": READ_ONLY,
    "forum-detail": READ_ONLY,
    "forum-detail.format": READ_ONLY,
    "member-list": READ_ONLY,
    "member-list.format": READ_ONLY,
    "member-detail": READ_ONLY,
    "member-detail.format": READ_ONLY,
    "meeting-list": READ_ONLY,
    "meeting-list.format": READ_ONLY,
    "meeting-detail": READ_ONLY,
    "meeting-detail.format": READ_ONLY,
    "outcomedocument-list": READ_ONLY,
    "outcomedocument-list.format": READ_ONLY,
    # The planted document is TLP:CLEAR.
    "outcomedocument-detail": READ_ONLY,
    "outcomedocument-detail.format": READ_ONLY,
    # The statement import: the secretariat's (the matrix's body is a preview: nothing saved).
    "outcomedocument-import": {
        "GET": ALL_405,
        "POST": (401, 403, 403, 403, 403, 403, 200),
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
    # The document as Akoma Ntoso XML (its format suffix is `.xml`, see FILE_FORMATS).
    "outcomedocument-akn": READ_ONLY,
    "outcomedocument-akn.format": READ_ONLY,
    "outcome-list": READ_ONLY,
    "outcome-list.format": READ_ONLY,
    "outcome-detail": {
        "GET": SEEN_AT_GREEN,
        "POST": ALL_405,
        # Secretariat only; the check is on the endpoint, before the object is looked up.
        "PUT": (401, 403, 403, 403, 403, 403, 200),
        "PATCH": (401, 403, 403, 403, 403, 403, 200),
        "DELETE": ALL_405,
    },
    # An outcome's lineage and the work serving it: read as the outcome is.
    "outcome-lineage": {
        "GET": SEEN_AT_GREEN,
        "POST": ALL_405,
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
    "workinggroup-list": READ_ONLY,
    "workinggroup-list.format": READ_ONLY,
    "workinggroup-detail": {
        "GET": SEEN_AT_GREEN,
        "POST": ALL_405,
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
    "task-list": {
        "GET": ALL_200,
        # The group is TLP:GREEN: for the person of no group it does not exist (400 on
        # the `working_group` field, as for any unknown id); the others see it and are
        # refused unless they lead it.
        "POST": (401, 400, 403, 403, 201, 403, 201),
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
    "task-detail": {
        "GET": SEEN_AT_GREEN,
        "POST": ALL_405,
        "PUT": (401, 404, 403, 403, 200, 403, 200),
        "PATCH": (401, 404, 403, 403, 200, 403, 200),
        "DELETE": ALL_405,
    },
    "task-updates": {
        "GET": SEEN_AT_GREEN,
        # Any current member of the task's group, or the secretariat; a chair who sits on
        # no group reads the task but does not report on it.
        "POST": (401, 404, 403, 201, 201, 403, 201),
        "PUT": ALL_405,
        "PATCH": ALL_405,
        "DELETE": ALL_405,
    },
}
# The chair's report (reports/api.py). The planted meeting is public; the report asked for
# without `tlp` is TLP:CLEAR, which anyone may have (levels: tests/reports/test_report_api.py).
EXPECTED["meeting-report"] = {
    "GET": ALL_200,
    "POST": ALL_405,
    "PUT": ALL_405,
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}
EXPECTED["meeting-reports"] = {
    "GET": ALL_405,
    # Queued under the requester's name: signed-in callers only.
    "POST": (401, 202, 202, 202, 202, 202, 202),
    "PUT": ALL_405,
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}
EXPECTED["report-list"] = READ_ONLY  # each caller's own reports (anonymous: none)
# The planted report was asked for by the chair: theirs and the secretariat's, nobody else's.
SEEN_BY_REQUESTER = (404, 404, 404, 404, 404, 200, 200)
EXPECTED["report-detail"] = {
    "GET": SEEN_BY_REQUESTER,
    "POST": ALL_405,
    "PUT": ALL_405,
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}
EXPECTED["report-file"] = EXPECTED["report-detail"]
# Marking it sent: whoever speaks for its meeting (its chair, the secretariat); the others
# do not see it.
EXPECTED["report-sent"] = {
    "GET": ALL_405,
    "POST": (401, 404, 404, 404, 404, 200, 200),
    "PUT": ALL_405,
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}
# The planted chair's summary is TLP:GREEN; its meeting's chair and the secretariat write it.
EXPECTED["meeting-summary"] = {
    "GET": SEEN_AT_GREEN,
    "POST": ALL_405,
    "PUT": (401, 403, 403, 403, 403, 200, 200),
    "PATCH": ALL_405,
    "DELETE": ALL_405,
}
for _base in (
    "report-list",
    "report-detail",
    "report-sent",
    "outcome-detail",
    "workinggroup-detail",
    "task-list",
    "task-detail",
    "task-updates",
):
    EXPECTED[f"{_base}.format"] = EXPECTED[_base]


# --- the planted world --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Request throttling counts in the cache, across tests: start each test at zero."""
    cache.clear()
    yield
    cache.clear()


class World:
    """Two GREEN working groups of one forum, a task and an update in each, and the roles."""

    def __init__(self):
        forum = ForumFactory.create(acronym="MTX")
        state = MemberFactory.create(name="Matrix State")
        ForumMembership.objects.create(forum=forum, member=state, role="member")
        self.forum, self.member_state = forum, state
        self.meeting = MeetingFactory.create(forum=forum, sequence=1)
        later = MeetingFactory.create(
            forum=forum,
            sequence=2,
            start_date=datetime.date(2028, 8, 23),
            end_date=datetime.date(2028, 8, 24),
        )
        self.document = OutcomeDocumentFactory.create(meeting=self.meeting, tlp=TLP.CLEAR)
        self.outcome = OutcomeFactory.create(document=self.document, tlp=TLP.GREEN)
        self.group_a = WorkingGroupFactory.create(
            established_by=self.meeting, reports_to=later, tlp=TLP.GREEN
        )
        self.group_b = WorkingGroupFactory.create(
            established_by=self.meeting, reports_to=later, tlp=TLP.GREEN
        )

        self.users = {
            "no_group": UserFactory.create(username="mx-nobody"),
            "delegate": ProfileFactory.create(user__username="mx-delegate", member=state).user,
            "member": UserFactory.create(username="mx-member"),
            "lead": UserFactory.create(username="mx-lead"),
            "chair": UserFactory.create(username="mx-chair"),
            "secretariat": UserFactory.create(username="mx-secretariat"),
        }
        self.users["secretariat"].groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        Chair.objects.create(meeting=self.meeting, member=state, person=self.users["chair"])
        WorkingGroupMembershipFactory.create(
            working_group=self.group_a, person=self.users["member"]
        )
        WorkingGroupMembershipFactory.create(
            working_group=self.group_a,
            person=self.users["lead"],
            role=WorkingGroupMembership.Role.LEAD,
        )
        # Group B has its own people: the object checks below must look at the group.
        self.b_lead = UserFactory.create(username="mx-b-lead")
        WorkingGroupMembershipFactory.create(
            working_group=self.group_b, person=self.b_lead, role=WorkingGroupMembership.Role.LEAD
        )
        self.script_user = UserFactory.create(username="mx-script", password=PASSWORD)

        self.task_a = TaskFactory.create(
            working_group=self.group_a, tlp=TLP.GREEN, lead=self.users["lead"]
        )
        self.task_a.outcomes.add(self.outcome)
        self.task_b = TaskFactory.create(
            working_group=self.group_b, tlp=TLP.GREEN, lead=self.b_lead
        )
        officer = self.users["secretariat"]
        task_update_status(actor=officer, task=self.task_a, note="Group A started.")
        task_update_status(actor=officer, task=self.task_b, note="Group B started.")

        self.summary = chair_summary_save(
            actor=officer,
            meeting=self.meeting,
            key_messages="Matrix messages.",
            recommendations="",
            tlp=TLP.GREEN,
        )
        self.report = report_generate(
            actor=self.users["chair"],
            meeting=self.meeting,
            level=TLP.GREEN,
            fmt="html",
            as_of=datetime.date(2027, 8, 1),
        )

        self.tokens = {role: api_token_for(user) for role, user in self.users.items()}

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client

    def object_for(self, name: str):
        """The planted row whose id goes into `{pk}` of endpoint `name`."""
        resource = name.split(".")[0].rsplit("-", 1)[0]
        return {
            "forum": self.forum,
            "member": self.member_state,
            "meeting": self.meeting,
            "outcomedocument": self.document,
            "outcome": self.outcome,
            "workinggroup": self.group_a,
            "task": self.task_a,
            "report": self.report,
        }.get(resource)

    def snapshot(self) -> tuple:
        """What a refused write must leave exactly as it was."""
        return (
            Task.objects.count(),
            TaskUpdate.objects.count(),
            tuple(Task.objects.order_by("pk").values_list("pk", "version", "title", "status")),
            tuple(Outcome.objects.order_by("pk").values_list("pk", "version", "text", "tlp")),
            tuple(ChairSummary.objects.values_list("pk", "version", "key_messages")),
        )


@pytest.fixture
def world(db):
    return World()


_serial = itertools.count(1)


def body_for(world: World, name: str, method: str) -> dict:
    """A valid request body, so that the status reflects permission, not the payload."""
    base = name.split(".")[0]
    n = next(_serial)
    if method == "POST" and base == "token":
        return {"username": world.script_user.username, "password": PASSWORD}
    if method == "POST" and base == "task-list":
        return {"working_group": world.group_a.pk, "title": f"Matrix task {n}"}
    if method == "POST" and base == "task-updates":
        return {"note": f"Matrix update {n}"}
    if method == "POST" and base == "outcomedocument-import":
        return {
            "meeting": world.meeting.pk,
            "kind": "communique",
            "title": f"Matrix communiqué {n}",
            "text": "Members agreed to meet again.",
        }
    if method == "POST" and base == "meeting-reports":
        return {"format": "html", "tlp": "clear"}
    if method == "PUT" and base == "meeting-summary":
        return {"key_messages": f"Matrix messages {n}.", "recommendations": ""}
    if method in ("PUT", "PATCH") and base == "task-detail":
        return {"title": f"Matrix title {n}"}
    if method == "PUT" and base == "outcome-detail":
        return {"text": f"Matrix text {n}", "kind": "agreement", "status": "active", "tlp": "green"}
    if method == "PATCH" and base == "outcome-detail":
        return {"text": f"Matrix text {n}"}
    return {}


# Endpoints that answer a file: their `{format}` twin is the file's suffix, not `.json`.
FILE_FORMATS = {"outcomedocument-akn": "xml"}


def url_for(world: World, name: str, parameters: tuple[str, ...]) -> str:
    kwargs = {}
    for parameter in parameters:
        if parameter == "format":
            kwargs["format"] = FILE_FORMATS.get(name.split(".")[0], "json")
        elif parameter == "pk":
            target = world.object_for(name)
            assert target is not None, f"endpoint {name} has no planted object for {{pk}}"
            kwargs["pk"] = target.pk
        else:
            raise AssertionError(f"endpoint {name}: no value planted for {{{parameter}}}")
    return reverse(f"{API_NAMESPACE}:{name.split('.')[0]}", kwargs=kwargs)


def send(world: World, role: str, method: str, url: str, name: str):
    headers = {}
    target = world.object_for(name) if "pk" in url_parameters(name) else None
    if name == "meeting-summary":
        target = world.summary  # the meeting names it; its own ETag guards it
    if method in ("PUT", "PATCH", "DELETE") and isinstance(target, Versioned):
        target.refresh_from_db(fields=["version"])
        headers["HTTP_IF_MATCH"] = target.etag
    client = world.client(role)
    return getattr(client, method.lower())(
        url, body_for(world, name, method), format="json", **headers
    )


def url_parameters(name: str) -> tuple[str, ...]:
    return dict(ENDPOINTS)[name]


# --- the matrix ---------------------------------------------------------------------------


def test_endpoints_are_found_in_the_url_configuration():
    names = {name for name, _parameters in ENDPOINTS}
    # A sanity floor, so that a broken walk cannot make the matrix pass vacuously.
    assert {"task-detail", "task-updates", "outcome-detail", "token", "schema"} <= names
    assert len(names) >= 20


def test_every_expectation_row_names_an_existing_endpoint_and_is_complete():
    names = {name for name, _parameters in ENDPOINTS}
    assert sorted(set(EXPECTED) - names) == [], "expectations for endpoints that do not exist"
    for name, row in EXPECTED.items():
        assert set(row) == set(METHODS), f"{name}: a method has no expectation"
        for method, statuses in row.items():
            assert len(statuses) == len(ROLES), f"{name} {method}: one status per role"


@pytest.mark.parametrize(("name", "parameters"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_permission_matrix(world, name, parameters):
    assert name in EXPECTED, f"endpoint {name} has no expectations"
    url = url_for(world, name, parameters)
    wrong = []
    for method, (index, role) in itertools.product(METHODS, enumerate(ROLES)):
        expected = EXPECTED[name][method][index]
        before = world.snapshot()
        response = send(world, role, method, url, name)
        if response.status_code != expected:
            wrong.append(
                f"{method} {url} as {role}: {response.status_code}, expected {expected}: "
                f"{response.content[:200]!r}"
            )
            continue
        if method != "GET" and response.status_code >= 400:
            assert world.snapshot() == before, f"refused {method} {url} as {role} wrote"
        if response.status_code == 405:
            assert response["Allow"], f"{method} {url} as {role}: 405 without Allow"
        # The schema and the docs answer in their own media types (YAML, HTML).
        if response.status_code >= 400 and name not in ("schema", "docs"):
            assert response["Content-Type"].startswith("application/json"), (
                f"{method} {url} as {role}: error is not JSON"
            )
        if response.status_code == 401:
            assert response["WWW-Authenticate"].startswith("Token"), (
                f"{method} {url} as {role}: 401 without WWW-Authenticate"
            )
    assert wrong == [], "\n".join(wrong)


def test_successful_writes_in_the_matrix_really_write(world):
    """The 2xx writes above are not no-ops: each moves what it says it moves."""
    lead = world.client("lead")
    task_url = reverse("api:task-detail", kwargs={"pk": world.task_a.pk})
    etag = lead.get(task_url)["ETag"]
    patched = lead.patch(task_url, {"title": "Renamed by the lead"}, HTTP_IF_MATCH=etag)
    assert patched.status_code == 200
    world.task_a.refresh_from_db()
    assert world.task_a.title == "Renamed by the lead"
    assert patched["ETag"] == world.task_a.etag != etag

    updates_url = reverse("api:task-updates", kwargs={"pk": world.task_a.pk})
    posted = world.client("member").post(updates_url, {"note": "Member's note."})
    assert posted.status_code == 201
    assert world.task_a.updates.latest("pk").note == "Member's note."

    outcome_url = reverse("api:outcome-detail", kwargs={"pk": world.outcome.pk})
    officer = world.client("secretariat")
    etag = officer.get(outcome_url)["ETag"]
    edited = officer.patch(outcome_url, {"text": "Corrected."}, HTTP_IF_MATCH=etag)
    assert edited.status_code == 200
    world.outcome.refresh_from_db()
    assert world.outcome.text == "Corrected."


# --- objects, not only endpoints ----------------------------------------------------------


def test_a_lead_cannot_edit_a_task_of_another_group_they_can_see(world):
    lead = world.client("lead")
    url = reverse("api:task-detail", kwargs={"pk": world.task_b.pk})
    read = lead.get(url)
    assert read.status_code == 200  # visible at TLP:GREEN …
    before = world.snapshot()
    for method in ("patch", "put"):
        refused = getattr(lead, method)(
            url, {"title": "Taken over by group A"}, HTTP_IF_MATCH=read["ETag"]
        )
        assert refused.status_code == 403, refused.content  # … but not theirs to edit
        assert "lead" in refused.json()["detail"]
    assert world.snapshot() == before

    # Group B's own lead may.
    own = world.client("secretariat")
    own.force_authenticate(world.b_lead)
    assert own.patch(url, {"title": "B's"}, HTTP_IF_MATCH=read["ETag"]).status_code == 200


def test_a_member_cannot_post_an_update_to_another_groups_task(world):
    member = world.client("member")
    url = reverse("api:task-updates", kwargs={"pk": world.task_b.pk})
    assert member.get(url).status_code == 200
    before = world.snapshot()
    refused = member.post(url, {"note": "Group A's view of B's work.", "status": "in_progress"})
    assert refused.status_code == 403, refused.content
    assert "members of the task's working group" in refused.json()["detail"]
    assert world.snapshot() == before


def test_a_lead_cannot_add_a_task_to_another_group(world):
    before = world.snapshot()
    refused = world.client("lead").post(
        "/api/v1/tasks/", {"working_group": world.group_b.pk, "title": "Annexed"}
    )
    assert refused.status_code == 403, refused.content
    assert world.snapshot() == before


def test_a_lead_cannot_move_a_task_to_another_group(world):
    url = reverse("api:task-detail", kwargs={"pk": world.task_a.pk})
    lead = world.client("lead")
    refused = lead.patch(
        url, {"working_group": world.group_b.pk}, HTTP_IF_MATCH=lead.get(url)["ETag"]
    )
    assert refused.status_code == 400
    assert "working_group" in refused.json()
    world.task_a.refresh_from_db()
    assert world.task_a.working_group == world.group_a


def test_a_member_who_left_the_group_is_refused(world):
    seat = WorkingGroupMembership.objects.get(person=world.users["member"])
    # A seat counts until its last day: this one ended yesterday.
    seat.joined_on, seat.left_on = None, datetime.date.today() - datetime.timedelta(days=1)
    seat.save()
    url = reverse("api:task-updates", kwargs={"pk": world.task_a.pk})
    before = world.snapshot()
    refused = world.client("member").post(url, {"note": "Still here?"})
    # Without the seat, they are a person of no group: the GREEN task is not theirs to see.
    assert refused.status_code == 404
    assert world.snapshot() == before


def test_a_lead_who_stepped_down_to_member_can_no_longer_edit(world):
    seat = WorkingGroupMembership.objects.get(person=world.users["lead"])
    seat.role = WorkingGroupMembership.Role.MEMBER
    seat.save()
    lead = world.client("lead")
    url = reverse("api:task-detail", kwargs={"pk": world.task_a.pk})
    refused = lead.patch(url, {"title": "Still in charge"}, HTTP_IF_MATCH=lead.get(url)["ETag"])
    assert refused.status_code == 403
    # … but posts updates like any member.
    updates = reverse("api:task-updates", kwargs={"pk": world.task_a.pk})
    assert lead.post(updates, {"note": "As a member now."}).status_code == 201
