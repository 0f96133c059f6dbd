"""The chair's report as PDF (reports/pdf.py): recorded text printed as typed, no text over
a neighbour's, its language, and a long report laid out in parts reading as one."""

import io
import itertools
import re

import pytest
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ContentStream

from forums.tlp import TLP
from reports import pdf
from reports.content import ChairsWords, build_report
from reports.render import render
from reports.services import report_render
from tests.factories import TaskFactory, UserFactory, WorkingGroupFactory
from tests.reports.test_brief import (
    LONG_NAME,
    LONG_TITLE,
    TODAY,
    UNBROKEN,
    forum_with_meetings,
    long_world,
    officer,
)
from tests.reports.test_render import annex, jhops, pdf_pages  # noqa: F401 (a fixture)
from workinggroups.models import WorkingGroup

pytestmark = pytest.mark.django_db

WORD = "Unbreakable" * 12  # no place to break at all

# Typst's markup, in every place recorded text goes: printed, never obeyed.
MARKUP = '#panic("x") *not bold* _nor this_ $x^2$ <label> @ref ] [ \\ // = Heading `code`'


def _widths(font) -> tuple[dict[int, float], float]:
    """A CID font's glyph widths (thousandths of the size) by glyph id, and its default."""
    cid = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    w = list(cid.get("/W", []))
    while w:
        first = int(w.pop(0))
        if isinstance(w[0], list):
            widths.update({first + n: float(x) for n, x in enumerate(w.pop(0))})
        else:
            last, width = int(w.pop(0)), float(w.pop(0))
            widths.update(dict.fromkeys(range(first, last + 1), width))
    return widths, float(cid.get("/DW", 1000))


def _advance(operands, widths, default, size) -> float:
    """How far a TJ (or Tj) moves the pen: each glyph's width less its kerning, in text space."""
    total = 0.0
    for item in operands[0] if isinstance(operands[0], list) else [operands[0]]:
        if isinstance(item, str | bytes):
            raw = bytes(getattr(item, "original_bytes", b""))
            gids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            total += sum(widths.get(gid, default) for gid in gids) / 1000 * size
        else:
            total -= float(item) / 1000 * size
    return total


Matrix = tuple[float, ...]


def runs(page) -> list[tuple[float, float, float]]:
    """Each run of text drawn on the page (charts aside): (left, right, baseline) in points,
    read from the content stream: the page's transformation, then the text's."""
    fonts = {name: _widths(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    tm: Matrix = ctm
    stack: list[Matrix] = []
    found = []
    font, size = None, 0.0
    for operands, op in ContentStream(page.get_contents(), page.pdf).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _times(tuple(map(float, operands)), ctm)
        elif op == b"Tf":
            font, size = fonts[operands[0]], float(operands[1])
        elif op == b"Tm":
            tm = tuple(map(float, operands))
        elif op in (b"TJ", b"Tj") and font is not None:
            advance = _advance(operands, *font, size)
            whole = _times(tm, ctm)
            left, baseline = whole[4], whole[5]
            found.append((left, left + advance * whole[0], round(baseline, 1)))
            tm = (*tm[:4], tm[4] + advance * tm[0], tm[5])
    return found


def _times(m, n):
    """The matrix product m n of two PDF matrices (a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def overlaps(content: bytes) -> list[tuple]:
    """Runs of text drawn over another on the same line, or past the page's edge."""
    clashes = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages, 1):
        width = float(page.mediabox.width)
        by_line: dict[float, list] = {}
        for run in runs(page):
            by_line.setdefault(run[2], []).append(run)
            if run[0] < 0 or run[1] > width:
                clashes.append((number, "off the page", run))
        for line in by_line.values():
            line.sort()
            for before, after in itertools.pairwise(line):
                if before[1] > after[0] + 0.5:
                    clashes.append((number, before, after))
    return clashes


def test_no_text_runs_over_its_neighbour_at_any_length():
    """A 300-character title, a 115-character code, a long name, a long day, and a word
    longer than any column: in the body and the annexes, every run of text ends before the
    next one on its line, and within the page."""
    report = long_world()
    group = WorkingGroup.objects.get()
    lead = UserFactory.create(first_name=WORD[:30], last_name=WORD)
    TaskFactory.create(
        working_group=group, title=WORD, lead=lead, due_on=group.reports_to.start_date
    )
    report = build_report(
        meeting=group.established_by, user=officer(), level=TLP.AMBER, as_of=TODAY
    )
    rendered = render(report, "pdf").content
    text = " ".join(pdf_pages(rendered))
    assert WORD in text.replace(" ", "")
    # Broken where it must be, but every letter there, in order.
    assert re.sub(r"\s", "", UNBROKEN) in re.sub(r"\s", "", text)
    assert " ".join(LONG_TITLE.split()[:8]) in text and LONG_NAME[0] in text
    assert overlaps(rendered) == []


def test_the_koror_report_reads_back_page_by_page_with_no_text_over_text(jhops):  # noqa: F811
    _report, rendered = jhops
    assert len(pdf_pages(rendered["pdf"].content)) > 5
    assert overlaps(rendered["pdf"].content) == []


def test_the_overlap_check_sees_text_over_text():
    """The check above, on a PDF whose table lets a long word run into the next cell."""
    import typst

    source = b"#table(columns: (1fr, 1fr), [" + WORD.encode() + b"], [Next])"
    clashing = typst.compile(source, font_paths=[str(pdf.FONT_DIR)], ignore_system_fonts=True)
    assert overlaps(clashing)


def markup_world():
    (meeting,), following = forum_with_meetings(1)
    group = WorkingGroupFactory.create(
        established_by=meeting, reports_to=following, name=f"Group {MARKUP}"
    )
    lead = UserFactory.create(first_name="Ana", last_name=MARKUP)
    TaskFactory.create(working_group=group, title=MARKUP, lead=lead, tlp=TLP.GREEN)
    return build_report(
        meeting=meeting,
        user=officer(),
        level=TLP.AMBER,
        as_of=TODAY,
        words=ChairsWords(f"Key {MARKUP}", f"Recommend {MARKUP}", "Delegations"),
    )


def test_recorded_text_is_printed_as_typed_never_read_as_markup():
    text = " ".join(pdf_pages(render(markup_world(), "pdf").content))
    for where in ("Key ", "Recommend ", "Group ", "Ana "):
        assert f"{where}{MARKUP}" in text, where
    assert text.count(MARKUP) >= 5


def test_the_pdf_says_its_language_and_its_title():
    (meeting,), _following = forum_with_meetings(1)
    with translation.override("en"):
        rendered = report_render(
            actor=officer(), meeting=meeting, level=TLP.CLEAR, fmt="pdf", as_of=TODAY, language="fr"
        )
    reader = PdfReader(io.BytesIO(rendered.content))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.metadata.title.startswith("Rapport")
    assert "Page 1" in reader.pages[0].extract_text()


def test_a_report_laid_out_in_parts_reads_as_one(monkeypatch):
    """Forty task rows, in parts of seven: pages numbered on from part to part, every
    heading a bookmark, the marking on every page, the text in the same order."""
    (meeting,), following = forum_with_meetings(1)
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=following)
    for n in range(40):
        TaskFactory.create(working_group=group, title=f"Work item {n:02d}", tlp=TLP.GREEN)
    report = build_report(meeting=meeting, user=officer(), level=TLP.GREEN, as_of=TODAY)
    whole = render(report, "pdf").content
    monkeypatch.setattr(pdf, "ROWS_PER_PART", 7)
    blocks = pdf.pdf_blocks(report, _context_for(report))
    assert len(pdf.parts(blocks, 7)) > 4
    in_parts = render(report, "pdf").content

    pages = pdf_pages(in_parts)
    assert [int(re.search(r"Page (\d+)", page).group(1)) for page in pages] == list(
        range(1, len(pages) + 1)
    )
    assert all("TLP:GREEN" in page for page in pages)
    reader = PdfReader(io.BytesIO(in_parts))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == report.title
    bookmarks = [item.title for item in _flat(reader.outline)]
    assert annex("groups") in bookmarks and annex("glossary") in bookmarks
    items = [f"Work item {n:02d}" for n in range(40)]
    for content in (whole, in_parts):
        text = " ".join(pdf_pages(content))
        annex_c = text.index(annex("groups"))
        assert [text.index(item, annex_c) for item in items] == sorted(
            text.index(item, annex_c) for item in items
        )


def _context_for(report):
    from reports.render import _charts, _context

    context = _context(report)
    context["charts"] = {key: {"chart": c} for key, c in _charts(report, context["w"]).items()}
    return context


def _flat(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def test_parts_cut_long_tables_and_keep_every_row_once():
    rows = [[f"r{n}"] for n in range(25)]
    blocks = [
        pdf.heading(2, "A"),
        {"t": "table", "rows": rows[:4]},
        {"t": "table", "rows": rows[4:]},
    ]
    cut = pdf.parts(blocks, 10)
    assert [sum(len(b.get("rows", [])) for b in part) for part in cut] == [10, 10, 5]
    assert [row for part in cut for b in part for row in b.get("rows", [])] == rows
    assert cut[0][0]["t"] == "h"
