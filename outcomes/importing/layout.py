"""What a published statement carries besides its outcomes, read off before they are.

Communiqués reach the secretariat as PDFs, web pages and pasted copies of either, and bring
their layout with them: a title block (forum, meeting, place, dates, a document symbol),
running headers and page numbers repeated on every page, share and print links, a news
site's section line and links to its other stories, annexes after the body, words
hyphenated at line ends, quote marks mangled by old PDF tools. `read_layout` takes the
cleaned lines of such a text and returns the body's lines (each keeping its line number,
for the preview) with the rest set apart: the title, place and adoption date, the
furniture it dropped (listed, so nothing vanishes unseen) and the annexes.
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

# Old PDF tools write a double quote as "‟", "„" or two ASCII marks; "‟" and "„" stand
# for either end, so which end is read from what stands before them.
PAIRED_QUOTES = {"``": "\u201c", "''": "\u201d"}
STRAY_QUOTE = re.compile(r"(^|[\s(\[\u2014\u2013-])?[\u201f\u201e]")
SENTENCE_END = tuple('.;:!?”")\u2019')

# Word's second-level bullet glyph, pasted as a plain "o": a bullet only when the item's
# own number or letter follows it ("o 1. Ministers …"), since "o" alone is also a word.
LETTER_O_BULLET = r"o(?=\s+(?:\(\w{1,4}\)|\w{1,4}[.)])\s)"
# A line that begins an item: a number, a letter, a roman numeral or a bullet, then a space.
ITEM_START = re.compile(
    r"^(?:\(\d+\)|\d+(?:\.\d+)*[.)]|\d{1,2}(?:\.\d+)*|\(?[A-Za-z]{1,4}[.)]"
    rf"|[•●◦▪‣∙·*\-\u2013\u2014►➢❖■\uf0b7\uf0a7\uf0d8]|{LETTER_O_BULLET})\s"
)
# The words a numbered section opens with: "Part II", "Strategic Focus Area 1:", "Pillar 3".
SECTION_NOUN = (
    r"(?:(?:strategic|key|thematic|priority)\s+)?"
    r"(?:section|part|chapter|pillar|annex|focus\s+area|priority\s+area|result\s+area"
    r"|theme|objective|goal)"
)
# A line with one of these verbs is a sentence (the first paragraph's, wrapped), not a title.
SENTENCE_VERB = re.compile(r"\b(?:was|were|is|are|met|held|has|have|had|will)\b")
SECTION_START = re.compile(rf"^{SECTION_NOUN}\s+\w+", re.IGNORECASE)
# Any other short name a plan gives its parts, when the part's number and a separator
# stand before its title: "Action Area 2: Cyber Security", "Pillar 3 - Oceans",
# "Objective 4. Data", "Theme II: Climate". The separator tells it from a sentence that
# happens to start with capitals and a number.
NUMBERED_TITLE = re.compile(
    r"^(?P<noun>[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,3})\s+"
    r"(?P<token>\d{1,2}|[IVXLC]{1,6})(?:\s*:|\.|\s+[-\u2013\u2014])\s+(?P<rest>\S.*)$"
)

# A page-number line: "Page 3 of 12", "3/12", "- 3 -", or a footer whose page number
# stands after a run of spaces ("Record of Outcomes          Page 1 of 2"), as PDF tools
# lay out a footer's left and right parts.
PAGE_NUMBER = re.compile(
    r"^(?:(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?"
    r"|[-\u2013\u2014]\s*\d{1,3}\s*[-\u2013\u2014]"
    r"|.*\S\s{2,}page\s+\d{1,3}\s*(?:of|/)\s*\d{1,3})$",
    re.IGNORECASE,
)
# The page number a running footer ends with, left out when its words are counted.
PAGE_SUFFIX = re.compile(
    r"[\s|\u2013\u2014-]*\bpage\s+\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.IGNORECASE
)

# Whole lines that belong to the page or the web page, not to the statement.
FURNITURE = re.compile(
    r"""^(?:
        back\s+to\s+(?:index|top|contents|list|news)
      | .*\bprinted\s+verbatim\s+below\b.*
      | share(?:\s+(?:this|on\s+\w+))?(?:\s+(?:page|article|story|post))?\s*:?
        (?:\s*(?:facebook|twitter|linkedin|whatsapp|e-?mail|print|x)\s*[|,\u00b7•/]?)*
      | print(?:\s+(?:this\s+)?(?:page|article|story))?
      | (?:(?:facebook|twitter|linkedin|whatsapp|e-?mail|tweet|pinterest|reddit|telegram|print)
         \s*[|,\u00b7•/]?\s*)+
      | skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation|menu)
      | download(?:\s+\w+){0,3}\s*(?:\(?\s*pdf\b.*)?
      | (?:home|news)\s*(?:[>»/|]\s*[^>»/|]+)+
      | (?:press|media)\s+release | for\s+immediate\s+release | embargoed\b.*
      | (?:read|see)\s+more | (?:read\s+more|related|see\s+also)\s*:.*
      | (?:unclassified|official|confidential|restricted)
      | for\s+information\s+media\.?\s*not\s+an\s+official\s+record\.?
      | meetings\s+coverage\s+and\s+press\s+releases
      | (?:call|tel|telephone|phone|fax|email|e-mail)\s*:\s*[+\d(][\d\s()+-]*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# The heading a news site puts over its list of other headlines at the foot of a story.
RELATED_HEADING = re.compile(
    r"^(?:related\s+(?:news|articles|stories|posts|content)|more\s+(?:stories|news|articles)"
    r"|most\s+(?:read|popular|viewed)|latest\s+news)\s*:?$",
    re.IGNORECASE,
)
# A news site's section line over a pasted story: "Pacific news | Regional".
SITE_SECTION = re.compile(r"^[^|.;:]{2,40}(?:\s\|\s[^|.;:]{2,40})+$")

MONTHS = [
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
]
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
MONTH += r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
ORDINAL = r"(?:st|nd|rd|th)?"
RANGE_START = rf"(?:\d{{1,2}}{ORDINAL}(?:\s+{MONTH})?\s*(?:-|\u2013|\u2014|to|and)\s*)?"
DAY_MONTH_YEAR = re.compile(
    rf"{RANGE_START}(?P<day>\d{{1,2}}){ORDINAL}\s+(?P<month>{MONTH})\.?,?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
MONTH_DAY_YEAR = re.compile(
    rf"(?P<month>{MONTH})\.?\s+(?:\d{{1,2}}{ORDINAL}\s*(?:-|\u2013|\u2014|to|and)\s*)?"
    rf"(?P<day>\d{{1,2}}){ORDINAL},?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
MONTH_START = re.compile(rf"^{MONTH}\b", re.IGNORECASE)
WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b,?", re.IGNORECASE)
PLACE = re.compile(r"^[A-Z][\w\u2019'.\- ]*(?:,\s*[A-Z][\w\u2019'.\- ]*)+$")
# What is left of a line once its date is taken: "Vientiane" in "Vientiane, 27 July 2024".
PLACE_BEFORE_DATE = re.compile(r"^[A-Z][\w\u2019'.\- ]*(?:,\s*[A-Z][\w\u2019'.\- ]*)*$")
SYMBOL = re.compile(r"^[A-Z]{2,}[A-Z/]*\s*\(\d{2}\)\s*\d+\S*$|^[A-Z]{1,6}(?:/[\w.]+){2,}$")
# Words that make a line at the top a title rather than the first heading of the body.
TITLE_WORDS = re.compile(
    r"communiqu|outcome|statement|declaration|\bplan\b|record|meeting|forum|summit"
    r"|conference|dialogue|minister|leaders|report|chair|session|joint|agreement|summary"
    r"|decisions|resolution|heads|action",
    re.IGNORECASE,
)
# The words that name the kind of document, in the line that is its title.
DOCUMENT_KIND = re.compile(
    r"communiqu|outcomes?\b|statement|declaration|resolutions|\bplan\b"
    r"|record\b|summary|decisions|minutes|treaty",
    re.IGNORECASE,
)
ANNEX = re.compile(
    r"^(?:annex(?:ure)?|attachment|appendix)(?:\s+(?:[A-Z]|[IVXLC]+|\d{1,2}))?\b"
    r"\s*[:.\-\u2013\u2014]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


@dataclass
class Line:
    number: int  # 1-based line of the extracted text
    indent: int
    text: str


@dataclass
class Layout:
    lines: list[Line]  # the body, furniture and title block and annexes taken out
    title: str = ""
    place: str = ""
    adopted_on: str = ""  # ISO date, the last day of the meeting
    furniture: list[str] = field(default_factory=list)  # each dropped line once
    furniture_count: int = 0  # how many lines were dropped
    annexes: list[dict] = field(default_factory=list)


def clean_lines(text: str) -> list[Line]:
    """The text's lines, numbered, indentation measured, stray quote marks normalised."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n")
    for stray, quote in PAIRED_QUOTES.items():
        text = text.replace(stray, quote)
    text = STRAY_QUOTE.sub(_quote_end, text)
    lines = []
    for number, raw in enumerate(text.split("\n"), 1):
        raw = raw.replace("\t", "    ").replace("\u00a0", " ").rstrip()
        stripped = raw.lstrip()
        lines.append(Line(number, len(raw) - len(stripped), stripped))
    return lines


def _quote_end(match: re.Match) -> str:
    """An opening quote after a space or a bracket, a closing one after a word."""
    before = match.group(1)
    return f"{before}\u201c" if before is not None else "\u201d"


def read_layout(lines: list[Line]) -> Layout:
    """Set apart the title block, the page and web furniture and the annexes."""
    layout = Layout(lines=[])
    dropped = {line.number for line in lines if line.text and _is_furniture(line.text)}
    dropped |= _site_section_line(lines, dropped) | _related_headlines(lines, dropped)
    remaining = [line for line in lines if line.number not in dropped]
    body_start = _read_title_block(remaining, layout)
    repeated = _running_lines(lines)
    dropped |= {
        line.number
        for line in remaining
        if line.number >= body_start and line.text and _key(line.text) in repeated
    }
    body = [line for line in lines if line.number >= body_start]
    dropped |= _lone_dates(body, layout)
    dropped |= _headers_beside_page_numbers(body, dropped)
    layout.lines = _split_annexes(_join_across_dropped(body, dropped), layout)
    furniture = [line.text for line in lines if line.number in dropped]
    layout.furniture = list(dict.fromkeys(furniture))
    layout.furniture_count = len(furniture)
    return layout


def _is_furniture(text: str) -> bool:
    return bool(FURNITURE.match(text) or PAGE_NUMBER.match(text) or RELATED_HEADING.match(text))


def _site_section_line(lines: list[Line], dropped: set[int]) -> set[int]:
    """The first line, when it is a news site's short section line ("Pacific news |
    Regional") rather than a title naming the document."""
    first = next((line for line in lines if line.text and line.number not in dropped), None)
    if first is None or len(first.text.split()) > 8 or DOCUMENT_KIND.search(first.text):
        return set()
    return {first.number} if SITE_SECTION.match(first.text) else set()


def _related_headlines(lines: list[Line], dropped: set[int]) -> set[int]:
    """The headlines a news site lists under "Related articles", "Most read" …: the short
    lines after the heading with no sentence's end, up to the end of the text or to the
    first line that goes back to the statement (a numbered item, an annex)."""
    found: set[int] = set()
    headings = [line.number for line in lines if RELATED_HEADING.match(line.text)]
    if not headings:
        return found
    for line in lines:
        if line.number <= headings[0] or not line.text or line.number in dropped:
            continue
        if RELATED_HEADING.match(line.text):
            continue
        if not _is_headline(line.text):
            break
        found.add(line.number)
    return found


def _is_headline(text: str) -> bool:
    return (
        len(text.split()) <= 15
        and not text.endswith((".", ";", ":"))
        and not ITEM_START.match(text)
        and not SECTION_START.match(text)
        and not ANNEX.match(text)
    )


# --- the title block -------------------------------------------------------------------------


def _read_title_block(lines: list[Line], layout: Layout) -> int:
    """Read the title, place and date from the short lines at the top; return the number
    of the body's first line."""
    block: list[Line] = []
    for line in lines:
        if not line.text:
            continue
        if not _is_title_line(line.text):
            break
        block.append(line)
    # The last short line over the first paragraph is its heading unless it names the
    # document ("COMMUNIQUÉ", "OUTCOMES …") or is a date, a place or a symbol; and it is a
    # heading when the list under it starts again under later headings.
    while block and (
        not _names_the_document(block[-1].text) or _heads_a_restarting_list(block[-1], lines)
    ):
        block.pop()
    if not block:
        return 1
    title_lines = []
    for line in block:
        if not _read_date_or_place(line.text, layout) and not SYMBOL.match(line.text):
            title_lines.append(line.text)
    # The line naming the kind of document is the title ("FORUM COMMUNIQUÉ" under the
    # meeting's name); failing one, all the lines are. A block names what the document
    # belongs to before the document itself ("IMPLEMENTATION PLAN" under the declaration
    # it implements), so the last such line is the title.
    naming = [text for text in title_lines if DOCUMENT_KIND.search(text)]
    layout.title = naming[-1] if naming else " ".join(title_lines)
    return block[-1].number + 1


def _heads_a_restarting_list(heading: Line, lines: list[Line]) -> bool:
    """The line is over an item whose marker ("(i)", "• 1.") opens another list later."""
    if last_date(heading.text) or PLACE.match(heading.text) or SYMBOL.match(heading.text):
        return False
    after = [line.text for line in lines if line.number > heading.number and line.text]
    if not after or not ITEM_START.match(after[0]):
        return False
    marker = after[0].split()[0] if after[0][:1].isalnum() or after[0][:1] == "(" else ""
    marker = marker or " ".join(after[0].split()[:2])
    # Again under a later short heading (not an annex's): "Strategic Plan" over "(i)".
    again = sum(
        text.startswith(f"{marker} ") and _is_subtitle(above) and not ANNEX.match(above)
        for above, text in itertools.pairwise(after)
    )
    return again >= 1


def _is_title_line(text: str) -> bool:
    if last_date(text) and len(text.split()) <= 12:
        return True
    if _is_long_document_name(text):
        return True
    if ITEM_START.match(text) or SECTION_START.match(text) or ANNEX.match(text):
        return False
    if NUMBERED_TITLE.match(text):
        return False
    # A line ending with a comma is a sentence wrapped mid-list ("Ministers representing
    # Australia, Fiji, …,"), however short and verbless.
    return (
        len(text.split()) <= 12
        and (not text.endswith(SENTENCE_END) or text.endswith("”"))
        and not text.endswith(",")
        and not SENTENCE_VERB.search(text)
    )


# A title written out in full names its kind first and may end with the meeting's short
# name in brackets: "Statement of Outcomes from the … Meeting (FFC Min21)".
LONG_DOCUMENT_NAME = re.compile(
    r"^(?:(?:the|joint|final|summary)\s+)?(?:statement|communiqu\S*|record|outcomes?"
    r"|declaration|resolutions?|decisions)\s+(?:of|from|on)\s+\S",
    re.IGNORECASE,
)


def _is_long_document_name(text: str) -> bool:
    """A long line that is the document's name, not a sentence: it opens with the kind of
    document and has no verb, and any sentence end it has is a bracketed short name."""
    if len(text.split()) > 30 or SENTENCE_VERB.search(text):
        return False
    without_short_name = re.sub(r"\s\([^()]*\)$", "", text)
    return bool(LONG_DOCUMENT_NAME.match(text)) and not without_short_name.endswith(SENTENCE_END)


def _names_the_document(text: str) -> bool:
    return bool(
        TITLE_WORDS.search(text) or last_date(text) or PLACE.match(text) or SYMBOL.match(text)
    )


def _read_date_or_place(text: str, layout: Layout) -> bool:
    """Record the date (the last day) and the place a title line gives; True if it did."""
    found = _date_match(text)
    if found is not None:
        match, iso = found
        layout.adopted_on = iso
        before = WEEKDAY.sub("", text[: match.start()])
        before = re.sub(
            r"(?i)\b(?:held\s+)?(?:at|in|on|from)\b|\b(?:held|posted|published|issued"
            r"|updated|released|dated?)\b:?",
            " ",
            before,
        )
        before = re.sub(r"\s+", " ", before).strip(" ,;:-\u2013\u2014")
        short = len(before.split()) <= 6
        if before and short and not layout.place and PLACE_BEFORE_DATE.match(before):
            layout.place = before
        return True
    if PLACE.match(text) and len(text.split()) <= 6 and not DOCUMENT_KIND.search(text):
        layout.place = layout.place or text
        return True
    return False


def _date_match(text: str) -> tuple[re.Match, str] | None:
    matches = [m for p in (DAY_MONTH_YEAR, MONTH_DAY_YEAR) for m in p.finditer(text)]
    for match in sorted(matches, key=lambda m: m.end(), reverse=True):
        month_name = match.group("month").lower()[:3]
        month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(month_name))
        try:
            day = date(int(match.group("year")), month, int(match.group("day")))
        except ValueError:
            continue
        return match, day.isoformat()
    return None


def last_date(text: str) -> str:
    """The last date a line gives, as an ISO date ("12-14 August 2019" → 2019-08-14)."""
    found = _date_match(text)
    return found[1] if found else ""


def is_date_line(text: str) -> bool:
    """A line that is a date and little else ("8 July 2022", "Suva, 8 July 2022")."""
    found = _date_match(text)
    if found is None:
        return False
    rest = text[: found[0].start()] + text[found[0].end() :]
    return len(rest.split()) <= 4 and not rest.rstrip().endswith((".", ";"))


def _lone_dates(lines: list[Line], layout: Layout) -> set[int]:
    """Date lines standing alone in the body ("Suva, 8 July 2022" over the signatures, a
    web page's posting date): never an outcome; the first dates the document if the title
    block did not."""
    found = set()
    padded = [Line(0, 0, ""), *lines, Line(0, 0, "")]
    for above, line, below in zip(padded, padded[1:], padded[2:], strict=False):
        if line.text and not above.text and not below.text and is_date_line(line.text):
            layout.adopted_on = layout.adopted_on or last_date(line.text)
            found.add(line.number)
    return found


# --- running headers and footers -------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.casefold().split()))


def _running_lines(lines: list[Line]) -> set[str]:
    """Short lines printed again and again (running headers and footers), by their key.

    A repeated capitals heading ("ACTIONS" under each pillar) is structure, not furniture:
    a running line carries a page number or a symbol, or names the document.
    """
    counts: dict[str, int] = {}
    for line in lines:
        text = line.text
        # A footer's page number ("… Record of Outcomes | Page 1 of 2") makes it no longer.
        words = PAGE_SUFFIX.sub("", text).split()
        if not text or len(text) > 100 or len(words) > 12:
            continue
        if ITEM_START.match(text) or (text.endswith(SENTENCE_END) and not text.endswith(")")):
            continue
        if not (re.search(r"\d", text) or TITLE_WORDS.search(text)):
            continue
        counts[_key(text)] = counts.get(_key(text), 0) + 1
    return {key for key, count in counts.items() if count >= 2}


def _headers_beside_page_numbers(lines: list[Line], dropped: set[int]) -> set[int]:
    """Running headers and footers printed only once, beside a page number: a short
    unnumbered line standing alone (blank lines or furniture around it) right before or
    after a page-number line. A heading at a page top is kept: a list follows it."""
    texts = [line for line in lines if line.text]
    pages = {line.number for line in texts if line.number in dropped and _is_page_number(line)}
    found = set()
    for index, line in enumerate(texts):
        if line.number in dropped or not _could_be_running_line(line.text):
            continue
        before = texts[index - 1] if index else None
        after = texts[index + 1] if index + 1 < len(texts) else None
        if not any(n is not None and n.number in pages for n in (before, after)):
            continue
        alone = all(
            n is None or n.number in dropped or abs(n.number - line.number) > 1
            for n in (before, after)
        )
        following = next((n.text for n in texts[index + 1 :] if n.number not in dropped), "")
        if alone and not ITEM_START.match(following):
            found.add(line.number)
    return found


def _is_page_number(line: Line) -> bool:
    return bool(PAGE_NUMBER.match(line.text))


def _could_be_running_line(text: str) -> bool:
    """Short, capitalised, unnumbered and no sentence: what a header or footer looks like."""
    return (
        len(text.split()) <= 12
        and text[:1].isupper()
        and not text.endswith(SENTENCE_END)
        and not ITEM_START.match(text)
        and not SECTION_START.match(text)
        and not NUMBERED_TITLE.match(text)
        and not ANNEX.match(text)
    )


def _join_across_dropped(lines: list[Line], dropped: set[int]) -> list[Line]:
    """The lines without the dropped ones; a paragraph broken by a page end (dropped
    footer, header or page number between its halves) is closed up again."""
    kept: list[Line] = []
    gap: list[Line] = []  # blank lines since the last kept text line
    gap_had_furniture = False
    for line in lines:
        if line.number in dropped:
            gap_had_furniture = True
            continue
        if not line.text:
            gap.append(line)
            continue
        previous = kept[-1].text if kept else ""
        joins = (
            gap_had_furniture
            and previous
            and not previous.endswith(SENTENCE_END)
            and not ITEM_START.match(line.text)
            and not previous.isupper()
        )
        if not joins:
            kept.extend(gap)
        kept.append(line)
        gap, gap_had_furniture = [], False
    return kept + gap


# --- annexes ---------------------------------------------------------------------------------


def _is_annex_heading(text: str) -> bool:
    match = ANNEX.match(text)
    if match is None:
        return False
    rest = match.group("rest")
    return len(rest.split()) <= 12 and not rest.endswith((".", ";", ","))


def _split_annexes(lines: list[Line], layout: Layout) -> list[Line]:
    """The body's lines; from the first annex heading after some body on, annexes."""
    seen_body = False
    for index, line in enumerate(lines):
        if line.text and _is_annex_heading(line.text) and seen_body:
            layout.annexes = _annexes(lines[index:])
            return lines[:index]
        seen_body = seen_body or bool(line.text)
    return lines


def _annexes(lines: list[Line]) -> list[dict]:
    annexes: list[dict] = []
    for line in lines:
        if not line.text:
            continue
        if _is_annex_heading(line.text):
            annexes.append({"title": line.text, "text": ""})
            continue
        annex = annexes[-1]
        if not annex["text"] and _is_bare_annex(annex["title"]) and _is_subtitle(line.text):
            # "ANNEX 1" over "TERMS OF REFERENCE": one title.
            annex["title"] = f"{annex['title']}: {line.text}"
            continue
        annex["text"] = f"{annex['text']}\n{line.text}" if annex["text"] else line.text
    return annexes


def _is_bare_annex(title: str) -> bool:
    match = ANNEX.match(title)
    return match is not None and not match.group("rest")


def _is_subtitle(text: str) -> bool:
    return len(text.split()) <= 12 and not text.endswith(SENTENCE_END)
