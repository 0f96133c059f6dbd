"""The production shape: settings that refuse to start without their secrets, the security
baseline's headers and Content Security Policy, request ids in JSON logs, /healthz, bounded
uploads, gunicorn's configuration and the pip-audit step.

Production settings are read in a subprocess (they are module-level: importing them here
would need the test process's environment changed for good). tests/test_production_server.py
runs the real processes: gunicorn, a Celery worker and beat.
"""

import datetime
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from celery._state import _task_stack
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings

from config import health
from config.celery_app import app as celery_app
from config.logs import (
    JsonFormatter,
    RequestIdFilter,
    adopt_request_id,
    carry_request_id,
    forget_request_id,
    request_id,
)
from outcomes.importing.uploads import BoundedUploadHandler
from tests.celery_worker import redis_or_skip

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database no other test or process uses
CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:9/0"  # discard: nothing listens there

SETTINGS_PROBE = """
import json
from django.conf import settings
names = {names!r}
print(json.dumps({{n: getattr(settings, n, None) for n in names}}, default=str))
"""


def production_env(tmp_path, **overrides) -> dict[str, str]:
    """What a production process gets; `overrides` set (or, as None, remove) variables."""
    key = tmp_path / "secret_key"
    key.write_text("k" * 10 + "-production-test-key-with-enough-characters-0123456789\n")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY_FILE=str(key),
        ALLOWED_HOSTS="talanoa.example.org",
        DATABASE_URL="postgres://talanoa@db.invalid:5432/talanoa",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_URL="smtp://mail.invalid:587",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def read_settings(tmp_path, *names: str, **overrides) -> dict:
    result = subprocess.run(
        [PYTHON, "-c", SETTINGS_PROBE.format(names=names)],
        cwd=ROOT,
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- settings: secrets from the environment or files, nothing by default ---------------------


def test_production_reads_its_secrets_from_files_without_their_final_newline(tmp_path):
    database_url = tmp_path / "database_url"
    database_url.write_text("postgres://talanoa:s3cret@db.example.org:5432/talanoa\n")

    values = read_settings(
        tmp_path, "SECRET_KEY", "DATABASES", DATABASE_URL=None, DATABASE_URL_FILE=str(database_url)
    )

    assert values["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    database = values["DATABASES"]["default"]
    assert (database["NAME"], database["PASSWORD"], database["HOST"]) == (
        "talanoa",
        "s3cret",
        "db.example.org",
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY_FILE", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
)
def test_production_refuses_to_start_without_a_required_setting(tmp_path, missing):
    result = subprocess.run(
        [PYTHON, "-c", "from django.conf import settings; settings.SECRET_KEY"],
        cwd=ROOT,
        env=production_env(tmp_path, **{missing: None}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    variable = missing.removesuffix("_FILE")
    assert f"Set the {variable} environment variable" in result.stderr


def test_mail_into_a_folder_needs_no_email_url(tmp_path):
    values = read_settings(
        tmp_path, "EMAIL_BACKEND", EMAIL_URL=None, EMAIL_OUTBOX=str(tmp_path / "outbox")
    )

    assert values["EMAIL_BACKEND"] == "config.mail.OutboxBackend"


def test_production_is_https_only_unless_told_there_is_no_tls(tmp_path):
    names = (
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "PROXY_COUNT",
        "DEBUG",
    )

    secure = read_settings(tmp_path, *names)
    plain = read_settings(tmp_path, *names, TALANOA_HTTPS="0")
    proxied = read_settings(tmp_path, *names, PROXY_COUNT="1")

    assert secure == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        # No proxy: a client's own X-Forwarded-Proto must not make a request "https".
        "SECURE_PROXY_SSL_HEADER": None,
        "PROXY_COUNT": 0,
        "DEBUG": False,
    }
    assert (plain["SECURE_SSL_REDIRECT"], plain["SESSION_COOKIE_SECURE"]) == (False, False)
    assert (plain["CSRF_COOKIE_SECURE"], plain["SECURE_HSTS_SECONDS"]) == (False, 0)
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["PROXY_COUNT"] == 1


def test_production_serves_hashed_static_files_and_logs_json(tmp_path):
    values = read_settings(tmp_path, "MIDDLEWARE", "STORAGES", "LOGGING")

    middleware = values["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert middleware[:2] == [
        "config.logs.RequestIdMiddleware",
        "config.health.HealthCheckMiddleware",
    ]
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["LOGGING"]["handlers"]["console"]["formatter"] == "json"


def check_deploy(tmp_path, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_a_weak_key_so_its_silence_means_something(tmp_path):
    result = check_deploy(tmp_path, SECRET_KEY_FILE=None, SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_a_domain_kept_off_the_hsts_preload_list_still_passes_check_deploy(tmp_path):
    assert check_deploy(tmp_path, HSTS_PRELOAD="0").returncode == 0


# --- response headers and the Content Security Policy ------------------------------------


def policy_of(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/admin/login/", "/api/v1/docs/", "/api/v1/forums/"]
)
def test_every_kind_of_page_gets_a_policy_without_inline_script_or_style(path):
    response = Client().get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert policy[directive][0] == "'self'"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"} & set(policy[directive])
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == policy["frame-ancestors"] == policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_swagger_ui_runs_its_inline_script_by_the_responses_own_nonce():
    first, second = Client().get("/api/v1/docs/"), Client().get("/api/v1/docs/")

    nonces = re.findall(r'<(?:script|style) nonce="([^"]+)"', first.content.decode())
    assert len(nonces) == 2 and len(set(nonces)) == 1
    (nonce,) = set(nonces)
    assert f"'nonce-{nonce}'" in policy_of(first)["script-src"]
    assert f"'nonce-{nonce}'" in policy_of(first)["style-src"]
    assert nonce not in second.content.decode()  # one per response, never reused


@pytest.mark.django_db
def test_a_page_that_uses_no_nonce_offers_none():
    assert "nonce" not in Client().get("/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_carry_the_security_headers():
    response = Client().get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


# Our templates: each may hold an inline <script> or <style> only with a nonce, or be a
# file that is never served as a page of the site under its policy.
INLINE_ALLOWED = {
    # Swagger UI's start-up script and style, with the response's nonce.
    "config/templates/drf_spectacular/swagger_ui.html",
    # The chair's report: a self-contained file with its own policy (reports/api.py).
    "reports/templates/reports/chair_report.html",
    # An e-mail: mail programs read no CSS file.
    "workinggroups/templates/workinggroups/email/reminder.html",
    "workinggroups/templates/workinggroups/email/weekly_digest.html",
}
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_our_templates_hold_no_inline_script_style_or_event_handler():
    templates = [
        path
        for path in ROOT.glob("*/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert len(templates) > 30

    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in templates
        if str(path.relative_to(ROOT)) not in INLINE_ALLOWED
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]

    assert not found, "inline code the Content Security Policy would refuse:\n" + "\n".join(found)


# --- request ids and JSON logs ---------------------------------------------------------------


@pytest.fixture
def json_log():
    """Every log record of the test, as the production handler writes it: JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_a_well_formed_request_id_is_kept_and_echoed():
    given = "5f0c6a4e-1b2c-4d8e-9f00-7a6b5c4d3e2f"

    response = Client().get("/", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "", "short", "has spaces in it", "x" * 129, "a\"b'c<d>e"])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}

    first, second = Client().get("/", **headers), Client().get("/", **headers)

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_log_lines_of_a_request_are_json_carrying_its_id(json_log):
    Client().get("/no-such-page/", HTTP_X_REQUEST_ID="trace-0001-abcd")

    (line,) = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["request_id"] == "trace-0001-abcd"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["status_code"] == 404
    assert "request" not in line  # the request object is not a log field
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["time"])


@pytest.mark.django_db
def test_a_token_in_a_path_is_not_logged(json_log):
    secret = "Zq4sEcretCalendarT0ken"
    assert Client().get(f"/calendar/{secret}.ics").status_code == 404  # no such feed

    (line,) = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["message"] == "Not Found: /calendar/<token>.ics"
    assert secret not in json.dumps(json_log())


def test_a_job_queued_during_a_request_carries_its_id_to_the_worker():
    token = request_id.set("trace-0002-abcd")
    try:
        headers = {}
        carry_request_id(headers=headers)
    finally:
        request_id.reset(token)
    assert headers == {"request_id": "trace-0002-abcd"}

    # In the worker, Celery puts the message's headers on task.request, and the running
    # task on its stack (celery.app.trace does both).
    task = celery_app.tasks["config.health.heartbeat"]
    task.push_request(id="job-1", request_id="trace-0002-abcd")
    _task_stack.push(task)
    try:
        adopt_request_id(task=task)
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent", None, None)
        RequestIdFilter().filter(record)
    finally:
        forget_request_id()
        _task_stack.pop()
        task.pop_request()
    assert (record.request_id, record.task_id, record.task_name) == (
        "trace-0002-abcd",
        "job-1",
        "config.health.heartbeat",
    )
    assert request_id.get() is None


# --- /healthz --------------------------------------------------------------------------------


@pytest.fixture
def broker_at(monkeypatch):
    """Points the Celery app's broker (what /healthz checks) at the given URL."""

    def point(url: str) -> None:
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})

    return point


@pytest.fixture
def health_cache():
    caches["health"].clear()
    yield caches["health"]
    caches["health"].clear()


def healthz(data=None, **headers):
    response = Client().get("/healthz", data, **headers)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_healthz_is_ok_with_the_database_a_redis_broker_and_a_fresh_heartbeat(broker_at):
    client = redis_or_skip(REDIS_URL)
    broker_at(REDIS_URL)
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "talanoa-health-test",
        "OPTIONS": {"serializer": "django.core.signing.JSONSerializer"},
    }
    with override_settings(CACHES={"default": redis_cache, "health": redis_cache}):
        try:
            health.heartbeat()
            status, body = healthz()
            # DRF's throttling history, the other thing these caches hold, as JSON too.
            caches["default"].set("throttle_user_1", [1700000000.5, 1700000001.25])
            throttle_history = caches["default"].get("throttle_user_1")
            caches["default"].delete("throttle_user_1")
            # Stored as a plain number: readable by any client, never unpickled.
            (key,) = client.keys("talanoa-health-test:*heartbeat")
            stored = int(client.get(key))
        finally:
            caches["health"].clear()

    assert (status, body) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "broker": "ok", "heartbeat": "ok"}},
    )
    assert abs(stored - time.time()) < 5
    assert throttle_history == [1700000000.5, 1700000001.25]


@pytest.mark.django_db
def test_healthz_says_no_heartbeat_yet_until_a_worker_has_run_one(health_cache):
    status, body = healthz()

    assert status == 503
    assert body == {
        "status": "failing",
        "checks": {"database": "ok", "broker": "ok", "heartbeat": "no heartbeat yet"},
    }


@pytest.mark.django_db
def test_healthz_fails_on_a_heartbeat_older_than_two_minutes(health_cache):
    health_cache.set(health.HEARTBEAT_KEY, int(time.time()) - 121)

    status, body = healthz()

    assert status == 503
    assert re.fullmatch(r"last heartbeat 12\d s ago", body["checks"]["heartbeat"])


@pytest.mark.django_db
def test_the_heartbeat_job_writes_the_time_into_the_health_cache(health_cache):
    health.heartbeat.apply()

    assert abs(health_cache.get(health.HEARTBEAT_KEY) - time.time()) < 5
    assert healthz()[0] == 200


@pytest.mark.django_db
def test_healthz_names_an_unreachable_broker_and_tells_nothing_more(
    broker_at, health_cache, json_log
):
    health.heartbeat()
    broker_at(CLOSED_PORT_REDIS_URL)

    started = time.monotonic()
    status, body = healthz(HTTP_X_REQUEST_ID="trace-0003-abcd")

    assert time.monotonic() - started < 5
    assert status == 503
    assert body == {
        "status": "failing",
        "checks": {"database": "ok", "broker": "unreachable", "heartbeat": "ok"},
    }
    # The reason is in the log, under the probe's request id, not in the answer.
    (line,) = [line for line in json_log() if line["logger"] == "config.health"]
    assert line["request_id"] == "trace-0003-abcd"
    assert "broker" in line["message"] and "9" in line["message"]


@pytest.mark.django_db
def test_healthz_names_an_unreachable_database(health_cache, monkeypatch):
    from django.db import OperationalError

    def down():
        raise OperationalError("connection refused")

    health.heartbeat()
    monkeypatch.setitem(health.CHECKS, "database", down)

    status, body = healthz()

    assert (status, body["checks"]["database"]) == (503, "unreachable")


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["talanoa.example.org"], SECURE_SSL_REDIRECT=True)
def test_a_load_balancer_probes_by_address_over_plain_http(health_cache):
    health.heartbeat()

    response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200  # not 400 for the host, not 301 to https
    assert response["Cache-Control"] == "no-store"
    # The site itself still refuses that host and redirects to HTTPS.
    assert Client().get("/", HTTP_HOST="talanoa.example.org").status_code == 301
    assert Client().get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


# --- uploads ----------------------------------------------------------------------------------


def test_every_request_bounds_its_uploads_while_they_arrive():
    request = RequestFactory().post(
        "/accounts/login/",
        {"username": "x", "file": SimpleUploadedFile("big.bin", b"0" * 6_000_000)},
    )

    assert isinstance(request.upload_handlers[0], BoundedUploadHandler)
    assert request.POST["username"] == "x"
    assert "file" not in request.FILES  # dropped past 5 MB, never held


# --- gunicorn and the pip-audit step ----------------------------------------------------------


def test_gunicorn_loads_its_configuration_and_sizes_the_workers(tmp_path):
    def gunicorn(*arguments, **overrides):
        return subprocess.run(
            [str(GUNICORN), "-c", "config/gunicorn.conf.py", *arguments],
            cwd=ROOT,
            env=production_env(tmp_path, **overrides),
            capture_output=True,
            text=True,
            timeout=120,
        )

    check = gunicorn("--check-config")
    printed = gunicorn("--print-config", WEB_CONCURRENCY="3").stdout

    assert check.returncode == 0, check.stderr[-2000:]
    assert re.search(r"^workers\s+= 3$", printed, re.MULTILINE)
    assert re.search(r"^worker_tmp_dir\s+= /dev/shm$", printed, re.MULTILINE)
    assert re.search(r"^logger_class\s+= config.logs.GunicornLogger$", printed, re.MULTILINE)
    assert re.search(r"^control_socket_disable\s+= True$", printed, re.MULTILINE)


def load_audit():
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AUDITED = {"name": "django", "version": "5.2.19", "vulns": []}


@pytest.mark.parametrize(
    ("report", "passed"),
    [
        ({"dependencies": [AUDITED]}, True),
        (
            {
                "dependencies": [
                    AUDITED,
                    {
                        "name": "jinja2",
                        "version": "3.1.0",
                        "vulns": [{"id": "GHSA-x", "fix_versions": ["3.1.6"]}],
                    },
                ]
            },
            False,
        ),
        (
            {"dependencies": [AUDITED, {"name": "zopfli", "skip_reason": "not found on PyPI"}]},
            False,
        ),
        ({"dependencies": []}, False),
    ],
    ids=["clean", "vulnerable", "not-audited", "empty"],
)
def test_the_audit_fails_on_a_vulnerability_or_an_unchecked_package(report, passed):
    assert load_audit().verdict(report)[0] is passed


def pypi_project_page(newest: str, *vulnerabilities: dict) -> dict:
    """The parts of https://pypi.org/pypi/<name>/json the audit reads."""
    return {"info": {"version": newest}, "vulnerabilities": list(vulnerabilities)}


ADVISORY = {"id": "PYSEC-2026-1", "fixed_in": ["5.2.20"], "withdrawn": None}


@pytest.mark.parametrize(
    ("django_page", "exit_code", "verdict"),
    [
        (pypi_project_page("5.2.19"), 0, "1 of 1 locked packages checked: no known"),
        (pypi_project_page("5.2.19", ADVISORY), 1, "VULNERABLE django 5.2.19: PYSEC-2026-1"),
    ],
    ids=["newest-and-clean", "newest-and-vulnerable"],
)
def test_the_audit_says_loudly_it_did_not_run_when_no_advisory_database_answers(
    monkeypatch, capsys, django_page, exit_code, verdict
):
    audit = load_audit()
    monkeypatch.setattr(audit, "locked_requirements", lambda: "django==5.2.19\n")
    monkeypatch.setattr(
        audit, "reachable_service", lambda version: (None, ["pypi answers HTTP 404"])
    )
    monkeypatch.setattr(audit, "pypi_project", lambda name: django_page)

    assert audit.main() == exit_code
    out = capsys.readouterr().out
    assert "pip-audit NOT RUN" in out and "pypi answers HTTP 404" in out
    assert verdict in out


AUDIT_DAY = datetime.date(2026, 11, 28)


def test_without_pip_audit_only_packages_locked_at_their_newest_release_count_as_checked():
    passed, lines = load_audit().newest_release_verdict(
        {"celery": "5.7.0", "mypy": "1.19.1", "python-dateutil": "2.9.0.post0", "redis": "8.1"},
        {
            "celery": pypi_project_page("5.7.0", {**ADVISORY, "withdrawn": "2026-01-02T00:00:00Z"}),
            "mypy": pypi_project_page("2.4.1"),
            "python-dateutil": "https://pypi.org/pypi/python-dateutil/json answers HTTP 503",
            "redis": pypi_project_page("8.1.0"),
        },
        AUDIT_DAY,
    )

    assert passed
    assert lines == [
        "2 of 4 locked packages checked: no known vulnerability",
        "NOT CHECKED mypy 1.19.1: PyPI lists advisories for its newest release, 2.4.1, only",
        "NOT CHECKED python-dateutil 2.9.0.post0: "
        "https://pypi.org/pypi/python-dateutil/json answers HTTP 503",
    ]


def test_without_pip_audit_a_vulnerability_of_a_newest_release_fails():
    advisory = {**ADVISORY, "fixed_in": []}
    passed, lines = load_audit().newest_release_verdict(
        {"redis": "8.1.0"}, {"redis": pypi_project_page("8.1.0", advisory)}, AUDIT_DAY
    )

    assert not passed
    assert lines[0] == "VULNERABLE redis 8.1.0: PYSEC-2026-1 (fixed in no fixed version)"
    assert lines[1] == "0 of 1 locked packages checked: no known vulnerability"


def test_without_pip_audit_a_page_without_its_advisories_is_not_counted_as_checked():
    page = pypi_project_page("8.1.0")
    del page["vulnerabilities"]  # as a mirror that drops the field would serve it

    passed, lines = load_audit().newest_release_verdict(
        {"redis": "8.1.0", "celery": "5.7.0"},
        {"redis": page, "celery": {"info": {"version": "not a version"}, "vulnerabilities": []}},
        AUDIT_DAY,
    )

    assert passed
    assert lines == [
        "0 of 2 locked packages checked: no known vulnerability",
        "NOT CHECKED celery 5.7.0: PyPI's page lists no advisories",
        "NOT CHECKED redis 8.1.0: PyPI's page lists no advisories",
    ]


def test_the_audit_says_how_recent_the_pages_it_read_are():
    page = pypi_project_page("8.1.0")
    page["urls"] = [
        {"upload_time_iso_8601": "2026-11-23T21:44:11Z"},
        {"upload_time_iso_8601": "2026-11-02T08:00:00Z"},
    ]

    newest = load_audit().newest_upload({"redis": page, "mypy": "HTTP 503"})

    assert newest == "2026-11-23T21:44:11Z"


def django_sdist(folder: Path, release: str, notes: dict[str, str]) -> dict:
    """A source archive of Django `release` holding release notes, as PyPI lists its file."""
    archive = folder / f"django-{release}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in notes.items():
            member = tarfile.TarInfo(f"django-{release}/docs/releases/{name}.txt")
            member.size = len(text.encode())
            tar.addfile(member, io.BytesIO(text.encode()))
    return {
        "packagetype": "sdist",
        "url": archive.as_uri(),
        "digests": {"sha256": hashlib.sha256(archive.read_bytes()).hexdigest()},
    }


def django_page(releases: dict[str, list[dict]]) -> dict:
    wheel = {"packagetype": "bdist_wheel", "url": "unused", "digests": {}}
    return {
        "info": {"version": "6.1.3"},
        "vulnerabilities": [],
        "releases": {"5.2.18": [wheel], "5.2.19": [wheel], "6.1.3": [wheel], **releases},
    }


@pytest.fixture
def audit():
    """The audit module, reading source archives from files: these tests write them."""
    module = load_audit()
    module.ARCHIVE_URL_SCHEMES = {"file"}  # https only, outside these tests
    return module


def django_verdict(audit, page: dict, today=AUDIT_DAY, version: str = "5.2.19"):
    """Passed?, and what is said of Django (the count of checked packages left out)."""
    passed, lines = audit.newest_release_verdict({"django": version}, {"django": page}, today)
    return passed, [line for line in lines if "locked packages checked" not in line]


def test_without_pip_audit_django_at_the_newest_release_of_its_supported_branch_is_clean(audit):
    # A release candidate of the branch is not a release to move to.
    page = django_page({"5.2.20rc1": [{"packagetype": "sdist"}]})

    passed, lines = django_verdict(audit, page)

    assert passed
    assert lines == [
        "django 5.2.19: the newest release of Django 5.2, which gets security releases until "
        "30 April 2028; Django discloses an issue only with a release of each branch it supports"
    ]
    assert audit.newest_release_verdict({"django": "5.2.19"}, {"django": page}, AUDIT_DAY)[1][
        -1
    ] == ("1 of 1 locked packages checked: no known vulnerability")


def test_without_pip_audit_django_behind_a_security_release_of_its_branch_fails(audit, tmp_path):
    sdist = django_sdist(
        tmp_path,
        "5.2.21",
        {
            "5.2.19": "Fixes CVE-2026-108147.",
            "5.2.20": "CVE-2026-120001: Potential SQL injection\n\nAlso CVE-2026-120002.",
            "5.2.21": "Fixes several bugs in 5.2.20.",
            "6.1.4": "CVE-2026-120003 affects Django 6.1 only.",
        },
    )
    # 5.2.20 was yanked after its release: it still fixed what it fixed.
    yanked = {**sdist, "yanked": True, "url": "https://files.example/yanked.tar.gz"}
    page = django_page({"5.2.20": [yanked], "5.2.21": [sdist]})

    assert django_verdict(audit, page) == (
        False,
        [
            "VULNERABLE django 5.2.19: CVE-2026-120001 (fixed in 5.2.20)",
            "VULNERABLE django 5.2.19: CVE-2026-120002 (fixed in 5.2.20)",
        ],
    )


def test_without_pip_audit_django_behind_a_yanked_security_release_only_fails(audit, tmp_path):
    sdist = django_sdist(tmp_path, "5.2.20", {"5.2.20": "Fixes CVE-2026-120001."})

    passed, lines = django_verdict(audit, django_page({"5.2.20": [{**sdist, "yanked": True}]}))

    assert (passed, lines) == (
        False,
        ["VULNERABLE django 5.2.19: CVE-2026-120001 (fixed in 5.2.20)"],
    )


def test_without_pip_audit_django_behind_bugfix_releases_only_is_clean(audit, tmp_path):
    sdist = django_sdist(tmp_path, "5.2.20", {"5.2.20": "Fixes a crash in the admin."})

    assert django_verdict(audit, django_page({"5.2.20": [sdist]})) == (
        True,
        ["django 5.2.19: Django 5.2.20 fixed no security issue (their release notes name no CVE)"],
    )


@pytest.mark.parametrize(
    ("releases", "reason"),
    [
        ({"5.2.20": []}, "no source archive of a later 5.2 release"),
        (
            {"5.2.20": [], "5.2.21": [{}]},
            "no release notes for Django 5.2.20 in Django 5.2.21's source archive",
        ),
        (
            {"5.2.20": [{"digests": {"sha256": "0" * 64}}]},
            "does not have the SHA-256 PyPI gives for it",
        ),
        ({"5.2.20": [{"url": "file:///nonexistent/django-5.2.20.tar.gz"}]}, "No such file"),
        ({"5.2.20": [{"url": "http://files.example/django-5.2.20.tar.gz"}]}, "not an https"),
    ],
    ids=["listed-without-files", "notes-missing", "tampered", "missing", "not-https"],
)
def test_without_pip_audit_django_is_not_checked_when_its_release_notes_cannot_be_read(
    audit, tmp_path, releases, reason
):
    """Not a vulnerability found: a package not checked, and said so."""
    sdist = django_sdist(tmp_path, "5.2.21", {"5.2.21": "Fixes a crash in the admin."})
    # Each release lists the 5.2.21 archive (with its notes only) as changed here.
    page = django_page(
        {release: [{**sdist, **change} for change in files] for release, files in releases.items()}
    )

    passed, lines = django_verdict(audit, page)

    assert passed
    assert len(lines) == 1
    assert lines[0].startswith("NOT CHECKED django 5.2.19: ")
    assert reason in lines[0]


def test_the_audit_reads_source_archives_over_https_only(tmp_path):
    sdist = django_sdist(tmp_path, "5.2.20", {"5.2.20": "Fixes CVE-2026-120001."})

    passed, lines = django_verdict(load_audit(), django_page({"5.2.20": [sdist]}))

    assert passed
    assert lines == [
        f"NOT CHECKED django 5.2.19: Django 5.2.20's release notes: {sdist['url']} is not an "
        "https address"
    ]


def test_without_pip_audit_django_is_not_checked_outside_its_branchs_security_support(audit):
    page = django_page({})

    assert django_verdict(audit, page, today=datetime.date(2028, 5, 1)) == (
        True,
        ["NOT CHECKED django 5.2.19: Django 5.2's security support ended on 30 April 2028"],
    )
    assert django_verdict(audit, page, version="5.1.15") == (
        True,
        ["NOT CHECKED django 5.1.15: Django 5.1's security support unknown"],
    )


def test_the_audit_reads_every_pinned_line_of_the_locked_requirements():
    requirements = (
        "# uv export\ncelery==5.7.0\n    # via talanoa\n"
        "tzdata==2026.6 ; sys_platform == 'win32'\nDjango==5.2.19\n"
    )
    audit = load_audit()

    assert audit.locked_versions(requirements) == {
        "celery": "5.7.0",
        "tzdata": "2026.6",
        "Django": "5.2.19",
    }
    assert audit.locked_version(requirements, "django") == "5.2.19"


@pytest.mark.django_db
def test_a_load_balancer_can_ask_for_the_web_machines_own_checks_only(health_cache):
    status, body = healthz(data={"checks": "database,broker"})

    assert (status, body) == (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})
    assert healthz(data={"checks": "nonsense"})[1]["checks"].keys() == health.CHECKS.keys()


def test_celery_replaces_a_worker_process_left_over_1024_mb_by_default():
    from config.celery_app import app

    # Celery counts resident memory in KiB; tests/reports/test_report_worker.py shows a
    # real worker replacing its process past the limit.
    assert app.conf.worker_max_memory_per_child == 1024 * 1024


def test_postgresql_connections_plan_without_jit_and_price_random_reads_as_ssd(monkeypatch):
    """Every PostgreSQL connection of the application (web, worker, beat) gets these from
    DATABASE_URL's reading (config/settings/base.py), not from the server's settings."""
    from config.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://talanoa@db.invalid:5432/talanoa")
    options = database_from_env()["OPTIONS"]["options"]
    assert options.split() == ["-c", "jit=off", "-c", "random_page_cost=1.1"]


def test_postgresql_statements_are_bound_on_the_server_and_prepared_unless_turned_off(
    monkeypatch,
):
    """A page's statement keeps its text from one request to the next (parameters apart),
    so psycopg prepares it after five runs; a pooler that cannot keep prepared
    statements turns both off."""
    from config.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://talanoa@db.invalid:5432/talanoa")
    options = database_from_env()["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5

    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    options = database_from_env()["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
