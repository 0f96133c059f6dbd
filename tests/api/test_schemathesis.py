"""Property-based tests of the whole API against its own live OpenAPI schema (Schemathesis).

Schemathesis reads /api/v1/schema/ from the WSGI application, in process, and sends every
operation generated requests: valid ones, boundary values, and deliberately invalid ones
(wrong types, NUL bytes, missing fields, huge numbers, unknown fields, bad ids in paths).
Every answer must not be a 5xx, must have a status code the schema declares for that
operation, and must have a body, content type and headers matching the schema.

The database holds the real JHoPS record (fixtures/jhops.py) with its demo logins. Half of
the generated path ids are ids of real rows (visible to the caller or not), and half of the
valid requests carry what a real client would have read first (the current ETag, ids of real
rows in the body), so that edits and updates also reach their success paths, not only 404s.

Runs: a member of the JHoPS working group (the main run), anonymous, and the secretariat.
`make test` runs a short, reproducible (derandomized) pass. A longer run, with a fresh
random seed each time, is selected by the environment: SCHEMATHESIS_MAX_EXAMPLES=300.
"""

import datetime
import os
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from fixtures.jhops import load_jhops
from forums.models import Forum, Meeting, Member
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument
from reports.models import GeneratedReport
from reports.services import report_generate
from tests.factories import api_token_for
from workinggroups.models import Task, WorkingGroup

LONG_RUN_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "").strip()
LONG_RUN = bool(LONG_RUN_EXAMPLES)
# Generated examples per operation (fuzzing phase; the coverage phase adds its own
# boundary cases). The short run is derandomized: the same requests every `make test`.
MAX_EXAMPLES = int(LONG_RUN_EXAMPLES) if LONG_RUN else 25
# The anonymous and secretariat runs are smaller: the working-group member's is the main one.
SMALL_MAX_EXAMPLES = max(MAX_EXAMPLES // 3, 5)

# Every check Schemathesis has (a test below keeps this list complete): statuses, content
# types, headers and bodies as the schema declares them; valid requests accepted and
# invalid ones refused; required headers, methods and Allow; authentication enforced
# where the schema says it is needed and not where it says reads are open.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.missing_required_header,
    checks.unsupported_method,
    checks.allow_header_conformance,
    checks.use_after_free,
    checks.ensure_resource_availability,
    checks.ignored_auth,
    checks.object_level_authorization,
]

# A request the schema allows can still break a rule no schema states: a write naming a
# row that does not exist or a person outside the group, an update that changes nothing,
# an If-Match naming another version (412), a report asked of a future day or above the
# caller's clearance. Those answers are 400, 412 and 428, each a test of its own elsewhere.
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429"]
WRITE_STATUSES = [*POSITIVE_STATUSES, "400", "412", "428"]


def hypothesis_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=not LONG_RUN,
        # Nothing written into the repository (.hypothesis/); each run stands alone.
        database=None,
        deadline=None,
        # The checks on generation itself (slow, filtered, large examples) say nothing about
        # the API; with CI's random long run they would fail it at random.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- steering generation towards real rows ----------------------------------------------

# Path prefix of a resource → its model.
MODELS = {
    "/api/v1/forums/": Forum,
    "/api/v1/members/": Member,
    "/api/v1/meetings/": Meeting,
    "/api/v1/outcome-documents/": OutcomeDocument,
    "/api/v1/outcomes/": Outcome,
    "/api/v1/working-groups/": WorkingGroup,
    "/api/v1/tasks/": Task,
    "/api/v1/reports/": GeneratedReport,
}
# Body fields that name rows by id → the model of those rows.
BODY_IDS = {
    "working_group": WorkingGroup,
    "outcomes": Outcome,
    "reports_to": Meeting,
    "responsible": Member,
}


def _model_of(path: str):
    for prefix, model in MODELS.items():
        if path.startswith(prefix):
            return model
    return None


def _ids(model) -> list[int]:
    # Read when an example is drawn, inside the test's transaction: rows the fuzzer created
    # in earlier examples (tasks) are reachable too.
    return sorted(model.objects.values_list("pk", flat=True))


def _real_id(model, value):
    """A generated whole number turned, deterministically, into the id of a real row."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    ids = _ids(model)
    return ids[value % len(ids)] if ids else value


def _realistic(case):
    """The same request with what a client would have read first: a real row in the path,
    its current ETag, and real rows (and a real username) in the body."""
    model = _model_of(case.operation.path)
    if model is not None and "id" in (case.path_parameters or {}):
        case.path_parameters = {
            **case.path_parameters,
            "id": _real_id(model, case.path_parameters["id"]),
        }
    if model in (Task, Outcome) and "If-Match" in (case.headers or {}):
        pk = (case.path_parameters or {}).get("id")
        version = model.objects.filter(pk=pk).values_list("version", flat=True).first()
        if isinstance(pk, int) and version is not None:
            case.headers = {**case.headers, "If-Match": f'"{version}"'}
    if isinstance(case.body, dict):
        body = dict(case.body)
        for field, related in BODY_IDS.items():
            if isinstance(body.get(field), list):
                body[field] = [_real_id(related, value) for value in body[field]]
            elif field in body:
                body[field] = _real_id(related, body[field])
        if isinstance(body.get("lead"), str):
            usernames = sorted(get_user_model().objects.values_list("username", flat=True))
            body["lead"] = usernames[len(body["lead"]) % len(usernames)]
        case.body = body
    return case


def flatmap_case(context, case):
    """Half the valid requests are made realistic (see `_realistic`); invalid ones are left
    as generated, so that an invalid id in a path stays invalid."""
    if case.meta is None or case.meta.generation.mode.is_negative:
        return st.just(case)
    return st.booleans().map(lambda realistic: _realistic(case) if realistic else case)


# --- the schema, once per run -----------------------------------------------------------

app = get_wsgi_application()


def load_schema(*, coverage: str):
    """The live schema, read from the application in process.

    `coverage`: where Schemathesis' coverage phase (deterministic boundary and invalid
    values for every parameter and body field) runs: "all" operations, "writes" only, or
    "none". Whatever the choice, every operation gets the fuzzing phase.
    """
    config: dict[str, Any] = {
        # The token header is ours: generated Authorization values only test a wrong token.
        "generation": {"with-security-parameters": False},
        # Without If-Match an edit is a 428, the status RFC 6585 made for it.
        "checks": {
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
            },
            # A body over the upload limit is refused as 413 before it is read, whatever
            # else is wrong with it (the schema declares 413 for every write).
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "413", "415"),
                    *("422", "428", "429"),
                ]
            },
        },
        "operations": [
            {
                "include-method": ["POST", "PUT", "PATCH"],
                "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_STATUSES}},
            },
            {
                "include-operation-id": "meeting_report",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "400"]}
                },
            },
        ],
    }
    if coverage == "none":
        config["phases"] = {"coverage": {"enabled": False}}
    elif coverage == "writes":
        for operation in config["operations"]:
            if operation.get("include-operation-id") == "meeting_report":
                operation["phases"] = {"coverage": {"enabled": False}}
        reads = {"include-method": "GET", "phases": {"coverage": {"enabled": False}}}
        config["operations"].append(reads)
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", app, config=schemathesis.Config.from_dict(config)
    )
    loaded.hook(flatmap_case)
    return loaded


# The short run spends its coverage phase where the role matters: everything for the
# member; the writes the secretariat alone gets past the permission checks with; nothing
# for anonymous callers, who are refused every write before the body is read.
member_schema = load_schema(coverage="all")
anonymous_schema = load_schema(coverage="all" if LONG_RUN else "none")
secretariat_schema = load_schema(coverage="all" if LONG_RUN else "writes")


# --- data and callers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The JHoPS record and a token per caller, loaded once for this module.

    Rolled back at the end: other test modules never see these rows. Each test's own
    changes (tasks, edits and updates the fuzzer makes) roll back after that test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_jhops(demo_users=True)
        users = get_user_model().objects
        # A kept chair's report of each caller, so that the report record and its file
        # download reach their success paths too (a GET of a report in a test is rolled
        # back with that test).
        koror = Meeting.objects.get(forum__acronym="JHOPS", sequence=5)
        for username in ("secretariat", "wg-member"):
            report_generate(
                actor=users.get(username=username),
                meeting=koror,
                level=TLP.GREEN,
                fmt="html",
                as_of=datetime.date(2023, 8, 25),
            )
        yield {
            username: api_token_for(users.get(username=username))
            for username in ("secretariat", "wg-member")
        }
        transaction.set_rollback(True)


@pytest.fixture
def in_test_transaction(db):
    """Requests share the test's transaction, as with Django's test client.

    Django closes the database connection around every request when it is not in
    autocommit mode; inside a test's transaction that would close the connection holding
    the test data (PostgreSQL). The test client disconnects the same handler.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call_and_validate(case, token: str | None) -> None:
    # The API's throttles count in the cache; thousands of generated requests would
    # otherwise be answered 429 (declared, but testing nothing).
    cache.clear()
    headers = {"Authorization": f"Token {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


# --- the runs ---------------------------------------------------------------------------


def test_every_check_is_run():
    """A check added to Schemathesis is run here too, or this fails and says which."""
    checks.load_all_checks()
    assert {check.__name__ for check in checks.CHECKS.get_all()} == {
        check.__name__ for check in CHECKS
    }


@member_schema.parametrize()
@hypothesis_settings(MAX_EXAMPLES)
def test_api_as_working_group_member(case, tokens, in_test_transaction):
    """The main run: a member of the JHoPS working group, with a token, as scripts sign in."""
    call_and_validate(case, tokens["wg-member"])


@anonymous_schema.parametrize()
@hypothesis_settings(SMALL_MAX_EXAMPLES)
def test_api_as_anonymous(case, tokens, in_test_transaction):
    call_and_validate(case, None)


@secretariat_schema.parametrize()
@hypothesis_settings(SMALL_MAX_EXAMPLES)
def test_api_as_secretariat(case, tokens, in_test_transaction):
    call_and_validate(case, tokens["secretariat"])
