"""Days as a reader reads them, from one place (forums/dates.py): Django's formats in the
reader's language, and French's "1er" for the first of the month."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from forums.dates import STYLES, format_date, with_day_suffix

ROOT = Path(settings.BASE_DIR)
FIRST = datetime.date(2026, 12, 1)
MOMENT = datetime.datetime(2026, 12, 1, 15, 4)


@pytest.mark.parametrize(
    ("style", "english", "french"),
    [
        ("date", "Dec. 1, 2026", "1er décembre 2026"),
        ("long", "1 December 2026", "1er décembre 2026"),
        ("short", "1 Dec 2026", "1er Déc 2026"),
        ("datetime", "Dec. 1, 2026, 3:04 p.m.", "1er décembre 2026 15:04"),
        ("long_time", "1 December 2026, 15:04", "1er décembre 2026, 15:04"),
        ("short_time", "1 Dec 2026 15:04", "1er Déc 2026 15:04"),
    ],
)
def test_the_first_of_the_month_is_1er_in_french_and_plain_in_english(style, english, french):
    day = MOMENT if "time" in style else FIRST
    with translation.override("en"):
        assert format_date(day, style) == english
    with translation.override("fr"):
        assert format_date(day, style) == french


@pytest.mark.parametrize("day", [2, 11, 21, 31])
def test_other_days_are_cardinal_in_french(day):
    with translation.override("fr"):
        assert format_date(datetime.date(2026, 12, day)) == f"{day} décembre 2026"


def test_only_the_day_letter_gets_the_suffix():
    assert with_day_suffix("j F Y", "er") == r"j\e\r F Y"
    assert with_day_suffix(r"\j j", "er") == r"\j j\e\r"  # an escaped j is a literal


def test_every_style_formats_a_date_and_a_datetime():
    for style in STYLES:
        assert format_date(MOMENT, style)


def test_the_filter_shows_a_moment_in_the_readers_time_zone():
    """23:30 UTC on 30 November is already 1 December in Apia (UTC+13)."""
    moment = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    template = Template(
        '{% load dates %}{{ moment|format_date:"datetime" }}|{{ none|format_date }}'
    )
    with translation.override("fr"), timezone.override(ZoneInfo("Pacific/Apia")):
        assert template.render(Context({"moment": moment, "none": None})) == (
            "1er décembre 2026 12:30|"
        )


# --- one home ----------------------------------------------------------------------------------

# Where a day may still be written another way: machine-readable, not for a reader.
ALLOWED = {
    # <time datetime="…">: ISO 8601 for the browser and assistive technology.
    ("pages/templates/pages/task.html", "update.created_at|date:'c'"),
}
WRITES_A_DAY = re.compile(r"\|\s*(?:date|time)\b|\b(?:date_format|time_format|strftime)\(")
NOT_SOURCE = {".git", ".venv", "var", "tests", "locale", "staticfiles", "test-artifacts"}
HOME = "forums/dates.py"


def source_files():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if (
            relative.parts[0] in NOT_SOURCE
            or "migrations" in relative.parts
            or path.suffix not in {".py", ".html", ".txt", ".xml"}
            or not path.is_file()
        ):
            continue
        yield relative.as_posix(), path.read_text(errors="replace")


def test_days_for_readers_are_written_by_format_date_only():
    found = []
    for name, text in source_files():
        if name == HOME:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in WRITES_A_DAY.finditer(line):
                if not any(name == where and what in line for where, what in ALLOWED):
                    found.append(f"{name}:{number}: {line.strip()[:100]} ({match.group()})")
    assert found == [], "write days with forums.dates.format_date or its `format_date` filter"


def test_the_allowlist_names_only_what_is_still_there():
    texts = dict(source_files())
    assert all(what in texts.get(where, "") for where, what in ALLOWED)
