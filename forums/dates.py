"""How a day is written for a reader: the one place, for pages, reports and e-mails.

Django's formats in the active language, with what they leave out: French writes the
first day of a month as an ordinal, "1er décembre 2026" (and "2 décembre 2026" after it).
Technical dates (ISO 8601 in CSV, iCalendar, Akoma Ntoso, HTTP headers) are not for a
reader and do not come through here.
"""

import datetime

from django.conf import settings
from django.utils import dateformat, formats, translation

# A style names a Django format (localised per language) or a pattern of Django's own.
STYLES: dict[str, str] = {
    "date": "DATE_FORMAT",  # the pages: "Aug. 12, 2025", "12 août 2025"
    "datetime": "DATETIME_FORMAT",  # a page's moment, in the reader's time zone
    "long": "j F Y",  # e-mails: "12 August 2025", "12 août 2025"
    "long_time": "j F Y, H:i",
    "short": "j M Y",  # the chair's report and short lists: "12 Aug 2025"
    "day_month": "j M",  # a week in a chart of the chair's report: "12 Aug"
    "month": "M Y",  # a month in a chart of the chair's report: "Aug 2025"
    "short_time": "j M Y H:i",
}
# Languages that write the first of the month as an ordinal: the suffix after the "1".
FIRST_DAY_SUFFIX: dict[str, str] = {"fr": "er"}


def format_date(day: datetime.date | datetime.datetime, style: str = "date") -> str:
    """`day` as the active language writes it in `style` (a key of STYLES).

    A datetime is written in its own time zone: convert it first (the template filter
    does, to the reader's zone, as Django's `date` filter does).
    """
    pattern = STYLES[style]
    if pattern.endswith("_FORMAT"):
        pattern = formats.get_format(pattern)
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    suffix = FIRST_DAY_SUFFIX.get(language)
    if suffix and day.day == 1:
        pattern = with_day_suffix(pattern, suffix)
    return dateformat.format(day, pattern)


def with_day_suffix(pattern: str, suffix: str) -> str:
    """The pattern with `suffix` written after its day of the month (`j`), as literals."""
    escaped = "".join(f"\\{letter}" for letter in suffix)
    out, letters = [], iter(pattern)
    for letter in letters:
        if letter == "\\":  # an escaped letter is a literal: keep it as it is
            out.append(letter + next(letters, ""))
        else:
            out.append(letter + escaped if letter == "j" else letter)
    return "".join(out)
