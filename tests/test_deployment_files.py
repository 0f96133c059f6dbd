"""The deployment examples run what `make prod` runs, and systemd accepts their units.

deploy/make-prod, the systemd units (deploy/systemd/) and the Compose file
(deploy/compose.yaml) each start the installation's processes through `deploy/run`.
These tests hold the three to one list (the release step, the web server, two Celery
workers, one beat), so that an example cannot drift from what `make prod` runs, which
tests/test_production_server.py starts for real.
"""

import shlex
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.test_production import ROOT

DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
# `deploy/run`'s first argument, once for each process `make prod` starts.
MAKE_PROD_PROCESSES = Counter({"release": 1, "web": 1, "worker": 2, "beat": 1})
INSTALLED_AT = "/srv/talanoa"


def run_kind(command: list[str]) -> str:
    """`deploy/run web` → "web"; any other program is a mistake worth naming."""
    assert Path(command[0]).name == "run" and Path(command[0]).parent.name == "deploy", command
    return command[1]


def make_prod_processes() -> Counter:
    script = (DEPLOY / "make-prod").read_text()
    commands = [
        shlex.split(line.split("&")[0])
        for line in script.splitlines()
        if line.startswith("deploy/run ")
    ]
    return Counter(run_kind(command) for command in commands)


def unit_setting(unit: Path, key: str) -> str:
    """The value of a directive the unit gives once."""
    (line,) = [line for line in unit.read_text().splitlines() if line.startswith(f"{key}=")]
    return line.removeprefix(f"{key}=")


def unit_exec_start(unit: Path) -> list[str]:
    return shlex.split(unit_setting(unit, "ExecStart"))


def compose_services() -> dict[str, dict]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def test_make_prod_starts_the_release_step_web_two_workers_and_beat():
    assert make_prod_processes() == MAKE_PROD_PROCESSES


def test_the_systemd_units_run_the_processes_make_prod_runs():
    kinds = {unit.name: run_kind(unit_exec_start(unit)) for unit in UNITS.glob("*.service")}

    assert set(kinds.values()) == set(MAKE_PROD_PROCESSES)
    # One worker unit, a template: its instances (@1 and @2, README "Production") are
    # the two workers, each named after its instance.
    (worker,) = [name for name, kind in kinds.items() if kind == "worker"]
    assert worker.endswith("@.service")
    assert unit_exec_start(UNITS / worker)[2:] == ["worker%i"]
    assert all(
        unit_exec_start(unit)[0] == f"{INSTALLED_AT}/deploy/run" for unit in UNITS.glob("*.service")
    )


def test_the_compose_file_runs_the_processes_make_prod_runs():
    started: Counter = Counter()
    for service in compose_services().values():
        command = service.get("command")
        if command and command[0].endswith("deploy/run"):
            replicas = service.get("deploy", {}).get("replicas", 1)
            started[run_kind(command)] += replicas

    assert started == MAKE_PROD_PROCESSES


def test_a_stopping_worker_is_signalled_through_its_main_process_only():
    """Celery resets TERM in its pool processes, so a TERM sent to them as well kills the
    jobs in hand mid-way (tests/workinggroups/test_reminders_worker.py shows what stopping
    through the main process keeps). systemd's default KillMode signals every process."""
    assert unit_setting(UNITS / "talanoa-worker@.service", "KillMode") == "mixed"
    # Compose sends its stop signal (TERM unless told otherwise) to the container's first
    # process, which `deploy/run` replaces with Celery's main process (`exec`).
    worker = next(
        service
        for service in compose_services().values()
        if service.get("command", [])[1:2] == ["worker"]
    )
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM" and not worker.get("init")
    assert 'exec "$BIN/celery" -A config --quiet worker' in (DEPLOY / "run").read_text()


def verify_units(folder: Path, units: list[Path]) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` on copies of the units, installed where this checkout is
    (it checks that ExecStart is an executable), the worker template as instance @1."""
    copies = []
    for unit in units:
        copy = folder / unit.name
        copy.write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
        copies.append(folder / unit.name.replace("@.service", "@1.service"))
    return subprocess.run(
        ["systemd-analyze", "verify", *map(str, copies)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)


@needs_systemd_analyze
def test_systemd_accepts_every_unit_without_a_warning(tmp_path):
    result = verify_units(tmp_path, sorted(UNITS.glob("*.service")))

    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@needs_systemd_analyze
def test_the_unit_check_would_report_a_misspelt_directive(tmp_path):
    """So that the silence above means something: systemd only warns on an unknown key."""
    broken = tmp_path / "source" / "talanoa-web.service"
    broken.parent.mkdir()
    broken.write_text((UNITS / "talanoa-web.service").read_text().replace("KillMode=", "KilMode="))
    checked = tmp_path / "checked"
    checked.mkdir()

    result = verify_units(checked, [broken])

    assert "Unknown key 'KilMode'" in result.stdout + result.stderr
