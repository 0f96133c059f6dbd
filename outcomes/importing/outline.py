"""The outline of a statement: which blocks are headings, sections and paragraph 1.

`statement._blocks` groups the lines into blocks (paragraphs and list items, each with
its marker); before they are numbered, `read_outline` settles what the layout alone
cannot say line by line: a short line over a numbered list is its heading, an unnumbered
first paragraph before "2." is paragraph 1, and numbering that starts again under each
heading turns the headings into sections A, B, … so that every number stays unique.
"""

import itertools
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from outcomes.importing.layout import SENTENCE_END


@dataclass
class Block:
    """One paragraph or list item as the text lays it out, before numbering."""

    line: int
    indent: int
    style: str | None  # marker style, None for an unnumbered paragraph
    token: str  # the marker as written, without brackets and full stop
    text: str
    heading: bool = False  # an unnumbered heading in capitals
    section: bool = False  # a numbered heading
    children: list["Block"] = field(default_factory=list)
    shape: str = ""  # how the marker is written, "1." or "1)": mixed styles are said


def _is_short_heading(text: str) -> bool:
    """A line that can head a list: a few words, a capital first, no sentence end."""
    words = text.split()
    starts = text[:1].isupper() or text[:1].isdigit()  # "47th Pacific Islands Forum"
    return 1 <= len(words) <= 8 and starts and not text.endswith(SENTENCE_END)


def _mark_short_headings(blocks: list[Block]) -> None:
    """A short line over a numbered list is its heading ("Maritime security")."""
    for block, following in itertools.pairwise(blocks):
        numbered_next = following.style is not None and not following.style.startswith("bullet")
        plain = block.style is None and not block.heading and not block.section
        if plain and numbered_next and _is_short_heading(block.text):
            block.heading = True


def _number_the_first_paragraph(blocks: list[Block]) -> None:
    """An unnumbered opening paragraph followed by "2." is paragraph 1."""
    body = [block for block in blocks if not block.heading]
    if len(body) < 2 or body[0].style is not None or body[0].section:
        return
    second = body[1]
    if second.style in ("decimal", "paren_decimal") and second.token == "2" and not second.section:
        body[0].style, body[0].token, body[0].shape = second.style, "1", second.shape


def _sections_from_restarting_headings(blocks: list[Block]) -> bool:
    """Numbering that starts again at 1 under each unnumbered heading: each heading becomes
    a section lettered A, B, … so that its items ("A(1)", "B(1)") stay unique."""
    headings = [block for block in blocks if block.heading]
    if len(headings) < 2 or any(block.section for block in blocks):
        return False
    top = next(
        (b.style for b in blocks if b.style is not None and not b.style.startswith("bullet")),
        None,
    )
    tokens = [block.token for block in blocks if block.style == top]
    if top is None or len(tokens) == len(set(tokens)):
        return False
    restarts = sum(
        following.style == top and following.token in SEQUENCE_STARTS
        for block, following in itertools.pairwise(blocks)
        if block.heading
    )
    if restarts < 2:
        return False
    for index, heading in enumerate(headings):
        heading.heading, heading.section = False, True
        heading.style, heading.token = "lettered", _letters(index)
    return True


SEQUENCE_STARTS = ("1", "a", "A", "i", "I")


def _letters(index: int) -> str:
    """A, B, … Z, AA, AB …"""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_outline(blocks: list[Block]) -> list[str]:
    """Settle headings and the first paragraph's number; the warnings that raises."""
    _mark_short_headings(blocks)
    _number_the_first_paragraph(blocks)
    warnings = []
    if _sections_from_restarting_headings(blocks):
        warnings.append(
            _(
                "The numbering starts again under each heading: the headings are numbered "
                "as sections A, B, … and their items A(1), A(2), …; check them."
            )
        )
    unmarked = all(block.style is None and not block.section for block in blocks)
    if unmarked and sum(not block.heading for block in blocks) > 1:
        warnings.append(
            _(
                "The text has no numbering: each paragraph is an item, numbered 1, 2, 3, … "
                "in order; check them."
            )
        )
    return warnings
