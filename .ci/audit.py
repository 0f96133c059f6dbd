"""pip-audit over the locked dependencies; a loud notice, not a silent pass, when it cannot run.

`make audit` and CI: every package uv.lock pins (dev tools included: CI runs them) is
checked with pip-audit against an advisory database, PyPI's (the default) or else OSV's.
A known vulnerability fails, and so does a dependency that could not be checked
(`--strict`): pip-audit on its own reports "No known vulnerabilities found" and exits 0
when PyPI answers 404 for every package, having checked nothing.

When neither advisory service can be reached from this machine (probed first, with the
locked Django as the question), pip-audit is not run: it prints "pip-audit NOT RUN"
with the reason, so that CI on a closed network still runs. What can still be checked
is then checked: PyPI's page of a project (not of a release) lists the known
vulnerabilities of its newest release, which answers for every package we lock at its
newest release. Django, locked on its long-term-support branch rather than at its
newest release, is checked by Django's own disclosure policy instead (see
`django_branch_verdict`). A vulnerability found fails; every package neither check
answers for is named as not checked. Any other failure is a failure.
"""

import concurrent.futures
import datetime
import hashlib
import http.client
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYPI_RELEASE_URL = "https://pypi.org/pypi/{name}/{version}/json"  # what pip-audit asks
OSV_QUERY_URL = "https://api.osv.dev/v1/query"
PYPI_PROJECT_URL = "https://pypi.org/pypi/{name}/json"  # the newest release's advisories
PROBE_TIMEOUT_SECONDS = 10
DOWNLOAD_TIMEOUT_SECONDS = 120
ARCHIVE_URL_SCHEMES = {"https"}  # where a source archive may be read from

# Django discloses a security issue only on the day it issues a release of every branch
# it supports, whose release notes name the CVE ("How Django discloses security issues",
# docs/internals/security.txt). So, while its branch is supported, a Django release has
# a known vulnerability only if a later release of that branch names one in its notes.
# When each branch's security support ends: https://www.djangoproject.com/download/ (5.2
# LTS: April 2028; 30 April by https://endoflife.date/django).
DJANGO_SECURITY_SUPPORT_ENDS = {"5.2": datetime.date(2028, 4, 30)}


def locked_requirements() -> str:
    return subprocess.run(
        [
            str(BIN / "uv"),
            "export",
            "--frozen",
            "--no-hashes",
            "--no-emit-project",
            "--all-groups",
            "--format",
            "requirements-txt",
            "--quiet",
        ],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(ROOT / ".venv")},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def locked_versions(requirements: str) -> dict[str, str]:
    """{name: version} of every pinned line ("name==version ; markers")."""
    return dict(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", requirements, re.MULTILINE))


def locked_version(requirements: str, name: str) -> str:
    versions = {
        locked.lower(): version for locked, version in locked_versions(requirements).items()
    }
    if name not in versions:
        raise SystemExit(f"audit: {name} is not in the locked requirements")
    return versions[name]


def unanswered(request: urllib.request.Request) -> str | None:
    """None when the service answers the question, else why it did not."""
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_SECONDS):
            return None
    except urllib.error.HTTPError as error:
        return f"{request.full_url} answers HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"{request.full_url} is unreachable ({getattr(error, 'reason', error)})"


def reachable_service(django_version: str) -> tuple[str | None, list[str]]:
    """The advisory service to use ("pypi" or "osv"), or None and why neither answers."""
    reasons = []
    pypi = unanswered(
        urllib.request.Request(PYPI_RELEASE_URL.format(name="django", version=django_version))
    )
    if pypi is None:
        return "pypi", []
    reasons.append(pypi)
    question = {"package": {"name": "django", "ecosystem": "PyPI"}, "version": django_version}
    osv = unanswered(
        urllib.request.Request(
            OSV_QUERY_URL,
            data=json.dumps(question).encode(),
            headers={"Content-Type": "application/json"},
        )
    )
    if osv is None:
        return "osv", reasons
    reasons.append(osv)
    return None, reasons


def verdict(report: dict) -> tuple[bool, list[str]]:
    """From pip-audit's JSON report: passed?, and the lines that say why."""
    lines, passed = [], True
    dependencies = report.get("dependencies", [])
    for dependency in dependencies:
        name, version = dependency.get("name"), dependency.get("version", "?")
        if dependency.get("skip_reason"):
            passed = False
            lines.append(f"NOT AUDITED {name} {version}: {dependency['skip_reason']}")
        for vulnerability in dependency.get("vulns", []):
            passed = False
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version"
            lines.append(f"VULNERABLE {name} {version}: {vulnerability['id']} (fixed in {fixed})")
    if not dependencies:
        passed = False
        lines.append("pip-audit reported no dependencies at all")
    if passed:
        lines.append(f"{len(dependencies)} locked dependencies, no known vulnerabilities")
    return passed, lines


def pypi_project(name: str) -> dict | str:
    """PyPI's JSON page of a project, or why it could not be read."""
    url = PYPI_PROJECT_URL.format(name=name)
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_SECONDS) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return f"{url} answers HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        return f"{url} could not be read ({getattr(error, 'reason', error)})"


def parsed(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def release_notes_from_sdist(project: dict, release: str) -> dict[str, str]:
    """{"5.2.20": text} of every docs/releases/*.txt in a Django release's source archive.

    The archive's address is read off the project page (relative to it on some mirrors)
    and must be https; its SHA-256 must be the page's, so what is read is the file the
    index lists. Nothing is extracted to disk.
    """
    (sdist,) = [file for file in project["releases"][release] if file["packagetype"] == "sdist"]
    url = urllib.parse.urljoin(PYPI_PROJECT_URL.format(name="django"), sdist["url"])
    if urllib.parse.urlsplit(url).scheme not in ARCHIVE_URL_SCHEMES:
        raise ValueError(f"{url} is not an https address")
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        archive = response.read()
    if hashlib.sha256(archive).hexdigest() != sdist["digests"]["sha256"]:
        raise ValueError(f"{url} does not have the SHA-256 PyPI gives for it")
    notes = {}
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            is_release_notes = path.parent.parts[-2:] == ("docs", "releases")
            if member.isfile() and is_release_notes and path.suffix == ".txt":
                text = tar.extractfile(member)
                if text is not None:  # None for what is not a regular file
                    notes[path.stem] = text.read().decode()
    return notes


def django_branch_verdict(
    version: str, project: dict, today: datetime.date
) -> tuple[bool | None, list[str]]:
    """Clean (True), vulnerable (False) or not checked (None), and why, for a locked Django.

    Every later release of its branch counts, yanked or listed without files included:
    a release yanked after it fixed a CVE still says the locked one has it.
    """
    locked = Version(version)
    branch = f"{locked.major}.{locked.minor}"
    support_ends = DJANGO_SECURITY_SUPPORT_ENDS.get(branch)
    if support_ends is None:
        return None, [f"NOT CHECKED django {version}: Django {branch}'s security support unknown"]
    if today > support_ends:
        return None, [
            f"NOT CHECKED django {version}: Django {branch}'s security support ended on "
            f"{support_ends:%d %B %Y}"
        ]
    later = later_branch_releases(project["releases"], locked)
    if not later:
        return True, [
            f"django {version}: the newest release of Django {branch}, which gets security "
            f"releases until {support_ends:%d %B %Y}; Django discloses an issue only with a "
            "release of each branch it supports"
        ]
    return later_release_notes_verdict(version, branch, project, later)


def later_branch_releases(
    releases: dict[str, list[dict]], locked: Version
) -> list[tuple[Version, str]]:
    """(version, name) of each later release of `locked`'s branch but pre-releases, oldest first."""
    return sorted(
        (release, name)
        for name in releases
        if (release := parsed(name)) is not None
        and not release.is_prerelease
        and release.release[:2] == locked.release[:2]
        and release > locked
    )


def later_release_notes_verdict(
    version: str, branch: str, project: dict, later: list[tuple[Version, str]]
) -> tuple[bool | None, list[str]]:
    """`django_branch_verdict` from the release notes of the `later` releases of the branch.

    Their notes are read from the source archive of the newest of them that has one, which
    carries the notes of every release before it; a release whose notes are not there
    leaves Django not checked, unless another names a CVE.
    """
    releases: dict[str, list[dict]] = project["releases"]
    with_archive = [
        name
        for _, name in later
        if any(file.get("packagetype") == "sdist" for file in releases[name])
    ]
    if not with_archive:
        return None, [
            f"NOT CHECKED django {version}: no source archive of a later {branch} release"
        ]
    try:
        notes = release_notes_from_sdist(project, with_archive[-1])
    except (
        urllib.error.URLError,
        OSError,
        ValueError,
        KeyError,
        tarfile.TarError,
        http.client.HTTPException,
    ) as error:
        return None, [
            f"NOT CHECKED django {version}: Django {with_archive[-1]}'s release notes: {error}"
        ]
    lines = [
        f"VULNERABLE django {version}: {cve} (fixed in {release})"
        for release, name in later
        for cve in sorted(set(re.findall(r"\bCVE-\d{4}-\d+", notes.get(name, ""))))
    ]
    if lines:
        return False, lines
    unread = [name for _, name in later if name not in notes]
    if unread:
        return None, [
            f"NOT CHECKED django {version}: no release notes for Django {', '.join(unread)} "
            f"in Django {with_archive[-1]}'s source archive"
        ]
    return True, [
        f"django {version}: Django {', '.join(name for _, name in later)} fixed no security "
        "issue (their release notes name no CVE)"
    ]


def newest_release_verdict(
    locked: dict[str, str], projects: dict[str, dict | str], today: datetime.date
) -> tuple[bool, list[str]]:
    """Passed?, and why, from each locked package's PyPI project page (or why it is missing).

    A project page's "vulnerabilities" are those of its newest release ("info" "version"),
    so they answer only for a package locked at that release; Django is answered for by
    its branch (`django_branch_verdict`); the others are listed as not checked, never
    counted as clean.
    """
    lines, unchecked, passed, clean = [], [], True, 0
    for name, version in sorted(locked.items()):
        project = projects[name]
        if isinstance(project, str):
            unchecked.append(f"NOT CHECKED {name} {version}: {project}")
            continue
        newest = parsed(project["info"]["version"])
        advisories = project.get("vulnerabilities")
        if newest is None or not isinstance(advisories, list):
            unchecked.append(f"NOT CHECKED {name} {version}: PyPI's page lists no advisories")
            continue
        if name.lower() == "django" and newest != Version(version):
            branch_clean, branch_lines = django_branch_verdict(version, project, today)
            if branch_clean is None:
                unchecked += branch_lines
            else:
                passed &= branch_clean
                clean += branch_clean
                lines += branch_lines
            continue
        if newest != Version(version):
            unchecked.append(
                f"NOT CHECKED {name} {version}: PyPI lists advisories for its newest release, "
                f"{newest}, only"
            )
            continue
        vulnerabilities = [
            vulnerability for vulnerability in advisories if not vulnerability.get("withdrawn")
        ]
        for vulnerability in vulnerabilities:
            passed = False
            fixed = ", ".join(vulnerability.get("fixed_in") or []) or "no fixed version"
            lines.append(f"VULNERABLE {name} {version}: {vulnerability['id']} (fixed in {fixed})")
        clean += not vulnerabilities
    lines.append(f"{clean} of {len(locked)} locked packages checked: no known vulnerability")
    return passed, lines + unchecked


def newest_upload(projects: dict[str, dict | str]) -> str:
    """The newest upload on the pages read: a mirror's data is as fresh as its last sync."""
    return max(
        (
            file["upload_time_iso_8601"]
            for project in projects.values()
            if isinstance(project, dict)
            for file in project.get("urls", [])
            if file.get("upload_time_iso_8601")
        ),
        default="none",
    )


def newest_release_check(requirements: str) -> int:
    """The check PyPI's project pages still allow; 1 on a vulnerability found."""
    locked = locked_versions(requirements)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        projects = dict(zip(locked, pool.map(pypi_project, locked), strict=True))
    passed, lines = newest_release_verdict(locked, projects, datetime.date.today())
    print(
        "What can be checked instead, against PyPI's project pages (the newest upload they "
        f"list: {newest_upload(projects)}; a mirror's advisories are as recent as its sync):",
        *lines,
        sep="\n",
    )
    return 0 if passed else 1


def main() -> int:
    requirements = locked_requirements()
    service, reasons = reachable_service(locked_version(requirements, "django"))
    if service is None:
        banner = "!" * 78
        print(banner, "pip-audit NOT RUN: no advisory database answers here:", sep="\n")
        print(*(f"  - {reason}" for reason in reasons), sep="\n")
        print("Run `make audit` where PyPI or OSV is reachable.", banner, sep="\n")
        return newest_release_check(requirements)
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "requirements.txt"
        locked.write_text(requirements)
        result = subprocess.run(
            [
                str(BIN / "pip-audit"),
                "--requirement",
                str(locked),
                "--disable-pip",  # uv.lock pins every package: nothing to resolve
                "--no-deps",
                "--strict",
                "--vulnerability-service",
                service,
                "--format",
                "json",
                "--progress-spinner",
                "off",
            ],
            capture_output=True,
            text=True,
        )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        print(f"pip-audit failed (exit {result.returncode}) without a report", file=sys.stderr)
        return 1
    passed, lines = verdict(report)
    print(f"pip-audit against {service}:", *lines, sep="\n")
    if result.returncode != 0 and passed:
        print(result.stderr, file=sys.stderr)
        return result.returncode
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
