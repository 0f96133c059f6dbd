"""English and French: the French catalogue is complete, current, compiled and faithful to
the English placeholders; dates, numbers and meeting names follow the reader's language.

The catalogue is locale/fr/LC_MESSAGES/django.po, made by MAKEMESSAGES below and compiled
by `manage.py compilemessages --ignore='.venv/*'`; the compiled django.mo is committed, so a
clone needs no gettext tools at run time. These tests need GNU gettext (`xgettext`,
`msgmerge`, `msgfmt`), installed here and in CI.
"""

import ast
import contextlib
import datetime
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from forums.models import ordinal

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# What makemessages must not read.
IGNORED = [".venv/*", "tests/*", "bench/*", "var/*"]
MAKEMESSAGES = "manage.py makemessages -l fr --no-location " + " ".join(
    f"--ignore='{pattern}'" for pattern in IGNORED
)
# Folders never part of a clone (.gitignore) or holding no translatable source.
NOT_SOURCE = {".git", ".venv", "var", "tests", "bench", "locale", "staticfiles", "test-artifacts"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the django domain


# --- reading a .po file --------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (index → text), flags.

    Enough of the format for what makemessages writes; obsolete (#~) entries are skipped.
    """
    entries: list[dict] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": {}}
        field: int | str | None = None  # the msgstr form (an int) or keyword a line continues
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += text
                else:
                    entry[field] += text
            else:
                keyword, literal = line.split(" ", 1)
                match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if match or keyword == "msgstr":
                    field = int(match.group(1)) if match else 0
                    entry["msgstr"][field] = ast.literal_eval(literal)
                else:
                    field = keyword
                    entry[field] = ast.literal_eval(literal)
        if "msgid" in entry and entry["msgid"] != "":  # the header is not a message
            entries.append(entry)
    return entries


def key(entry: dict) -> tuple[str, str, str]:
    return (entry.get("msgctxt", ""), entry["msgid"], entry.get("msgid_plural", ""))


def describe(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    return f"{context}{entry['msgid']!r}"


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return read_po(CATALOGUE)


@pytest.fixture(scope="module")
def current_messages(tmp_path_factory) -> list[dict]:
    """What makemessages finds in the code today, run on a copy of the sources."""
    copy = tmp_path_factory.mktemp("project")
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_SOURCE or path.suffix not in SOURCE_SUFFIXES:
            continue
        if path.is_file():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy / relative)
    locale = copy / "locale"
    locale.mkdir()
    # makemessages reads the current directory and writes to LOCALE_PATHS: both the copy's,
    # so neither the committed catalogue nor the working tree is touched.
    with override_settings(LOCALE_PATHS=[locale]), contextlib.chdir(copy):
        call_command(
            "makemessages",
            locale=["fr"],
            no_location=True,
            ignore_patterns=IGNORED,
            verbosity=0,
        )
    return read_po(locale / "fr" / "LC_MESSAGES" / "django.po")


# --- (a) complete --------------------------------------------------------------------------


def test_every_french_message_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [
        describe(entry)
        for entry in catalogue
        if not entry["msgstr"] or not all(text.strip() for text in entry["msgstr"].values())
    ]
    fuzzy = [describe(entry) for entry in catalogue if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []
    # French has two forms (0 and 1 singular); every plural message gives both.
    assert all(sorted(entry["msgstr"]) == [0, 1] for entry in catalogue if "msgid_plural" in entry)


def test_msgfmt_counts_only_translated_messages():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(r"\d+ translated messages\.", result.stderr.strip()), result.stderr


def test_the_catalogue_header_declares_french_plural_forms():
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: fr\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in header
    assert "charset=UTF-8" in header


# --- (b) current ---------------------------------------------------------------------------


def test_the_catalogue_holds_every_message_the_code_marks_for_translation(
    catalogue, current_messages
):
    committed = {key(entry) for entry in catalogue}
    missing = [describe(entry) for entry in current_messages if key(entry) not in committed]
    assert missing == [], f"run `{MAKEMESSAGES}` and translate the new messages"


def test_the_catalogue_holds_no_message_the_code_no_longer_uses(catalogue, current_messages):
    current = {key(entry) for entry in current_messages}
    stale = [describe(entry) for entry in catalogue if key(entry) not in current]
    assert stale == [], f"run `{MAKEMESSAGES}`: it drops messages no longer in the code"


# --- (c) compiled --------------------------------------------------------------------------


def test_the_committed_mo_is_compiled_from_the_current_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE)], check=True)
    with COMPILED.open("rb") as committed, fresh.open("rb") as compiled:
        assert (
            gettext.GNUTranslations(committed)._catalog
            == gettext.GNUTranslations(compiled)._catalog
        ), "run `manage.py compilemessages --ignore='.venv/*'` and commit django.mo"


def test_django_reads_the_project_catalogue_in_french():
    with translation.override("fr"):
        assert translation.gettext("My work") == "Mon travail"
        assert translation.gettext("Sign in") == "Se connecter"
        assert str(translation.pgettext("hosting status", "Withdrawn")) == "Retiré"
    with translation.override("en"):
        assert translation.gettext("My work") == "My work"


# --- (d) placeholders ----------------------------------------------------------------------

PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # %(name)…
    r"[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision
    r"(?P<kind>[diouxXeEfFgGcrsa%])"
)


def placeholders(text: str) -> list[tuple[str | None, str]]:
    found = [(m["name"], m["kind"]) for m in PLACEHOLDER.finditer(text) if m["kind"] != "%"]
    return sorted(found, key=repr)


def test_each_french_message_keeps_the_english_placeholders(catalogue):
    wrong = []
    for entry in catalogue:
        if "python-format" not in entry["flags"]:
            continue
        singular = placeholders(entry["msgid"])
        plural = placeholders(entry.get("msgid_plural", entry["msgid"]))
        for index, text in entry["msgstr"].items():
            found = placeholders(text)
            if index == 0 and "msgid_plural" in entry:
                # The singular may leave the number out (“this meeting” for 1), never add one.
                ok = set(singular) <= set(found) <= set(plural)
            else:
                ok = found == plural
            if not ok:
                wrong.append(f"{describe(entry)}: {text!r}")
    assert wrong == []


def test_each_french_message_formats_with_the_english_arguments(catalogue):
    """Formatting as the code does (`message % {...}`) raises for a stray or broken `%`."""
    for entry in catalogue:
        if "python-format" not in entry["flags"]:
            continue
        names = {name for name, _kind in placeholders(entry.get("msgid_plural", entry["msgid"]))}
        arguments = dict.fromkeys(names, 3)
        for text in entry["msgstr"].values():
            text % arguments


def test_french_punctuation_has_a_no_break_space_before_double_marks(catalogue):
    """French typography: a no-break space before : ; ? ! and %, never a plain one."""
    plain_space = re.compile(r" [:;?!%]|« | »")
    wrong = [
        f"{describe(entry)}: {text!r}"
        for entry in catalogue
        for text in entry["msgstr"].values()
        if plain_space.search(re.sub(r"%\([^)]*\)[a-z]", "", text))
    ]
    assert wrong == []


# --- dates, numbers and meeting names --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [
        ("en", "Aug. 12, 2025", "1,234.5"),
        ("fr", "12 août 2025", "1\u00a0234,5"),
    ],
)
def test_dates_and_numbers_render_in_the_reader_language(language, date, number):
    template = Template('{{ day|date:"DATE_FORMAT" }} | {{ amount|floatformat:"1g" }}')
    context = Context({"day": datetime.date(2025, 8, 12), "amount": 1234.5})
    with translation.override(language):
        assert template.render(context) == f"{date} | {number}"


@pytest.mark.parametrize(
    ("number", "english", "french"),
    [
        (1, "1st", "1re"),
        (2, "2nd", "2e"),
        (5, "5th", "5e"),
        (11, "11th", "11e"),
        (21, "21st", "21e"),
    ],
)
def test_meeting_ordinals_follow_the_reader_language(number, english, french):
    with translation.override("en"):
        assert ordinal(number) == english
    with translation.override("fr"):
        assert ordinal(number) == french
