"""The shape the code keeps (CONVENTIONS.md): apps depend one way, a rule has one home,
functions fit on a screen. Read from the source files, so a change that breaks the shape
fails here, not in a review."""

import ast
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "forums",
    "readlog",
    "outcomes",
    "workinggroups",
    "reports",
    "pages",
    "secretariat",
    "config",
)
# Functions stay short everywhere we write them, the data loaders and the benchmark too.
SHORT = (*APPS, "fixtures", "bench", ".ci")
# Each app and the apps it must not import: models depend one way, and the apps that read
# across them (reports, pages, the secretariat's admin) sit above them.
MUST_NOT_IMPORT = {
    "forums": ("readlog", "outcomes", "workinggroups", "reports", "pages", "secretariat"),
    # The read log sits between: every app that shows a TLP:RED item records through it.
    "readlog": ("outcomes", "workinggroups", "reports", "pages", "secretariat"),
    "outcomes": ("workinggroups", "reports", "pages", "secretariat"),
    "workinggroups": ("reports", "pages", "secretariat"),
}
MAX_FUNCTION_LINES = 60


def application_files(folders: tuple[str, ...] = APPS) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if name.split("/")[0] in folders and "/migrations/" not in name and (ROOT / name).exists()
    ]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(MUST_NOT_IMPORT))
def test_apps_import_only_downwards(app):
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in application_files()
        if path.relative_to(ROOT).parts[0] == app
        for name in imported_apps(path) & set(MUST_NOT_IMPORT[app])
    }
    assert wrong == set()


def test_no_application_function_is_longer_than_a_screen():
    long = []
    for path in application_files(SHORT):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []


def test_what_a_current_seat_is_is_spelled_in_one_module():
    spelling = "left_on__isnull"
    modules = {
        str(path.relative_to(ROOT)) for path in application_files() if spelling in path.read_text()
    }
    assert modules == {"forums/models.py"}
