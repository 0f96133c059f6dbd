"""Read an outcome statement (pasted text, .txt, .docx, text-based .pdf) into a Draft.

The secretariat used to retype each communiqué paragraph by paragraph; now it pastes or
uploads it and reviews what this module read:

1. `extract_text` turns the upload into plain lines (a .docx list paragraph becomes a
   bullet line, indented by its level; a PDF's text layer is read, and a PDF without one,
   a scan, is refused with a message saying so).
2. `parse_statement` first sets apart what is not the statement's body (the title block,
   page and web furniture, annexes: layout.py), settles headings and paragraph 1
   (outline.py), then splits the lines into items with their numbers and nesting, infers
   each item's kind from its lead verb, and detects references to earlier outcomes and
   documents, resolving them against what is recorded. A reference it cannot resolve is
   flagged for the secretariat, never guessed.

Numbering (what a citation code ends with):
- top level: the number as written ("1", "(1)" → "1", "A"), or 1, 2, 3 … in order when
  the paragraphs carry none;
- a marked child: parent + "(" + its marker + ")" → "2(a)", "2(a)(i)", "1(1)(a)";
- multi-level decimals as written ("1.2", "1.2.3"); bullets and unnumbered children:
  parent + "." + their place ("6.1", "6.2").
Nesting follows the order in which marker styles first appear, as in legal outlines:
the first style is the top level, a new style goes one level down, a style already open
closes the levels below it.
"""

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outcomes.importing.drafts import Draft, DraftLink, DraftOutcome
from outcomes.importing.layout import (
    LETTER_O_BULLET,
    MONTH_START,
    NUMBERED_TITLE,
    SECTION_NOUN,
    SENTENCE_END,
    Layout,
    Line,
    clean_lines,
    is_date_line,
    read_layout,
)
from outcomes.importing.outline import Block, read_outline
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink

MAX_UPLOAD_BYTES = 5_000_000
MAX_TEXT_CHARS = 1_000_000
TEXT_SUFFIXES = (".txt", ".text", ".md")

# --- 1. extraction -------------------------------------------------------------------------


def extract_text(name: str, content: bytes) -> str:
    """The text of an uploaded statement, or a ValidationError saying what is wrong with it."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB; upload the statement alone.")
            % {"limit": MAX_UPLOAD_BYTES // 1_000_000},
            code="too_big",
        )
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if f".{suffix}" in TEXT_SUFFIXES:
        text = _decode_text(content)
    elif suffix == "docx":
        text = _docx_text(content)
    elif suffix == "pdf":
        text = _pdf_text(content)
    else:
        raise ValidationError(
            _(
                "Upload the statement as .txt, .docx, a .pdf with text or Akoma Ntoso .xml "
                "(not “%(name)s”)."
            )
            % {"name": name},
            code="file_type",
        )
    if not text.strip():
        raise ValidationError(_("The file holds no text."), code="empty")
    return text


def _decode_text(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise ValidationError(
            _("This is not a text file; save the statement as plain text (.txt)."),
            code="binary",
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Word's "Plain text" on Windows; every byte decodes, so check it reads as text.
        text = content.decode("cp1252", errors="replace")
        if text.count("\ufffd") > len(text) // 100:
            raise ValidationError(
                _("The text is in an encoding Talanoa cannot read; save it as UTF-8."),
                code="encoding",
            ) from None
        return text


def _docx_text(content: bytes) -> str:
    import docx  # python-docx: imported here, only the importer needs it

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ValidationError(_("This is not a Word (.docx) file."), code="file_type")
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as error:  # a damaged or foreign zip: python-docx raises many kinds
        raise ValidationError(
            _("Word could not be read: %(error)s") % {"error": error}, code="file_type"
        ) from error
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            lines.append("")
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        properties = paragraph._p.pPr
        numbering = properties.numPr if properties is not None else None
        if numbering is not None or style.startswith("list"):
            level = 0
            # python-docx types an optional child as its ZeroOrOne descriptor, not as the
            # element (or None) that reading it returns.
            if numbering is not None and numbering.ilvl is not None:  # type: ignore[attr-defined]
                level = int(numbering.ilvl.val)  # type: ignore[attr-defined]
            else:
                digits = re.findall(r"\d+", style)
                level = int(digits[0]) - 1 if digits else 0
            # Word keeps a list's numbers in its numbering definitions, not in the text:
            # the item is a bullet here, numbered in order by the parser.
            lines.append(f"{'  ' * level}• {text}")
        else:
            lines.append(text)
        if style.startswith(("heading", "title")):
            lines.append("")
    return "\n".join(lines)


def _pdf_text(content: bytes) -> str:
    import pypdf

    if not content.startswith(b"%PDF"):
        raise ValidationError(_("This is not a PDF file."), code="file_type")
    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected; save it without the password."),
                code="encrypted",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except pypdf.errors.PdfReadError as error:
        raise ValidationError(
            _("The PDF could not be read: %(error)s") % {"error": error}, code="file_type"
        ) from error
    text = "\n\n".join(pages)
    if len(re.sub(r"\W", "", text)) < 20:
        raise ValidationError(
            _(
                "The PDF has no text layer: it is probably a scan. Run it through text "
                "recognition (OCR) first, or paste the text."
            ),
            code="scanned",
        )
    return text


# --- 2. lines into items ------------------------------------------------------------------

ROMAN = re.compile(r"^(?=[ivxlc]+$)m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
MARKER = re.compile(
    r"""^(?:
        (?P<multi>\d+(?:\.\d+)+)\.?
      | (?P<decimal>\d+)[.)]
      | (?P<bare>\d{1,2})(?=\s+[A-Z])
      | \((?P<paren_decimal>\d+)\)
      | \((?P<paren_lower>[a-z]{1,4})\)
      | (?P<lower>[a-z]{1,4})[.)]
      | \((?P<paren_upper>[A-Z]{1,4})\)
      | (?P<upper>[A-Z]{1,4})[.)]
      | (?P<bullet>[•●◦▪‣∙·*\-\u2013\u2014►➢❖■\uf0b7\uf0a7\uf0d8]|"""
    + LETTER_O_BULLET
    + r""")
    )\s+(?P<rest>\S.*)$""",
    re.VERBOSE,
)
SECTION_WORD = re.compile(
    rf"^{SECTION_NOUN}\s+(?P<token>[0-9]+|[IVXLC]+|[A-Z])\b"
    r"\s*[:.\-\u2013\u2014]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


MARKER_STYLES = (
    "multi",
    "decimal",
    "bare",
    "paren_decimal",
    "paren_lower",
    "lower",
    "paren_upper",
    "upper",
    "bullet",
)


def _marker(text: str) -> tuple[str | None, str, str]:
    """(style, token, rest) of a line that starts with a list marker, else (None, "", text).

    A bullet before the item's own number ("• (1) Enhance …", "- a) …") is the way a
    word processor or a web page shows the list: the number is the marker.
    """
    match = MARKER.match(text)
    if match is None or is_date_line(text):  # "8 July 2022" is no paragraph 8
        return None, "", text
    style = next(name for name in MARKER_STYLES if match.group(name) is not None)
    token, rest = match.group(style), match.group("rest").strip()
    multi_letter = style in ("lower", "paren_lower", "upper", "paren_upper")
    if multi_letter and len(token) > 1 and not ROMAN.match(token.lower()):
        # "ii." is a roman numeral; "ab." is a word, not a marker.
        return None, "", text
    if style == "upper" and len(token) == 1 and not rest[:1].isupper():
        # "A. the …" is a sentence starting with a letter, rarely a heading.
        return None, "", text
    if style == "bare":
        if MONTH_START.match(rest):
            return None, "", text  # "5 October 1999. The Forum …", a wrapped date
        return "decimal", token, rest  # "1 Governance", as numbered headings are often set
    if style == "bullet":
        inner_style, inner_token, inner_rest = _marker(rest)
        if inner_style is not None and not inner_style.startswith("bullet"):
            return inner_style, inner_token, inner_rest
        return f"bullet{token}", token, rest  # "•" then a dash: two levels of bullets
    return style, token, rest


def _is_capital_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        len(letters) >= 3
        and all(c.isupper() for c in letters)
        and not text.endswith(".")
        and len(text.split()) <= 15
    )


def _looks_like_heading(text: str) -> bool:
    """A numbered line that is a title, not a paragraph: short, no sentence end."""
    return (
        len(text.split()) <= 12
        and not text.endswith(SENTENCE_END)
        and (text[:1].isupper() or text[:1].isdigit())
    )


def _one_paragraph_per_line(lines: list[Line]) -> bool:
    """Text pasted from a web page or a Word file: no blank lines, long lines.

    Wrapped text (a PDF's, an e-mail's) has lines of 60 to 90 characters; a paragraph per
    line runs to hundreds. Then every line is a paragraph, whatever it ends with.
    """
    texts = [line.text for line in lines if line.text]
    inner_blank = any(not line.text for line in lines[1:-1]) and len(texts) > 1
    return bool(texts) and not inner_blank and sum(map(len, texts)) / len(texts) > 100


def _blocks(lines: list[Line], *, from_pdf: bool = False) -> list[Block]:
    """Group lines into paragraphs and list items.

    A new block starts at a marker, after a blank line, after a heading, or after a line
    that ends a sentence; any other line continues the block above (a wrapped line). When
    blank lines set the paragraphs apart, a line right under another continues it even
    after a sentence end.
    """
    per_line = not from_pdf and _one_paragraph_per_line(lines)
    set_apart = not per_line and _paragraphs_set_apart(lines)
    following = _next_texts(lines)
    blocks: list[Block] = []
    previous_blank = True
    for line, next_text in zip(lines, following, strict=True):
        if not line.text:
            previous_blank = True
            continue
        style, token, rest = _marker(line.text)
        section = _section_title(line.text, next_text)
        last = blocks[-1] if blocks else None
        continues = (
            last is not None
            and not per_line
            and style is None
            and section is None
            and _continues(last, line.text, previous_blank, set_apart=set_apart)
        )
        previous_blank = False
        if continues:
            assert last is not None  # part of `continues`
            last.text = _joined(last.text, line.text)
            continue
        if section is not None and _looks_like_heading(section.group("rest") or "Section"):
            token, title = section.group("token"), section.group("rest").strip()
            blocks.append(Block(line.number, line.indent, "section", token, title, section=True))
        elif style is None and _is_capital_heading(line.text):
            blocks.append(Block(line.number, line.indent, None, "", line.text, heading=True))
        else:
            block = Block(line.number, line.indent, style, token, rest)
            block.shape = _marker_shape(line.text, rest) if style else ""
            blocks.append(block)
    _mark_numbered_sections(blocks)
    return blocks


def _next_texts(lines: list[Line]) -> list[str]:
    """For each line, the text of the next line that has any."""
    following: list[str] = []
    next_text = ""
    for line in reversed(lines):
        following.append(next_text)
        next_text = line.text or next_text
    return following[::-1]


def _section_title(text: str, next_text: str) -> re.Match | None:
    """A numbered section heading: a known noun ("Part II", "Strategic Focus Area 1:"), or
    any short name with its number, a separator and a title ("Action Area 2: Cyber
    Security") when a list of items follows it, as a plan's parts are laid out."""
    known = SECTION_WORD.match(text)
    if known is not None:
        return known
    named = NUMBERED_TITLE.match(text)
    if named is None or is_date_line(text) or not _looks_like_heading(named.group("rest")):
        return None
    return named if _marker(next_text)[0] is not None else None


def _paragraphs_set_apart(lines: list[Line]) -> bool:
    """Paragraphs set apart by blank lines, their lines hard-wrapped (a PDF's, an e-mail's).

    Where paragraphs follow one another line after line, a line ending a sentence is often
    followed by an unmarked line that starts the next paragraph; where blank lines set them
    apart, that is only a wrap that fell at a sentence end ("… Network (PTCN)" over "met in
    …"). Comparing how often each happens tells the two layouts apart.
    """
    groups = sentence_breaks = 0
    previous = ""
    for line in lines:
        if not line.text:
            previous = ""
            continue
        if not previous:
            groups += 1
        elif previous.endswith(SENTENCE_END) and _marker(line.text)[0] is None:
            sentence_breaks += 1
        previous = line.text
    return groups >= 3 and 2 * sentence_breaks < groups


def _marker_shape(text: str, rest: str) -> str:
    """The marker without its number or letter and any bullet before it: "1." → "#."."""
    marker = text[: len(text) - len(rest)].strip().lstrip("•●◦▪‣∙·*-\u2013\u2014►➢❖■ ")
    return re.sub(r"[0-9]+|[A-Za-z]+", "#", marker)


def _continues(last: Block, text: str, after_blank: bool, *, set_apart: bool = False) -> bool:
    """A line without a marker carries on the block above: a wrapped line, or after a
    blank (a page break, a hard return) the lowercase rest of an unfinished sentence.
    Where blank lines set the paragraphs apart, a line right under another is a wrap
    whatever the line above ends with."""
    if last.heading or last.section or _is_capital_heading(text):
        return False
    if after_blank:
        return text[:1].islower() and not last.text.endswith(SENTENCE_END)
    return set_apart or not last.text.endswith(SENTENCE_END)


def _joined(first: str, second: str) -> str:
    """Two lines of one paragraph; a word hyphenated at the line end ("cooper-" over
    "ation") made whole again, a hyphenated compound ("Asia-" over "Pacific") kept."""
    if re.search(r"[^\W\d_]-$", first):
        return first[:-1] + second if second[:1].islower() else first + second
    return f"{first} {second}"


def _mark_numbered_sections(blocks: list[Block]) -> None:
    """ "1. MARITIME SECURITY" or "A. Policing" followed by items of another style is a section."""
    for index, block in enumerate(blocks):
        if block.style not in ("decimal", "upper", "paren_upper") or block.section:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            following is not None
            and _looks_like_heading(block.text)
            and following.style != block.style
            and not following.heading
        ):
            block.section = True


# --- 3. nesting and numbers ---------------------------------------------------------------


def _roman_or_letter(style: str, token: str, open_styles: list[tuple[str, Block]]) -> str:
    """(i) after (h) is a letter; otherwise i, v, x … open a roman list."""
    if style not in ("paren_lower", "lower", "paren_upper", "upper"):
        return style
    roman_style = f"{style}_roman"
    letter_open = next((b for s, b in reversed(open_styles) if s == style), None)
    if ROMAN.match(token.lower()):
        roman_open = any(s == roman_style for s, _b in open_styles)
        follows_letter = (
            letter_open is not None
            and len(letter_open.token) == 1
            and len(token) == 1
            and ord(token) == ord(letter_open.token) + 1
        )
        # A lone "(v)", "(x)" … that follows no letter stays a letter: a roman list opens at i.
        if roman_open and follows_letter and not _follows_roman(token, open_styles, roman_style):
            # "(c)" after "(b)" and its "(i)", "(ii)": the letters go on ("(iii)" is next).
            return style
        if roman_open or len(token) > 1 or (not follows_letter and token.lower() == "i"):
            return roman_style
    return style


def _roman_value(numeral: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    digits = [values[c] for c in numeral.lower()]
    return sum(-d if d < n else d for d, n in zip(digits, [*digits[1:], 0], strict=True))


def _follows_roman(token: str, open_styles: list[tuple[str, Block]], roman_style: str) -> bool:
    """The numeral is the one after the open roman list's latest ("iii" after "ii")."""
    latest = next((b for s, b in reversed(open_styles) if s == roman_style), None)
    if latest is None or not ROMAN.match(latest.token.lower()):
        return False
    return _roman_value(token) == _roman_value(latest.token) + 1


# Marker styles that number a document (as opposed to bullets and lone letters).
NUMBERING_STYLES = ("decimal", "paren_decimal", "multi", "upper", "paren_upper")


class _Numbering:
    """Nests the blocks, one after the other, and gives each its number.

    The open levels are a stack of (style, its latest block, its outcome): a block of a
    style already open closes the levels below it; a new style opens a level down.
    """

    def __init__(self, blocks: list[Block]):
        self.outcomes: list[DraftOutcome] = []
        self.stack: list[tuple[str, Block, DraftOutcome]] = []
        self.child_counts: dict[str | None, int] = {}
        self.by_number: dict[str, DraftOutcome] = {}
        self.heading = ""
        self.mixed_lines: list[int] = []  # items numbered in another style than their list
        # In a numbered document, an unnumbered paragraph (a preamble, a closing line) must not
        # take a number the document gives another: it is numbered P1, P2 … instead.
        numbered = any(b.section or b.style in NUMBERING_STYLES for b in blocks)
        self.unnumbered_prefix = "P" if numbered else ""

    def read(self, block: Block) -> None:
        style = block.style
        if block.heading:
            self._heading(block)
        elif block.section:
            self._section(block)
        elif style is None:
            self._paragraph(block)
        elif style == "multi":
            self._multi(block)
        else:
            self._marked(block, style)

    def _parent(self) -> DraftOutcome | None:
        return self.stack[-1][2] if self.stack else None

    def _open(self, style: str, block: Block) -> None:
        """Number the block under the innermost open level and open a level for it."""
        outcome = self._place(block, style, self._parent())
        self.stack.append((style, block, outcome))

    def _heading(self, block: Block) -> None:
        self.heading = block.text
        # An unnumbered heading closes the lists above it, not the numbered sections.
        while self.stack and not self.stack[-1][1].section:
            self.stack.pop()

    def _section(self, block: Block) -> None:
        stack = self.stack
        style = f"section:{block.style}"
        while stack and stack[-1][0] != style and any(s == style for s, _b, _o in stack):
            stack.pop()
        if stack and stack[-1][0] == style:
            stack.pop()
        elif not (stack and stack[-1][1].section):
            # Else a section style never seen before under another section: a subsection.
            stack.clear()
        outcome = self._place(block, "section", self._parent())
        stack.append((style, block, outcome))
        self.heading = ""

    def _paragraph(self, block: Block) -> None:
        # An unnumbered paragraph: top level, or the next item in a section; a paragraph
        # ending "including:" opens a list below it.
        while self.stack and not self.stack[-1][1].section:
            self.stack.pop()
        self._open("plain", block)

    def _multi(self, block: Block) -> None:
        parent = self.by_number.get(block.token.rsplit(".", 1)[0])
        while self.stack and self.stack[-1][2] is not parent and self.stack[-1][0] != "decimal":
            self.stack.pop()
        outcome = self._place(block, "multi", parent)
        self.stack.append(("multi", block, outcome))

    def _marked(self, block: Block, style: str) -> None:
        stack = self.stack
        open_styles = [(s, b) for s, b, _o in stack]
        style = _roman_or_letter(style, block.token, open_styles)
        continued = _style_it_continues(style, block.token, open_styles)
        if continued is not None:
            # "1.", "2.", then "(3)": the next item of the same list in another style, not a
            # new level below; kept as written, and said in the preview.
            self.mixed_lines.append(block.line)
            style = continued
        if style.startswith("bullet"):
            style = f"{style}@{block.indent}"  # an indented bullet is a level down
        # A numbered section ("1. Governance") keeps its style open: "2." after its items
        # is the next item at the section's level, not a child of the last one.
        sibling = next((b for s, b in reversed(open_styles) if s == style), None)
        if sibling is not None and sibling.shape != block.shape and style in STYLE_FAMILIES:
            self.mixed_lines.append(block.line)  # "2." then "3)": said, numbers kept
        if any(s.removeprefix("section:") == style for s, _b in open_styles):
            while stack[-1][0].removeprefix("section:") != style:
                stack.pop()
            stack.pop()
        elif (
            stack
            and stack[-1][0] == "plain"
            and not _opens_list(stack[-1][1].text)
            and not style.startswith("bullet")
        ):
            # An unnumbered paragraph that does not introduce a list: a numbered marker
            # starts a list of its own at that paragraph's level.
            stack.pop()
        self._open(style, block)

    def _number(self, block: Block, style: str, parent: DraftOutcome | None) -> str:
        key = parent.number if parent else None
        self.child_counts[key] = self.child_counts.get(key, 0) + 1
        written = parent is None and block.token and not style.startswith("bullet")
        if style == "multi" or written:
            return block.token  # as the document numbers it
        if parent is None:
            return f"{self.unnumbered_prefix}{self.child_counts[key]}"
        if style.startswith("bullet") or style == "plain":
            return f"{parent.number}.{self.child_counts[key]}"
        return f"{parent.number}({block.token})"

    def _place(self, block: Block, style: str, parent: DraftOutcome | None) -> DraftOutcome:
        number = self._number(block, style, parent)
        if number in self.by_number:
            raise ValidationError(
                _("Number %(number)s appears twice (lines %(first)s and %(second)s).")
                % {
                    "number": number,
                    "first": self.by_number[number].source_line,
                    "second": block.line,
                },
                code="duplicate_number",
            )
        outcome = DraftOutcome(
            number=number,
            text=block.text,
            parent_number=parent.number if parent else None,
            heading=self.heading,
            is_section=block.section,
            source_line=block.line,
        )
        self.by_number[number] = outcome
        self.outcomes.append(outcome)
        return outcome


STYLE_FAMILIES = {
    "decimal": "number",
    "paren_decimal": "number",
    "lower": "letter",
    "paren_lower": "letter",
    "upper": "capital",
    "paren_upper": "capital",
}


def _style_it_continues(style: str, token: str, open_styles: list[tuple[str, Block]]) -> str | None:
    """The open list style a marker of another style continues ("(3)" after "2."), if any."""
    if style not in STYLE_FAMILIES or any(s == style for s, _b in open_styles):
        return None
    for open_style, block in reversed(open_styles):
        same_family = STYLE_FAMILIES.get(open_style) == STYLE_FAMILIES[style]
        if same_family and not block.section and _follows(token, block.token):
            return open_style
    return None


def _follows(token: str, previous: str) -> bool:
    if token.isdigit() and previous.isdigit():
        return int(token) == int(previous) + 1
    if len(token) == 1 and len(previous) == 1 and token.isalpha():
        return ord(token) == ord(previous) + 1
    return False


def _numbered(blocks: list[Block]) -> tuple[list[DraftOutcome], list[str]]:
    """Nest the blocks and give each its number; the warnings numbering raised."""
    numbering = _Numbering(blocks)
    for block in blocks:
        numbering.read(block)
    if not numbering.outcomes:
        raise ValidationError(_("No paragraph was found in the text."), code="empty")
    warnings = []
    if numbering.mixed_lines:
        warnings.append(
            _(
                "Mixed numbering: lines %(lines)s number their items in another style than "
                "the list they continue; their numbers are kept as written, check them."
            )
            % {"lines": ", ".join(map(str, dict.fromkeys(numbering.mixed_lines)))}
        )
    return numbering.outcomes, warnings


def _opens_list(text: str) -> bool:
    return bool(re.search(r"(including|following|as follows|namely)?\s*[:;]$", text))


# --- 4. kinds ------------------------------------------------------------------------------

# The verbs an action plan's items open with: each item is something to do.
IMPERATIVES = (
    "Enhance|Exchange|Hold|Conduct|Explore|Cooperate|Strengthen|Develop|Establish|Support"
    "|Promote|Share|Build|Provide|Convene|Review|Coordinate|Improve|Increase|Deliver|Work"
    "|Facilitate|Encourage|Implement|Ensure|Maintain|Continue|Expand|Identify|Undertake"
    "|Consider|Pursue|Advance|Prioriti[sz]e|Collaborate|Engage|Deepen|Invest|Assist|Train"
)
# Strongest first: an item opening with an imperative ("Enhance …", case as written, not
# "Review of …") is a commitment; a paragraph that "reiterated … and agreed to establish"
# decides. UN and ASEAN texts write their operative verbs in the present ("The Security
# Council recalls …"), which say what the past tense says. "requests" and "expresses" have
# no rule in either tense: what they ask or voice takes the kind of another verb, if any.
KIND_RULES = [
    (Outcome.Kind.COMMITMENT, rf"^(?-i:(?:{IMPERATIVES}))\b(?!\s+(?:of|for)\b)"),
    (
        Outcome.Kind.DECISION,
        r"\b(agreed|agrees|decided|decides|resolved|resolves) to"
        r" (establish|set up|create|convene|form)\b"
        r"|\bdecided\b|\bdecides\b|\bresolved\b|\bresolves\b",
    ),
    (
        Outcome.Kind.AGREEMENT,
        r"\bagree[ds]\b|\bendorse[ds]\b|\badopt(ed|s)\b|\bapprove[ds]\b",
    ),
    (
        Outcome.Kind.COMMITMENT,
        r"\bcommit(ted|s)\b|\bpledge[ds]\b|\bundert(ook|akes)\b|\bwill\b|\bshall\b",
    ),
    (Outcome.Kind.REAFFIRMATION, r"\breaffirm(ed|s)\b|\breiterate[ds]\b|\brecall(ed|s)\b"),
    (Outcome.Kind.RECOGNITION, r"\brecogni[sz]e[ds]\b|\backnowledge[ds]\b"),
    (Outcome.Kind.WELCOME, r"\bwelcome[ds]\b"),
    (
        Outcome.Kind.RECOMMENDATION,
        r"\brecommend(ed|s)\b|\bencourage[ds]\b|\burge[ds]\b|\bcall(ed|s) (up)?on\b",
    ),
    (
        Outcome.Kind.NOTE,
        r"\bnote[ds]\b|\b(took|takes) note\b|\bmet\b|\bthanked\b|\bthanks\b"
        r"|\bregistered\b",
    ),
]
KIND_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in KIND_RULES]


def infer_kind(text: str) -> str:
    """The kind its lead verbs say, reading the first sentence up to any list it opens."""
    lead = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    lead = re.sub(r"\b(including|as follows|the following|namely)\s*[:;]$", "", lead)
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(lead):
            return kind
    return ""


# --- 5. references -------------------------------------------------------------------------

DOCUMENT_NOUN = (
    r"(?:Outcome|Declaration|Communiqu[eé]|Statement|Action\s+Plan|Plan\s+of\s+Action"
    r"|Strategy|Framework)"
)
NAME = rf"(?:(?P<year>\d{{4}})\s+)?(?P<name>(?:[A-Z][\w\u2019'\-]*\s+){{0,5}}?{DOCUMENT_NOUN})"
ITEM = r"(?:Outcome|outcome|Paragraph|paragraph|Item|item|Decision|decision|Article|article)"
OUTCOME_OF = re.compile(rf"\b{ITEM}\s+(?P<number>\d+[\w.()]*)\s+of\s+(?:the\s+)?{NAME}")
NAMED_NUMBER = re.compile(rf"\b(?:the\s+)?{NAME}\s+(?P<number>\d+[\w.()]*)\b")
DOCUMENT = re.compile(rf"\b(?:the\s+)?{NAME}")

CUES = [
    (OutcomeLink.Kind.PURSUANT_TO, r"pursuant to|in accordance with|in line with|under"),
    (OutcomeLink.Kind.REAFFIRMS, r"reaffirm\w*|reiterat\w*|recall\w*|commitment to|committed to"),
    (OutcomeLink.Kind.IMPLEMENTS, r"implement\w*"),
    (OutcomeLink.Kind.SUPERSEDES, r"supersed\w*|replac\w*"),
]
CUE_PATTERNS = [(kind, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for kind, p in CUES]
CUE_WINDOW = 120  # characters before a reference in which a cue applies


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = re.sub(r"^the\s+", "", value.strip())
    return re.sub(r"\s+", " ", value)


@dataclass
class DocumentIndex:
    """The recorded documents by the names a text may use for them."""

    by_name: dict[str, list[OutcomeDocument]]

    @classmethod
    def build(cls, documents) -> "DocumentIndex":
        by_name: dict[str, list[OutcomeDocument]] = {}
        for document in documents:
            names = {document.title, document.short_title}
            names |= {re.sub(r"^\d{4}\s+", "", n) for n in names if n}
            for name in filter(None, names):
                by_name.setdefault(_fold(name), []).append(document)
        return cls(by_name)

    def find(self, name: str, year: str | None) -> OutcomeDocument | None:
        candidates = self.by_name.get(_fold(name), [])
        if year:
            candidates = [d for d in candidates if _year_of(d) in (None, int(year))]
        unique = {d.pk: d for d in candidates}
        return next(iter(unique.values())) if len(unique) == 1 else None


def _year_of(document: OutcomeDocument) -> int | None:
    found = re.search(r"\b(19|20)\d{2}\b", document.title)
    if found:
        return int(found.group(0))
    if document.adopted_on:
        return document.adopted_on.year
    start = document.meeting.start_date
    return start.year if start else None


def _cue(text: str, start: int) -> tuple[str | None, str]:
    """The relation named just before a reference, in the same clause."""
    window = text[max(0, start - CUE_WINDOW) : start]
    window = re.split(r"[.;]\s", window)[-1]
    best: tuple[int, str, str] | None = None
    for kind, pattern in CUE_PATTERNS:
        for match in pattern.finditer(window):
            if best is None or match.end() > best[0]:
                best = (match.end(), kind, window[match.start() :])
    if best is None:
        return None, ""
    return best[1], best[2]


OutcomesOf = Callable[[OutcomeDocument], dict[str, Outcome]]


def find_references(text: str, index: DocumentIndex, outcomes_of: OutcomesOf) -> list[DraftLink]:
    """The links a paragraph makes: to outcomes ("Outcome 16 of the Denarau Outcome") and
    to documents ("the 2022 Denarau Outcome"); each resolved or flagged."""
    taken: list[tuple[int, int]] = []  # the spans read already, in the order read
    links = _outcome_references(text, index, outcomes_of, taken)
    links += _document_references(text, index, taken)
    # A paragraph that cites the same outcome twice links to it once.
    unique: dict[tuple, DraftLink] = {}
    for link in links:
        target = (link.target_outcome_id, link.target_document_id) if link.resolved else None
        unique.setdefault((link.kind, target or link.target_label), link)
    return list(unique.values())


def _overlaps(match: re.Match, taken: list[tuple[int, int]]) -> bool:
    return any(match.start() < end and start < match.end() for start, end in taken)


def _phrase(cue: str, match: re.Match) -> str:
    return (cue + match.group(0)).strip() if cue else match.group(0)


def _outcome_references(
    text: str, index: DocumentIndex, outcomes_of: OutcomesOf, taken: list[tuple[int, int]]
) -> list[DraftLink]:
    """References to an outcome by its number; each takes its span, a citation or not."""
    links: list[DraftLink] = []
    for pattern in (OUTCOME_OF, NAMED_NUMBER):
        for match in pattern.finditer(text):
            if _overlaps(match, taken):
                continue
            taken.append(match.span())
            kind, phrase = _cue(text, match.start())
            document = index.find(match.group("name"), match.group("year"))
            if document is None and kind is None and pattern is NAMED_NUMBER:
                continue  # "the Blue Pacific Strategy 2050": a name and a year, not a citation
            link = DraftLink(
                kind=kind or OutcomeLink.Kind.PURSUANT_TO,
                kind_inferred=kind is None,
                phrase=_phrase(phrase, match),
                target_label=match.group(0).removeprefix("the ").strip(),
            )
            if document is not None:
                outcome = outcomes_of(document).get(match.group("number"))
                if outcome is not None:
                    link.target_outcome_id = outcome.pk
                    link.target_code = outcome.citation_code
            links.append(link)
    return links


def _document_references(
    text: str, index: DocumentIndex, taken: list[tuple[int, int]]
) -> list[DraftLink]:
    """References to a whole document, outside the spans `taken` by outcome references."""
    links: list[DraftLink] = []
    for match in DOCUMENT.finditer(text):
        if _overlaps(match, taken):
            continue
        kind, phrase = _cue(text, match.start())
        document = index.find(match.group("name"), match.group("year"))
        if document is None and kind is None:
            continue  # a name without a cue is not a reference (e.g. "the 2050 Strategy")
        taken.append(match.span())
        link = DraftLink(
            kind=kind or OutcomeLink.Kind.REAFFIRMS,
            kind_inferred=kind is None,
            phrase=_phrase(phrase, match),
            target_label=match.group(0).removeprefix("the ").strip(),
        )
        if document is not None:
            link.target_document_id = document.pk
            link.target_code = document.code
        links.append(link)
    return links


# --- 6. the whole parse --------------------------------------------------------------------


def parse_statement(
    text: str, *, forum=None, exclude_document: OutcomeDocument | None = None, from_pdf=False
) -> Draft:
    """Split `text` into a Draft: numbered, nested, kinds inferred, references resolved
    against the documents of `forum` (every forum's when None)."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            _("The text is longer than %(limit)s characters; import one statement at a time.")
            % {"limit": MAX_TEXT_CHARS},
            code="too_big",
        )
    if not text.strip():
        raise ValidationError(_("There is no text to import."), code="empty")
    layout = read_layout(clean_lines(text))
    blocks = _blocks(layout.lines, from_pdf=from_pdf)
    title = layout.title
    if (
        not title
        and len(blocks) > 1
        and blocks[0].heading
        and (blocks[1].heading or blocks[1].section)
    ):
        # A line in capitals over the first heading or section is the document's title.
        title = blocks.pop(0).text
    warnings = read_outline(blocks)
    outcomes, numbering_warnings = _numbered(blocks)
    _read_kinds_and_links(outcomes, *_recorded(forum, exclude_document))
    warnings += numbering_warnings + _furniture_warnings(layout)
    warnings += [
        _("%(number)s: “%(label)s” is not recorded; link it by hand or leave it out.")
        % {"number": outcome.number, "label": link.target_label}
        for outcome, link in Draft(outcomes=outcomes).unresolved
    ]
    return Draft(
        outcomes=outcomes,
        source_text=text,
        warnings=warnings,
        title=title,
        place=layout.place,
        adopted_on=layout.adopted_on,
        furniture=layout.furniture,
        annexes=layout.annexes,
    )


def _furniture_warnings(layout: Layout) -> list[str]:
    if not layout.furniture_count:
        return []
    return [
        ngettext(
            "%(count)s line was dropped as page furniture (a running header, a page number, "
            "a share link): %(lines)s.",
            "%(count)s lines were dropped as page furniture (running headers, page numbers, "
            "share links): %(lines)s.",
            layout.furniture_count,
        )
        % {
            "count": layout.furniture_count,
            "lines": "; ".join(f"“{line}”" for line in layout.furniture),
        }
    ]


def _recorded(forum, exclude_document: OutcomeDocument | None) -> tuple[DocumentIndex, OutcomesOf]:
    """The recorded documents a reference may name, and their outcomes by number (each
    document's read once, when a reference first names it)."""
    documents = OutcomeDocument.objects.select_related("meeting")
    if forum is not None:
        documents = documents.filter(meeting__forum=forum)
    if exclude_document is not None:
        documents = documents.exclude(pk=exclude_document.pk)
    index = DocumentIndex.build(documents)
    cache: dict[int, dict[str, Outcome]] = {}

    def outcomes_of(document: OutcomeDocument) -> dict[str, Outcome]:
        if document.pk not in cache:
            cache[document.pk] = {o.number: o for o in document.outcomes.all()}
        return cache[document.pk]

    return index, outcomes_of


def _read_kinds_and_links(
    outcomes: list[DraftOutcome], index: DocumentIndex, outcomes_of: OutcomesOf
) -> None:
    """Each item's kind (a list item without a verb takes its parent's) and references."""
    parents = {o.number: o for o in outcomes}
    for outcome in outcomes:
        if outcome.is_section:
            continue
        outcome.kind = infer_kind(outcome.text)
        parent = parents.get(outcome.parent_number or "")
        if not outcome.kind and parent is not None and not parent.is_section:
            outcome.kind = parent.kind
        outcome.links = find_references(outcome.text, index, outcomes_of)
